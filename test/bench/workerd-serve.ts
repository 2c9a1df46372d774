// Workers on plain `workerd serve`, without Miniflare: a generated Cap'n Proto config with the
// worker's modules embedded, its bindings, Durable Objects on local disk, listening on 127.0.0.1 at
// a port the OS picks (reported on workerd's control fd). So the gateway and the passthrough can be
// measured on the runtime Cloudflare runs, without the emulator's entry worker and loopback
// services in between.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { transform } from 'esbuild';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { workerdBinary } from '../../src/cli/local-workerd';
// The V8 flags every local workerd runs with, as Miniflare's get them (why: src/cli/workerd-v8.sh).
import { flagsFromEnv } from '../../src/cli/workerd-v8-flags.mjs';
import { applyMigrations, buildBundle, type D1Like, newGatewaySecrets, repoRoot } from '../harness/gateway';
import type { Cleanup } from './targets';

export function wranglerRuntime(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(repoRoot, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string),
  };
}

export type Binding =
  | { name: string; text: string }
  | { name: string; durableObjectNamespace: string }
  | { name: string; service: string }
  | { name: string; queue: string }
  | { name: string; wrapped: { module: string; inner: Binding[] } };

export interface WorkerSpec {
  /** Service name. */
  name: string;
  /** Modules, the first is the entry point: name → file in the config's directory. */
  modules: WorkerModule[];
  bindings: Binding[];
  /** Durable Object classes exported by the worker (SQLite-backed, on local disk). */
  durableObjects?: string[];
  compatibilityFlags?: string[];
}

/** An ES module, or a Text module (wrangler.toml's `rules`, e.g. the tokenizer's table). */
export interface WorkerModule {
  name: string;
  path: string;
  text?: boolean;
}

const q = (s: string) => JSON.stringify(s);

const moduleCapnp = (m: WorkerModule) =>
  `(name = ${q(m.name)}, ${m.text ? 'text' : 'esModule'} = embed ${q(basename(m.path))})`;

/**
 * The modules of a `wrangler deploy --dry-run` bundle: its entry, then the files it imports beside
 * it (Text modules; source maps and the README are not modules).
 */
export function bundleModules(entry: string): WorkerModule[] {
  const dir = dirname(entry);
  const others = readdirSync(dir).filter(
    (f) => f !== basename(entry) && !f.endsWith('.map') && f !== 'README.md',
  );
  return [
    { name: basename(entry), path: entry },
    ...others.map((f) => ({ name: f, path: join(dir, f), text: !f.endsWith('.js') })),
  ];
}

function bindingCapnp(b: Binding): string {
  if ('text' in b) return `(name = ${q(b.name)}, text = ${q(b.text)})`;
  if ('durableObjectNamespace' in b)
    return `(name = ${q(b.name)}, durableObjectNamespace = (className = ${q(b.durableObjectNamespace)}))`;
  if ('service' in b) return `(name = ${q(b.name)}, service = ${q(b.service)})`;
  if ('queue' in b) return `(name = ${q(b.name)}, queue = ${q(b.queue)})`;
  return `(name = ${q(b.name)}, wrapped = (moduleName = ${q(b.wrapped.module)}, innerBindings = [${b.wrapped.inner.map(bindingCapnp).join(', ')}]))`;
}

/** A service reached over HTTP at `address` (`host:port` or `unix:<path>`), optionally adding headers. */
export interface ExternalSpec {
  name: string;
  address: string;
  injectHeaders?: Record<string, string>;
}

/** A listening socket: `address` `127.0.0.1:0` (the OS picks the port) or `unix:<path>`. */
export interface SocketSpec {
  name: string;
  address: string;
  service: string;
}

/**
 * The config text for `workers`; without `sockets`, the first worker gets the one HTTP socket
 * ("http", on 127.0.0.1 at a port the OS picks).
 */
