// An apply cut short: the gateway's workerd is killed (SIGKILL) the moment the whole apply request
// has reached it, before it can answer. Apply writes one transaction, so after a restart on the
// same storage the gateway holds all of the plan or none of it — never a part — and the next
// apply converges.
import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { switchyard, workDir, writeFile } from './policy-cli';

const dir = workDir();
const storage = {
  d1Persist: join(dir, 'd1'),
  durableObjectsPersist: join(dir, 'do'),
  cachePersist: false,
};
const accounts = 300;
const bigFile = writeFile(
  dir,
  'big.yaml',
  `version: 1
accounts:
  - { id: corp, name: Corp, policy: { limits: { rpm: 1000 } } }
${Array.from({ length: accounts }, (_, i) => `  - { id: team-${i}, parent: corp, name: Team ${i}, policy: { limits: { rpm: ${i % 100} } } }`).join('\n')}
levels:
  - id: 1
    name: compat
    keys:
      - { id: vllm, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", key_env: VLLM_KEY }
`,
);
const secrets = { VLLM_KEY: 'fake-vllm-secret-for-the-interrupted-apply' };

/** The workerd processes this test process started (Miniflare runs them as its children). */
function workerdPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('workerd'))
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * A TCP relay to the gateway that, once it has forwarded a complete `POST …/policy/apply`
 * request, kills the gateway's workerd before any answer can come back.
 */
function killingRelay(target: URL): Promise<{ server: Server; url: string; killed: () => boolean }> {
  let killed = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    let seen = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (killed) return;
      seen = Buffer.concat([seen, chunk]);
      const end = seen.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = seen.subarray(0, end).toString();
      if (!head.startsWith('POST /admin/v1/policy/apply')) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (seen.length - end - 4 < length) return;
      killed = true;
      for (const pid of workerdPids()) process.kill(pid, 'SIGKILL');
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, killed: () => killed });
    }),
  );
}

let gw: RunningGateway | undefined;
let relay: Server | undefined;
afterAll(async () => {
  relay?.close();
  await gw?.close();
});

describe('an apply interrupted by killing the gateway', () => {
  it('leaves all or nothing, and the next apply converges', async () => {
    const first = await startGateway({ overrides: storage });
    gw = first;
    const r = await killingRelay(new URL(first.url));
    relay = r.server;
    const cut = await switchyard(['policy', 'apply', bigFile, '--url', r.url], {
      SWITCHYARD_ADMIN_TOKEN: first.adminToken,
      ...secrets,
    });
    expect(r.killed()).toBe(true);
    expect(cut.code).toBe(1);
    expect(cut.err).toContain('apply (written all or nothing; run plan to see which) failed');
    await first.close().catch(() => undefined);
    gw = undefined;

    // Same storage, same key-encryption key (fingerprints of upstream secrets depend on it).
    const second = await startGateway({ overrides: storage, bindings: { SWITCHYARD_KEK: first.kek } });
    gw = second;
    const env = { SWITCHYARD_URL: second.url, SWITCHYARD_ADMIN_TOKEN: second.adminToken, ...secrets };
    const db = await second.d1();
    const { results } = await db.prepare('SELECT count(*) AS n FROM accounts').all<{ n: number }>();
    expect([0, accounts + 1]).toContain(results[0]?.n);

    const plan = await switchyard(['policy', 'plan', bigFile], env);
    const creates = plan.out.split('\n').filter((l) => l.startsWith('  + account ')).length;
    expect(creates).toBe(results[0]?.n === 0 ? accounts + 1 : 0);
    const apply = await switchyard(['policy', 'apply', bigFile], env);
    expect(apply.code).toBe(0);
    const again = await switchyard(['policy', 'plan', bigFile], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No changes');
  }, 120_000);
});
