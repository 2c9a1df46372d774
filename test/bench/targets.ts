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
 * The gateway with one root account (rpm limit, so the governor Durable Object is on the path),
 * one level of two openai-compatible keys on the upstream, a gateway key and a price.
 */
export async function startBenchGateway(
  upstream: string,
  cleanups: Cleanup[],
  opts: { overrides?: Record<string, unknown>; bundle?: string } = {},
): Promise<{ gw: RunningGateway; gatewayKey: string; upstreamKeys: string[] }> {
  const gw = await startGateway({
    overrides: { ...WITHOUT_ASSETS, ...opts.overrides },
    ...(opts.bundle ? { bundle: opts.bundle } : {}),
  });
  cleanups.push(() => gw.close());
  const gatewayKey = newGatewayKey();
  const secrets: Record<string, string> = { BENCH_GATEWAY_KEY: gatewayKey };
  const ids = [1, 2];
  for (const i of ids) secrets[`BENCH_UPSTREAM_KEY_${i}`] = `bench-upstream-key-${i}`;
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [
        {
          id: 'bench',
          name: 'Bench',
          kind: 'org',
          timezone: 'UTC',
          policy: {
            allow_models: ['bench-*'],
            level_mapper: { 'bench-*': 1 },
            // High enough never to refuse, but it puts the governor Durable Object on the path.
            limits: { rpm: 100_000_000 },
          },
        },
      ],
      levels: [
        {
          id: 1,
          name: 'Bench upstream',
          keys: ids.map((i) => ({
            id: `bench-${i}`,
            provider: 'openai-compatible' as const,
            base_url: `${upstream}/v1`,
            key_env: `BENCH_UPSTREAM_KEY_${i}`,
          })),
        },
      ],
      gateway_keys: [{ id: 'bench', account: 'bench', name: 'Bench key', key_env: 'BENCH_GATEWAY_KEY' }],
      prices: [{ model: 'bench-model', input: '0.15', output: '0.60' }],
    },
    secrets,
  );
  return { gw, gatewayKey, upstreamKeys: ids.map((i) => `bench-upstream-key-${i}`) };
}
