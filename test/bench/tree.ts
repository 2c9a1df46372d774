// `npx tsx test/bench/tree.ts`: the console's tree endpoints with a wide tree. The gateway (real
// bundle on workerd through Miniflare, real local D1) gets a root with one department of
// BENCH_TREE_CHILDREN children (default 5,000), each with a policy and today's usage rollup rows
// (inserted with INSERT … WITH RECURSIVE). Then each case is fetched over HTTP with the bootstrap
// token BENCH_TREE_ITERATIONS times (default 30) after 3 warm-ups; p50/p95 are printed and written
// to .bench/tree.json. No timed assertions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startGateway } from '../harness/gateway';
import { applyPolicy } from '../harness/seed';

const positiveInt = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};
const CHILDREN = positiveInt('BENCH_TREE_CHILDREN', 5_000);
const ITERATIONS = positiveInt('BENCH_TREE_ITERATIONS', 30);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const gw = await startGateway({ overrides: { assets: undefined } });
  try {
    await applyPolicy(
      gw,
      {
        version: 1,
        accounts: [
          {
            id: 'root',
            name: 'Root',
            timezone: 'UTC',
            policy: { limits: { rpm: 10_000, daily_budget: '1000' } },
          },
          { id: 'big', parent: 'root', name: 'Big department', policy: { limits: { rpm: 5_000 } } },
        ],
      },
      {},
    );
    const db = await gw.d1();
    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${CHILDREN})`;
    await db
      .prepare(
        `${seq} INSERT INTO accounts (id, parent_id, path, depth, name, status, kind, config_version, created_at, updated_at)
         SELECT 'c' || n, 'big', '/root/big/c' || n || '/', 2, printf('Team %05d', n), 'active', 'team', 1, ${now}, ${now} FROM seq`,
      )
      .bind()
      .run();
    await db
      .prepare(
        `${seq} INSERT INTO policies (account_id, body, updated_at)
         SELECT 'c' || n, '{"limits":{"rpd":1000,"daily_budget":"5"}}', ${now} FROM seq`,
      )
      .bind()
      .run();
    await db
      .prepare(
        `${seq} INSERT INTO usage_daily (account_id, day, model, account_path, requests, prompt_tokens, completion_tokens, cost_micros)
         SELECT 'c' || n, '${today}', 'mock-small', '/root/big/c' || n || '/', n % 50, 100, 200, (n % 50) * 37 FROM seq`,
      )
      .bind()
      .run();
    const get = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${gw.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ next_cursor?: string | null }>;
    };
    let cursor = '';
    for (let i = 0; i < 40; i++)
      cursor =
        (await get(`/admin/v1/accounts/big/tree?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).next_cursor ??
        '';
    const cases: { name: string; run: () => Promise<unknown> }[] = [
      { name: 'baseline: GET /auth/me', run: () => get('/admin/v1/auth/me') },
      {
        name: `tree: first page of ${CHILDREN} children (50)`,
        run: () => get('/admin/v1/accounts/big/tree?limit=50'),
      },
      {
        name: 'tree: first page, 1 child (the fixed cost)',
        run: () => get('/admin/v1/accounts/big/tree?limit=1'),
      },
      {
        name: 'tree: page 41 (by cursor)',
        run: () => get(`/admin/v1/accounts/big/tree?limit=50&cursor=${cursor}`),
      },
      {
        name: 'tree: search "team 0123" in the subtree',
        run: () => get('/admin/v1/accounts/root/tree?q=team%200123'),
      },
      {
        name: 'tree: search "team" (50 of 5,000 matches)',
        run: () => get('/admin/v1/accounts/root/tree?q=team'),
      },
      {
        name: 'policy preview of the department (500 descendants checked)',
        run: () =>
          get('/admin/v1/accounts/big/policy/preview', {
            method: 'POST',
            body: JSON.stringify({ limits: { rpm: 100 } }),
          }),
      },
    ];
    const results: { name: string; p50: number; p95: number }[] = [];
    for (const c of cases) {
      for (let i = 0; i < 3; i++) await c.run();
      const times: number[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const t0 = performance.now();
        await c.run();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const r = {
        name: c.name,
        p50: Math.round(percentile(times, 50)),
        p95: Math.round(percentile(times, 95)),
      };
      results.push(r);
      console.log(
        `${r.name.padEnd(62)} p50 ${String(r.p50).padStart(4)} ms  p95 ${String(r.p95).padStart(4)} ms`,
      );
    }
    mkdirSync(join(repoRoot, '.bench'), { recursive: true });
    writeFileSync(
      join(repoRoot, '.bench/tree.json'),
      JSON.stringify({ children: CHILDREN, iterations: ITERATIONS, results }, null, 2),
    );
  } finally {
    await gw.close();
  }
}

await main();
