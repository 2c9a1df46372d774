// `npm run bench:requests` (also the last part of `npm run bench`): the request log's latency at a
// million usage events. The gateway (real bundle on workerd through Miniflare, real local D1) gets
// a tree of 1 root → 10 teams → 10 users each, plus one "wide" team of 45 users with little
// traffic; D1 is filled with BENCH_EVENTS events (default 1,000,000) over the last 7 days with
// INSERT … WITH RECURSIVE, and the daily rollups from them. Then each case's page is fetched over
// HTTP with the bootstrap token, BENCH_REQUESTS_ITERATIONS times (default 30) after 3 warm-ups, and
// p50/p95 are printed and written to .bench/requests.json. No timed assertions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startGateway } from '../harness/gateway';
import { applyPolicy } from '../harness/seed';

const positiveInt = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};
const EVENTS = positiveInt('BENCH_EVENTS', 1_000_000);
const ITERATIONS = positiveInt('BENCH_REQUESTS_ITERATIONS', 30);
const TEAMS = 10;
const USERS_PER_TEAM = 10;
const USERS = TEAMS * USERS_PER_TEAM;
const WIDE_USERS = 45;
/** One event every SPACING_MS, newest first from now: 1 M events cover about 7 days. */
const SPACING_MS = Math.max(1, Math.floor((7 * 86_400_000) / EVENTS));
const CHUNK = 100_000;

const userPath = (u: string) => `'/bench/t' || (${u} / ${USERS_PER_TEAM}) || '/u' || ${u} || '/'`;

/** Rows n in [lo, hi): user n % 100 (one in 2,000 goes to the wide team), 3 models, 3% errors. */
function fillStatement(lo: number, hi: number, now: number): string {
  return `WITH RECURSIVE seq(n) AS (SELECT ${lo} UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ${hi})
INSERT INTO usage_events (request_id, account_id, account_path, key_id, day, ts, endpoint, client_protocol,
  provider, model_requested, model, level, upstream_key_id, status, error_code, stream, prompt_tokens,
  completion_tokens, cost_micros, estimated, unpriced, latency_ms, ttft_ms, retries, switched_over)
SELECT printf('req_%09d', n),
  CASE WHEN n % 2000 = 7 THEN 'w' || (n / 2000 % ${WIDE_USERS}) ELSE 'u' || (n % ${USERS}) END,
  CASE WHEN n % 2000 = 7 THEN '/bench/wide/w' || (n / 2000 % ${WIDE_USERS}) || '/' ELSE ${userPath(`(n % ${USERS})`)} END,
  'key-u' || (n % ${USERS}),
  strftime('%Y-%m-%d', (${now} - n * ${SPACING_MS}) / 1000, 'unixepoch'),
  ${now} - n * ${SPACING_MS},
  '/v1/chat/completions',
  CASE n % 3 WHEN 0 THEN 'openai' WHEN 1 THEN 'anthropic' ELSE 'gemini' END,
  'openai',
  CASE n % 3 WHEN 0 THEN 'gpt-4o-mini' WHEN 1 THEN 'claude-haiku' ELSE 'gemini-flash' END,
  CASE n % 3 WHEN 0 THEN 'gpt-4o-mini' WHEN 1 THEN 'claude-haiku' ELSE 'gemini-flash' END,
  1, 'bench-1',
  CASE WHEN n % 101 = 3 THEN 500 WHEN n % 53 = 1 THEN 429 ELSE 200 END,
  CASE WHEN n % 101 = 3 THEN 'upstream_error' WHEN n % 53 = 1 THEN 'rate_limited' ELSE NULL END,
  n % 2, 100 + n % 900, 10 + n % 400, n % 5000, n % 97 = 0, 0, 50 + n % 3000, 20 + n % 500, 0, 0
FROM seq`;
}

const ROLLUPS = `INSERT INTO usage_daily (account_id, day, model, account_path, requests, errors, prompt_tokens,
  completion_tokens, cost_micros, estimated_requests)
SELECT account_id, day, model, MAX(account_path), COUNT(*), SUM(status >= 400), SUM(prompt_tokens),
  SUM(completion_tokens), SUM(cost_micros), SUM(estimated)
FROM usage_events GROUP BY account_id, day, model`;

interface Page {
  data: { request_id: string; ts: number }[];
  next_cursor: string | null;
}

interface Case {
  name: string;
  plan: string;
  query: string;
  /** Another admin path instead of /admin/v1/requests. */
  path?: string;
  /** Follow next_cursor this many pages first, then measure the page there. */
  depth?: number;
}

