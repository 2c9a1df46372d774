// Workers on plain `workerd serve`, without Miniflare: a generated Cap'n Proto config with the
// worker's modules embedded, its bindings, Durable Objects on local disk, listening on 127.0.0.1 at
// a port the OS picks (reported on workerd's control fd). So the gateway and the passthrough can be
// measured on the runtime Cloudflare runs, without the emulator's entry worker and loopback
// services in between.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { transform } from 'esbuild';
import { repoRoot } from '../harness/gateway';
import type { Cleanup } from './targets';

export const workerdBin = (): string => {
  const req = createRequire(join(repoRoot, 'package.json'));
  return (req('workerd') as { default: string }).default;
};

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

/** The config text for `workers` (the first one gets the HTTP socket). */
export function workerdConfig(workers: WorkerSpec[], extraModules: WorkerModule[] = []): string {
  const { compatibilityDate, compatibilityFlags } = wranglerRuntime();
  const services = workers.map((w) => {
    const flags = [...compatibilityFlags, ...(w.compatibilityFlags ?? [])];
    const dos = w.durableObjects ?? [];
    return `(name = ${q(w.name)}, worker = (
      modules = [${[...w.modules, ...extraModules].map(moduleCapnp).join(', ')}],
      compatibilityDate = ${q(compatibilityDate)},
      compatibilityFlags = [${flags.map(q).join(', ')}],
      bindings = [${w.bindings.map(bindingCapnp).join(', ')}],
      ${dos.length ? `durableObjectNamespaces = [${dos.map((c) => `(className = ${q(c)}, uniqueKey = ${q(`${w.name}-${c}`)}, enableSql = true)`).join(', ')}], durableObjectStorage = (localDisk = "do-disk"),` : ''}
      globalOutbound = "loopback",
    ))`;
  });
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')},
    # The bench upstream is on loopback, which the default "internet" service does not reach.
    (name = "loopback", network = (allow = ["local", "private", "public"])),
    (name = "do-disk", disk = (path = "do", writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = ${q(workers[0]?.name ?? '')})],
);
`;
}

export interface RunningWorkerd {
  url: string;
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
): Promise<RunningWorkerd> {
  writeFileSync(join(dir, 'config.capnp'), config);
  mkdirSync(join(dir, 'do'), { recursive: true });
  const t0 = performance.now();
  const child = spawn(workerdBin(), ['serve', '--experimental', '--control-fd=3', 'config.capnp'], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), sleep(3000)]);
  };
  cleanups.push(close);
  const control = createInterface({ input: child.stdio[3] as Readable });
  try {
    const port = await Promise.race([
      (async () => {
        for await (const line of control) {
          const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
          if (msg.event === 'listen' && msg.socket === 'http' && msg.port) return msg.port;
        }
        throw new Error('workerd closed its control fd before listening');
      })(),
      once(child, 'exit').then(([code]) =>
        Promise.reject(new Error(`workerd exited (${code}) before listening`)),
      ),
      sleep(30_000).then(() => Promise.reject(new Error('workerd did not listen within 30 s'))),
    ]);
    return {
      url: `http://127.0.0.1:${port}`,
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

export async function startWorkerdGateway(
  _upstream: string,
  _cleanups: Cleanup[],
): Promise<RunningWorkerd & { depth4Key: string }> {
  // Durable Objects run on plain workerd (SQLite on local disk, as above), but D1 and Queues do
  // not: workerd has no D1 binding (Miniflare emulates D1 with a worker of its own around a
  // SQLite Durable Object) and its `queue` binding only posts messages to a service, with no
  // broker to batch them into the consumer's `queue()` handler (Miniflare's again). The gateway
  // reads D1 on its first request of every key and sends every usage record to the queue.
  throw new Error(
    'the gateway is not run there: workerd has no D1 binding and no queue broker (see workerd-serve.ts)',
  );
}