export function workerdConfig(
  workers: WorkerSpec[],
  opts: { sockets?: SocketSpec[]; externals?: ExternalSpec[] } = {},
): string {
  const { compatibilityDate, compatibilityFlags } = wranglerRuntime();
  const services = workers.map((w) => {
    const flags = [...compatibilityFlags, ...(w.compatibilityFlags ?? [])];
    const dos = w.durableObjects ?? [];
    return `(name = ${q(w.name)}, worker = (
      modules = [${w.modules.map(moduleCapnp).join(', ')}],
      compatibilityDate = ${q(compatibilityDate)},
      compatibilityFlags = [${flags.map(q).join(', ')}],
      bindings = [${w.bindings.map(bindingCapnp).join(', ')}],
      ${dos.length ? `durableObjectNamespaces = [${dos.map((c) => `(className = ${q(c)}, uniqueKey = ${q(`${w.name}-${c}`)}, enableSql = true)`).join(', ')}], durableObjectStorage = (localDisk = "do-disk"),` : ''}
      globalOutbound = "loopback",
    ))`;
  });
  const externals = (opts.externals ?? []).map((e) => {
    const headers = Object.entries(e.injectHeaders ?? {}).map(
      ([name, value]) => `(name = ${q(name)}, value = ${q(value)})`,
    );
    return `(name = ${q(e.name)}, external = (address = ${q(e.address)}, http = (${headers.length ? `injectRequestHeaders = [${headers.join(', ')}]` : ''})))`;
  });
  const sockets = opts.sockets ?? [{ name: 'http', address: '127.0.0.1:0', service: workers[0]?.name ?? '' }];
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${[...services, ...externals].join(',\n    ')},
    # The bench upstream is on loopback, which the default "internet" service does not reach.
    (name = "loopback", network = (allow = ["local", "private", "public"])),
    (name = "do-disk", disk = (path = "do", writable = true)),
  ],
  sockets = [${sockets.map((k) => `(name = ${q(k.name)}, address = ${q(k.address)}, http = (), service = ${q(k.service)})`).join(', ')}],
  v8Flags = [${flagsFromEnv().map(q).join(', ')}],
);
`;
}

export interface RunningWorkerd {
  /** Origin of the "http" socket (or of the first socket waited for). */
  url: string;
  /** Port of each TCP socket waited for. */
  ports: Record<string, number>;
  pid: number;
  /** ms from spawn to the socket listening (workerd parsed the config and compiled the scripts). */
  listeningMs: number;
  close(): Promise<void>;
}

/** Writes the config into a fresh directory (modules copied beside it) and serves it. */
export async function serveWorkerd(
  config: string,
  dir: string,
  cleanups: Cleanup[],
  /** TCP sockets to wait for (unix sockets are ready when the first TCP one is). */
  sockets: string[] = ['http'],
  extraArgs: string[] = [],
): Promise<RunningWorkerd> {
  writeFileSync(join(dir, 'config.capnp'), config);
  mkdirSync(join(dir, 'do'), { recursive: true });
  const t0 = performance.now();
  const child = spawn(
    workerdBinary(),
    ['serve', '--experimental', '--control-fd=3', ...extraArgs, 'config.capnp'],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    },
  );
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), sleep(3000)]);
  };
  cleanups.push(close);
  const control = createInterface({ input: child.stdio[3] as Readable });
  try {
    const ports = await Promise.race([
      (async () => {
        const found: Record<string, number> = {};
        for await (const line of control) {
          const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (msg.event === 'listen' && msg.socket && sockets.includes(msg.socket) && msg.port)
            found[msg.socket] = msg.port;
          if (sockets.every((k) => found[k])) return found;
        }
        throw new Error('workerd closed its control fd before listening');
      })(),
      once(child, 'exit').then(([code]) =>
        Promise.reject(new Error(`workerd exited (${code}) before listening`)),
      ),
      sleep(30_000).then(() => Promise.reject(new Error('workerd did not listen within 30 s'))),
    ]);
    return {
      url: `http://127.0.0.1:${ports[sockets[0] as string]}`,
      ports,
      pid: child.pid as number,
      listeningMs: performance.now() - t0,
      close,
    };
  } finally {
    control.close();
  }
}

/** Compiles one of this folder's one-file Workers to a module in `dir`. */
export async function compileBareWorker(file: string, dir: string): Promise<string> {
  const { code } = await transform(readFileSync(join(import.meta.dirname, file), 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
  });
  const out = join(dir, file.replace(/\.ts$/, '.js'));
  writeFileSync(out, code);
  return out;
}

export function newWorkdir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-workerd-'));
}