const cases: Case[] = [
  // What every admin call costs here (HTTP, credentials checked in D1): the floor of the others.
  { name: 'baseline: GET /auth/me', plan: '-', query: '', path: '/admin/v1/auth/me' },
  { name: 'root, first page (24 h, 50 rows)', plan: 'scan', query: '' },
  { name: 'root, filtered (status=error, model)', plan: 'scan', query: 'status=error&model=claude-haiku' },
  { name: 'root, page 200 (rows 10,000–10,050)', plan: 'scan', query: '', depth: 200 },
  { name: 'team (10 paths), first page', plan: 'paths', query: 'account=t3' },
  {
    name: 'team, filtered (status=5xx, min_latency)',
    plan: 'paths',
    query: 'account=t3&status=5xx&min_latency=1000',
  },
  { name: 'team, page 100 (rows 5,000–5,050)', plan: 'paths', query: 'account=t3', depth: 100 },
  { name: 'user, first page', plan: 'paths', query: 'account=u42' },
  { name: 'user, page 20', plan: 'paths', query: 'account=u42', depth: 20 },
  { name: 'key, first page', plan: 'key', query: 'key=key-u42' },
  { name: 'key, 7 days, page 50', plan: 'key', query: 'key=key-u42&from=@week', depth: 50 },
  { name: 'request_id', plan: 'request', query: 'request_id=req_000123456' },
  {
    name: 'wide sparse team (45 paths, 0.05% of traffic)',
    plan: 'scan',
    query: 'account=wide',
  },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg();
  const gw = await startGateway({ overrides: { assets: undefined } });
  try {
    const users = Array.from({ length: USERS }, (_, u) => ({
      id: `u${u}`,
      parent: `t${Math.floor(u / USERS_PER_TEAM)}`,
      name: `User ${u}`,
    }));
    await applyPolicy(
      gw,
      {
        version: 1,
        accounts: [
          { id: 'bench', name: 'Bench', kind: 'org', timezone: 'UTC' },
          ...Array.from({ length: TEAMS }, (_, t) => ({ id: `t${t}`, parent: 'bench', name: `Team ${t}` })),
          ...users,
          { id: 'wide', parent: 'bench', name: 'Wide' },
          ...Array.from({ length: WIDE_USERS }, (_, w) => ({
            id: `w${w}`,
            parent: 'wide',
            name: `Wide ${w}`,
          })),
        ],
      },
      {},
    );
    const db = await gw.d1();
    const now = Date.now();
    const fillStart = Date.now();
    for (let lo = 0; lo < EVENTS; lo += CHUNK)
      await db
        .prepare(fillStatement(lo, Math.min(EVENTS, lo + CHUNK), now))
        .bind()
        .run();
    await db.prepare(ROLLUPS).bind().run();
    const fillSeconds = (Date.now() - fillStart) / 1000;
    const [count] = (await db.prepare('SELECT count(*) AS n FROM usage_events').all<{ n: number }>()).results;
    console.log(
      `bench:requests: ${count?.n} events in ${fillSeconds.toFixed(1)} s; load average ${loadavg()[0]?.toFixed(2)} on ${cpus().length} CPUs`,
    );

    const headers = { authorization: `Bearer ${gw.adminToken}` };
    const week = new Date(now - 7 * 86_400_000).toISOString();
    const get = async (query: string, path = '/admin/v1/requests'): Promise<Page> => {
      const res = await fetch(`${gw.url}${path}?${query.replace('@week', week)}`, { headers });
      if (res.status !== 200) throw new Error(`${query}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Page;
    };
    const results = [];
    for (const c of cases) {
      let query = c.query;
      for (let i = 0; i < (c.depth ?? 0); i++) {
        const page = await get(query);
        if (!page.next_cursor) throw new Error(`${c.name}: ran out of pages at ${i}`);
        query = `${c.query}${c.query ? '&' : ''}cursor=${page.next_cursor}`;
      }
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 3 + ITERATIONS; i++) {
        const t0 = performance.now();
        const page = await get(query, c.path);
        const ms = performance.now() - t0;
        rows = page.data?.length ?? 0;
        if (i >= 3) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const r = {
        case: c.name,
        plan: c.plan,
        rows,
        p50Ms: Math.round(percentile(times, 50) * 10) / 10,
        p95Ms: Math.round(percentile(times, 95) * 10) / 10,
      };
      results.push(r);
      console.log(
        `bench:requests: ${r.case.padEnd(48)} ${r.plan.padEnd(8)} ${String(r.rows).padStart(3)} rows  p50 ${String(r.p50Ms).padStart(7)} ms  p95 ${String(r.p95Ms).padStart(7)} ms`,
      );
    }

    // Export throughput: a team's last 24 hours as CSV, streamed.
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/admin/v1/requests?account=t3&format=csv`, { headers });
    const csv = await res.text();
    const exportMs = performance.now() - t0;
    const exportRows = csv.split('\r\n').length - 2;
    console.log(
      `bench:requests: CSV export of a team's 24 h: ${exportRows} rows in ${Math.round(exportMs)} ms (${Math.round(exportRows / (exportMs / 1000))} rows/s)`,
    );

    const out = join(repoRoot, '.bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'requests.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? null,
          events: count?.n,
          fillSeconds,
          iterations: ITERATIONS,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadavg(),
          results,
          export: { rows: exportRows, ms: Math.round(exportMs) },
          wallSeconds: (Date.now() - started) / 1000,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`bench:requests: wrote ${join(out, 'requests.json')}`);
  } finally {
    await gw.close();
  }
}

await main();
