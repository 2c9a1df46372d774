// Runs the real gateway Worker on workerd through Miniflare, from the same bundle `wrangler deploy`
// would upload: real D1 (migrations applied), Durable Objects, Queues and the dashboard assets.
// Used by the e2e and browser tests and by the benchmark; `wrangler dev` is not, because its proxy
// tops out at a few hundred requests per second here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from 'wrangler';
import { useLocalWorkerd } from '../../src/cli/local-workerd';

export const repoRoot = resolve(import.meta.dirname, '../..');

// Every Miniflare this process starts runs workerd with the V8 flags that keep it from wedging.
useLocalWorkerd();

export interface RunningGateway {
  url: string;
  mf: Miniflare;
  adminToken: string;
  kek: string;
  d1(): Promise<D1Like>;
  close(): Promise<void>;
}

/** The subset of D1 the tests use (Miniflare hands back a proxy of the real binding). */
export interface D1Like {
  prepare(sql: string): {
    bind(...v: unknown[]): { all<T>(): Promise<{ results: T[] }>; run(): Promise<unknown> };
    all<T>(): Promise<{ results: T[] }>;
  };
}

/** Bundles src/index.ts exactly as `wrangler deploy` would (dry run), once per process. */
let bundled: string | undefined;
export function buildBundle(): string {
  if (bundled) return bundled;
  const outdir = mkdtempSync(join(tmpdir(), 'switchyard-bundle-'));
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'error' },
  });
  bundled = join(outdir, 'index.js');
  if (!existsSync(bundled)) throw new Error(`wrangler produced no bundle in ${outdir}`);
  return bundled;
}

export interface GatewayOptions {
  port?: number;
  /** Extra or overriding vars/secrets. */
  bindings?: Record<string, string>;
  /** A prebuilt bundle to run instead of building this tree's (for comparing two builds). */
  bundle?: string;
  /** Replaces worker options read from wrangler.toml (e.g. `assets: undefined`). */
  overrides?: Record<string, unknown>;
}

/** Fresh secrets for a gateway: the bootstrap admin token and a key-encryption key. */
export function newGatewaySecrets(): {
  adminToken: string;
  kek: string;
  bindings: Record<string, string>;
} {
  const adminToken = `sya_test_${crypto.randomUUID()}`;
  const kek = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  return {
    adminToken,
    kek,
    bindings: { SWITCHYARD_ADMIN_TOKEN: adminToken, SWITCHYARD_KEK: kek, SWITCHYARD_KEK_ID: 'test-1' },
  };
}

export async function startGateway(opts: GatewayOptions = {}): Promise<RunningGateway> {
  const script = opts.bundle ?? buildBundle();
  const withAssets = !(
    opts.overrides &&
    'assets' in opts.overrides &&
    opts.overrides['assets'] === undefined
  );
  if (withAssets && !existsSync(join(repoRoot, 'dashboard/dist/index.html'))) {
    throw new Error('dashboard/dist is missing: run `npm run build:dashboard` first');
  }
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(repoRoot, 'wrangler.toml'));
  const { adminToken, kek, bindings: secrets } = newGatewaySecrets();
  const mf = new Miniflare({
    ...workerOptions,
    name: 'switchyard',
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    host: '127.0.0.1',
    port: opts.port ?? 0,
    // Fresh, in-memory state per gateway: tests never see each other's data.
    d1Persist: false,
    durableObjectsPersist: false,
    cachePersist: false,
    cf: false,
    // Fail closed: the gateway may reach only loopback (the fake provider, webhook receivers, the
    // bench upstream, all on 127.0.0.1); a fetch anywhere else throws instead of leaving the machine.
    outboundService: { network: { allow: ['127.0.0.1/32'] } },
    // For profiling: SWITCHYARD_INSPECTOR_PORT exposes workerd's DevTools protocol on loopback.
    ...(process.env['SWITCHYARD_INSPECTOR_PORT']
      ? { inspectorPort: Number(process.env['SWITCHYARD_INSPECTOR_PORT']) }
      : {}),
    bindings: {
      ...(workerOptions['bindings'] ?? {}),
      ...secrets,
      ...opts.bindings,
    },
    ...opts.overrides,
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const db = (await mf.getD1Database('DB')) as unknown as D1Like;
  await applyMigrations(db);
  return {
    url,
    mf,
    adminToken,
    kek,
    d1: async () => db,
    close: () => mf.dispose(),
  };
}

/**
 * Applies d1-migrations/ the way `wrangler d1 migrations apply` does: each file once, recorded in
 * `d1_migrations`, so a persisted database restarts cleanly and `GET /version` reads the level.
 */
export async function applyMigrations(db: D1Like): Promise<void> {
  await db
    .prepare(
      'CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)',
    )
    .bind()
    .run();
  const { results } = await db.prepare('SELECT name FROM d1_migrations').all<{ name: string }>();
  const done = new Set(results.map((r) => r.name));
  const dir = join(repoRoot, 'd1-migrations');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !done.has(f))
    .sort()) {
    for (const statement of unstable_splitSqlQuery(readFileSync(join(dir, file), 'utf8'))) {
      const sql = statement.replaceAll('--> statement-breakpoint', '').trim();
      if (sql) await db.prepare(sql).bind().run();
    }
    await db.prepare('INSERT INTO d1_migrations (name) VALUES (?)').bind(file).run();
  }
}