export async function startWorkerdPassthrough(
  upstream: string,
  cleanups: Cleanup[],
): Promise<RunningWorkerd> {
  const dir = newWorkdir();
  const path = await compileBareWorker('passthrough-worker.ts', dir);
  const config = workerdConfig([
    {
      name: 'passthrough',
      modules: [{ name: 'worker.js', path }],
      bindings: [{ name: 'UPSTREAM', text: upstream }],
    },
  ]);
  return serveWorkerd(config, dir, cleanups);
}

/** D1 over the shim's HTTP protocol (the same requests d1-api sends), for the bench's own queries. */
export function d1Client(origin: string): D1Like {
  const query = async <T>(sql: string, params: unknown[]) => {
    const res = await fetch(`${origin}/query?resultsFormat=ARRAY_OF_OBJECTS`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql, params }),
    });
    const answer = (await res.json()) as { success: boolean; error?: string; results?: T[] };
    if (!answer.success) throw new Error(`D1 shim: ${answer.error}`);
    return { results: answer.results ?? [] };
  };
  return {
    prepare: (sql) => ({
      bind: (...params) => ({ all: <T>() => query<T>(sql, params), run: () => query(sql, params) }),
      all: <T>() => query<T>(sql, []),
    }),
  };
}

export interface WorkerdGateway extends RunningWorkerd {
  adminToken: string;
  /** The platform's processes: the D1 shim and the queue broker (work Cloudflare does outside the Worker). */
  platformPids: { d1: number; queues: number };
  d1: D1Like;
  /** The usage queue's counters at the broker. */
  queueStats(): Promise<Record<string, number>>;
}

/**
 * The gateway bundle on plain `workerd serve`, in three processes so /proc tells their CPU apart:
 *
 * - the gateway's: the Worker with its three Durable Objects (SQLite on local disk), and the
 *   consumer relay that hands the broker's batches to its `queue()` handler;
 * - the platform's, one for the D1 shim (workerd-d1.ts) and one for the queue broker
 *   (workerd-queue.ts): what on Cloudflare runs in the platform, not in the Worker.
 *
 * They talk over unix sockets in the work directory: `DB` is workerd's own D1 binding
 * (`cloudflare-internal:d1-api` around a fetcher, as Miniflare configures it) pointed at the shim,
 * `USAGE_QUEUE`/`USAGE_DLQ` workerd's `queue` bindings pointed at the broker. Vars and queue
 * settings come from wrangler.toml, the secrets are fresh, as for the Miniflare gateway; no assets
 * (the Miniflare bench target runs without them too). Migrations are applied through the shim.
 */
