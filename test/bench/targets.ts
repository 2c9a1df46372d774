// What the benchmark loads: the fast upstream (own process), the bare passthrough Worker and the
// gateway with a bench policy, each registering how to stop it in `cleanups`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { transform } from 'esbuild';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { type RunningGateway, repoRoot, startGateway } from '../harness/gateway';
import { applyPolicy, newGatewayKey } from '../harness/seed';

export type Cleanup = () => Promise<unknown>;

/** The upstream runs in a child process, so its event loop does not share autocannon's. */
export async function startUpstreamProcess(cleanups: Cleanup[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'upstream.ts')], {
    cwd: repoRoot,
    // The IPC channel makes the child exit if this process dies without cleaning up.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), sleep(3000)]);
  });
  if (!child.stdout) throw new Error('upstream has no stdout');
  const lines = createInterface({ input: child.stdout });
  try {
    const [line] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(() => Promise.reject(new Error('upstream exited before listening'))),
      sleep(20_000).then(() => Promise.reject(new Error('upstream did not start within 20 s'))),
    ])) as [string];
    return line.trim();
  } finally {
    lines.close();
  }
}

/** A one-file Worker of this folder (the passthrough or the metering floor) on Miniflare. */
export async function startBareWorker(
  file: 'passthrough-worker.ts' | 'floor-worker.ts',
  upstream: string,
  cleanups: Cleanup[],
): Promise<string> {
  const source = readFileSync(join(import.meta.dirname, file), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'es2022' });
  // Same runtime settings as the gateway, so the comparison isolates the gateway's own work.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(repoRoot, 'wrangler.toml'));
  const mf = new Miniflare({
    name: file.replace('-worker.ts', ''),
    modules: true,
    script: code,
    compatibilityDate: workerOptions['compatibilityDate'],
    compatibilityFlags: workerOptions['compatibilityFlags'],
    bindings: { UPSTREAM: upstream },
    host: '127.0.0.1',
    port: 0,
  });
  cleanups.push(() => mf.dispose());
  return (await mf.ready).toString().replace(/\/$/, '');
}

/**
 * Miniflare emulates the platform's static-asset routing with router Workers of its own in the same
 * workerd process, about 0.4 ms of CPU per request here; on Cloudflare the platform routes the API
 * paths (`run_worker_first`) straight to the Worker. The bench measures the gateway Worker, so it runs
 * without the dashboard's assets, as the bare passthrough does.
 */
const WITHOUT_ASSETS = { assets: undefined };

/**
 * Limits at a level of the benchmark's trees: every kind the governor enforces (request, token
 * and cost pools, per minute, per day and per month, and a per-model bucket), all far above what
 * a run can use, so nothing is refused but every pool is drawn from and settled.
 */
const EVERY_LIMIT = {
  limits: {
    rpm: 100_000_000,
    tpm: 100_000_000_000,
    rpd: 1_000_000_000,
    tpd: 1_000_000_000_000,
    daily_budget: '1000000000',
    monthly_budget: '10000000000',
  },
  model_limits: { 'bench-*': { rpm: 100_000_000, tpm: 100_000_000_000 } },
};

/** The upstream answers `bench-<n>` with n content chunks (upstream.ts). */
export const BENCH_MODELS = ['bench-model', 'bench-7', 'bench-300'] as const;

/** The bench trees: the key of a depth-1 tree sits on the root; the depth-4 key three levels below. */
export const DEPTH4_CHAIN = ['bench', 'bench-team', 'bench-user', 'bench-app'] as const;

export interface BenchGateway {
  gw: RunningGateway;
  /** Key of the root account (a chain of one level with every limit). */
  gatewayKey: string;
  /** Key of the fourth level (four levels, every one with every limit). */
  depth4Key: string;
  upstreamKeys: string[];
}

/**
 * The gateway with a root account and a chain of three accounts below it, each limited on every
 * pool, one level of two openai-compatible keys on the upstream, a gateway key on the root and
 * one on the deepest account, and a price for the bench models.
 */
export async function startBenchGateway(
  upstream: string,
  cleanups: Cleanup[],
  opts: { overrides?: Record<string, unknown>; bundle?: string } = {},
): Promise<BenchGateway> {
  const gw = await startGateway({
    overrides: { ...WITHOUT_ASSETS, ...opts.overrides },
    ...(opts.bundle ? { bundle: opts.bundle } : {}),
  });
  cleanups.push(() => gw.close());
  return { gw, ...(await seedBenchGateway(gw, upstream)) };
}

/**
 * Applies the bench policy to a running gateway (any runtime): keys back. `upstreamKeyPrefix` tells
 * two gateways' upstream keys apart, so the upstream's counts check each one's metering.
 */
export async function seedBenchGateway(
  gw: Pick<RunningGateway, 'url' | 'adminToken'>,
  upstream: string,
  upstreamKeyPrefix = 'bench-upstream-key',
): Promise<Omit<BenchGateway, 'gw'>> {
  const base = upstream;
  const gatewayKey = newGatewayKey();
  const depth4Key = newGatewayKey();
  const secrets: Record<string, string> = { BENCH_GATEWAY_KEY: gatewayKey, BENCH_DEPTH4_KEY: depth4Key };
  const ids = [1, 2];
  for (const i of ids) secrets[`BENCH_UPSTREAM_KEY_${i}`] = `${upstreamKeyPrefix}-${i}`;
  const [root, ...below] = DEPTH4_CHAIN;
  await applyPolicy(
    gw as RunningGateway,
    {
      version: 1,
      accounts: [
        {
          id: root,
          name: 'Bench',
          kind: 'org',
          timezone: 'UTC',
          policy: { allow_models: ['bench-*'], level_mapper: { 'bench-*': 1 }, ...EVERY_LIMIT },
        },
        ...below.map((id, i) => ({
          id,
          parent: DEPTH4_CHAIN[i] as string,
          name: id,
          policy: EVERY_LIMIT,
        })),
      ],
      levels: [
        {
          id: 1,
          name: 'Bench upstream',
          keys: ids.map((i) => ({
            id: `bench-${i}`,
            provider: 'openai-compatible' as const,
            base_url: `${base}/v1`,
            key_env: `BENCH_UPSTREAM_KEY_${i}`,
          })),
        },
      ],
      gateway_keys: [
        { id: 'bench', account: root, name: 'Bench key', key_env: 'BENCH_GATEWAY_KEY' },
        { id: 'bench-depth4', account: DEPTH4_CHAIN[3], name: 'Depth-4 key', key_env: 'BENCH_DEPTH4_KEY' },
      ],
      prices: BENCH_MODELS.map((model) => ({ model, input: '0.15', output: '0.60' })),
    },
    secrets,
  );
  return { gatewayKey, depth4Key, upstreamKeys: ids.map((i) => `${upstreamKeyPrefix}-${i}`) };
}

/** The Portkey gateway's version, as installed. */
export function portkeyVersion(): string {
  const pkg = join(repoRoot, 'node_modules/@portkey-ai/gateway/package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * The Portkey gateway on Node (its own process), and the headers that route a request through it
 * to the bench upstream as an OpenAI provider with a custom host (its documented self-hosted use).
 */
export async function startPortkey(
  upstream: string,
  cleanups: Cleanup[],
): Promise<{ url: string; pid: number; headers: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'portkey-server.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), sleep(3000)]);
  });
  const [url] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => Promise.reject(new Error('portkey exited before listening'))),
    sleep(30_000).then(() => Promise.reject(new Error('portkey did not start within 30 s'))),
  ])) as [string];
  return {
    url,
    pid: child.pid as number,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1` },
  };
}