export async function startWorkerdGateway(cleanups: Cleanup[]): Promise<WorkerdGateway> {
  const bundle = buildBundle();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(repoRoot, 'wrangler.toml'));
  const producers = (workerOptions['queueProducers'] ?? {}) as Record<string, { queueName: string }>;
  const consumers = (workerOptions['queueConsumers'] ?? {}) as Record<
    string,
    { maxBatchSize?: number; maxBatchTimeout?: number; maxRetries?: number; deadLetterQueue?: string }
  >;
  const [consumed, settings] = Object.entries(consumers)[0] ?? [];
  if (!consumed || !settings) throw new Error('wrangler.toml has no queue consumer');
  const root = newWorkdir();
  const sock = (name: string) => `unix:${join(root, `${name}.sock`)}`;

  // The D1 shim and the broker each in a process of their own, so their CPU is told apart too.
  const d1Dir = join(root, 'd1');
  mkdirSync(d1Dir);
  const d1Process = await serveWorkerd(
    workerdConfig(
      [
        {
          name: 'd1',
          modules: [{ name: 'd1.js', path: await compileBareWorker('workerd-d1.ts', d1Dir) }],
          bindings: [{ name: 'DATABASE', durableObjectNamespace: 'D1Shim' }],
          durableObjects: ['D1Shim'],
        },
      ],
      {
        sockets: [
          { name: 'http', address: '127.0.0.1:0', service: 'd1' },
          { name: 'd1-unix', address: sock('d1'), service: 'd1' },
        ],
      },
    ),
    d1Dir,
    cleanups,
  );
  const queuesDir = join(root, 'queues');
  mkdirSync(queuesDir);
  const queuesProcess = await serveWorkerd(
    workerdConfig(
      [
        {
          name: 'queues',
          modules: [{ name: 'queue.js', path: await compileBareWorker('workerd-queue.ts', queuesDir) }],
          bindings: [
            { name: 'ROLE', text: 'broker' },
            { name: 'QUEUES', durableObjectNamespace: 'QueueBroker' },
            { name: 'CONSUMERS', text: `${consumed}=CONSUMER` },
            { name: 'CONSUMER', service: 'consumer' },
            { name: 'MAX_BATCH_SIZE', text: String(settings.maxBatchSize ?? 10) },
            { name: 'MAX_BATCH_TIMEOUT_MS', text: String((settings.maxBatchTimeout ?? 5) * 1000) },
            { name: 'MAX_RETRIES', text: String(settings.maxRetries ?? 3) },
            {
              name: 'DEAD_LETTER',
              text: settings.deadLetterQueue ? `${consumed}=${settings.deadLetterQueue}` : '',
            },
          ],
          durableObjects: ['QueueBroker'],
        },
      ],
      {
        externals: [{ name: 'consumer', address: sock('consumer') }],
        sockets: [
          { name: 'http', address: '127.0.0.1:0', service: 'queues' },
          { name: 'queues-unix', address: sock('queues'), service: 'queues' },
        ],
      },
    ),
    queuesDir,
    cleanups,
  );
  const d1 = d1Client(d1Process.url);
  await applyMigrations(d1);

  const gatewayDir = join(root, 'gateway');
  mkdirSync(gatewayDir);
  // The bundle's modules side by side (the script and its Text modules, e.g. the tokenizer's table).
  const gatewayModules = bundleModules(bundle).map((m) => {
    const path = join(gatewayDir, m.name);
    copyFileSync(m.path, path);
    return { ...m, path };
  });
  const secrets = newGatewaySecrets();
  const vars = { ...(workerOptions['bindings'] ?? {}), ...secrets.bindings } as Record<string, unknown>;
  const durableObjects = (workerOptions['durableObjects'] ?? {}) as Record<string, { className: string }>;
  const queueService = (queue: string) => `queue-${queue}`;
  const gateway = await serveWorkerd(
    workerdConfig(
      [
        {
          name: 'switchyard',
          modules: gatewayModules,
          bindings: [
            ...Object.entries(vars).map(([name, value]) => ({ name, text: String(value) })),
            {
              name: 'DB',
              wrapped: { module: 'cloudflare-internal:d1-api', inner: [{ name: 'fetcher', service: 'd1' }] },
            },
            ...Object.entries(producers).map(([name, p]) => ({ name, queue: queueService(p.queueName) })),
            ...Object.entries(durableObjects).map(([name, d]) => ({
              name,
              durableObjectNamespace: d.className,
            })),
          ],
          durableObjects: Object.values(durableObjects).map((d) => d.className),
        },
        {
          name: 'consumer',
          modules: [{ name: 'queue.js', path: await compileBareWorker('workerd-queue.ts', gatewayDir) }],
          bindings: [
            { name: 'ROLE', text: 'consumer' },
            { name: 'GATEWAY', service: 'switchyard' },
          ],
          compatibilityFlags: ['service_binding_extra_handlers'],
        },
      ],
      {
        externals: [
          { name: 'd1', address: sock('d1') },
          ...Object.values(producers).map((p) => ({
            name: queueService(p.queueName),
            address: sock('queues'),
            injectHeaders: { 'x-bench-queue': p.queueName },
          })),
        ],
        sockets: [
          { name: 'http', address: '127.0.0.1:0', service: 'switchyard' },
          { name: 'consumer-unix', address: sock('consumer'), service: 'consumer' },
        ],
      },
    ),
    gatewayDir,
    cleanups,
    ['http'],
    // BENCH_WORKERD_INSPECTOR=<port>: the gateway's DevTools inspector on loopback, to look inside it.
    process.env['BENCH_WORKERD_INSPECTOR']
      ? [`--inspector-addr=127.0.0.1:${process.env['BENCH_WORKERD_INSPECTOR']}`]
      : [],
  );
  return {
    ...gateway,
    adminToken: secrets.adminToken,
    platformPids: { d1: d1Process.pid, queues: queuesProcess.pid },
    d1,
    queueStats: async () =>
      (await (
        await fetch(`${queuesProcess.url}/stats?queue=${encodeURIComponent(consumed)}`)
      ).json()) as Record<string, number>,
  };
}
