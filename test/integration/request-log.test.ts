// The request log API (analytics) against the real Worker and D1: scoping to the caller's subtree, every
// filter checked against the same filter written in plain TypeScript over the seeded events, keyset
// paging with no duplicates or gaps (also while new events arrive), CSV and NDJSON export, and the
// detail with names, last 4, the applied price and the retention period.
//
// Accounts: a (root) → b → d, and a → c. Under c, 45 extra account paths make the whole tree too
// wide for the per-path plan, so the root's queries take the scan plan and b's (9 paths: d has 7
// more under it) the per-path plan: every filter runs through both.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportRequests } from '../../src/analytics/request-export';
import { database } from '../../src/db/client';
import { writeUsage } from '../../src/usage/consumer';
import type { UsageRecord } from '../../src/usage/record';
import { applyPolicy, newKey } from './helpers';
import { bearer, type Caller, errorOf, ok, root, treePolicy } from './tenancy-helpers';
import { usageRecord } from './usage-fixtures';

const T = Date.parse('2026-10-01T00:00:00Z');
const RANGE = `from=2026-09-30T00:00:00Z&to=2026-10-03T00:00:00Z`;
const UPSTREAM_SECRET = 'sk-test-request-log-WXYZ';
const paths = { a: '/a/', b: '/a/b/', c: '/a/c/', d: '/a/b/d/' } as const;
type Account = keyof typeof paths;
const accountsInOrder: Account[] = ['a', 'b', 'c', 'd'];

function seeded(i: number): UsageRecord {
  const account = accountsInOrder[i % 4] as Account;
  const model = ['gpt-x', 'claude-y', 'gem-z'][i % 3] as string;
  const status = i % 7 === 0 ? 500 : i % 5 === 0 ? 429 : 200;
  const provider = i % 2 ? 'openai' : 'mock';
  return usageRecord(`rl-${String(i).padStart(3, '0')}`, {
    accountId: account,
    accountPath: paths[account],
    keyId: i % 9 === 0 ? null : `key-${account}`,
    // Three events per millisecond: the request id breaks the ties.
    ts: T + Math.floor(i / 3) * 60_000,
    day: '2026-10-01',
    clientProtocol: (['openai', 'anthropic', 'gemini'] as const)[(i >> 1) % 3],
    provider,
    modelRequested: i % 5 === 0 ? 'alias-fast' : model,
    model,
    level: provider === 'openai' ? 2 : 1,
    upstreamKeyId: provider === 'openai' ? 'up-openai' : 'mock-1',
    status,
    errorCode: status === 200 ? null : status === 429 ? 'rate_limited' : 'upstream_error',
    estimated: i % 6 === 0,
    unpriced: i % 8 === 0,
    costMicros: i * 100,
    latencyMs: 10 + i * 7,
  });
}

const events = Array.from({ length: 60 }, (_, i) => seeded(i));
/** Traffic on 45 more paths under c, a day later, so the whole tree has too many for per-path. */
const wide = Array.from({ length: 45 }, (_, i) =>
  usageRecord(`rl-wide-${String(i).padStart(2, '0')}`, {
    accountId: `cx${i}`,
    accountPath: `/a/c/cx${i}/`,
    keyId: null,
    ts: T + 86_400_000 + i * 1000,
    day: '2026-10-02',
  }),
);
/** 7 more paths under d, so b's per-path plan has 9 branches: more than one compound SELECT holds. */
const deep = Array.from({ length: 21 }, (_, i) => {
  const r = seeded(60 + i);
  return {
    ...r,
    requestId: `rl-deep-${String(i).padStart(2, '0')}`,
    accountId: `dx${i % 7}`,
    keyId: null,
    accountPath: `/a/b/d/dx${i % 7}/`,
  };
});
const all = [...events, ...deep, ...wide];
const newestFirst = (rs: UsageRecord[]) =>
  [...rs]
    .sort((x, y) => y['ts'] - x['ts'] || (y['requestId'] < x['requestId'] ? -1 : 1))
    .map((r) => r['requestId']);

const callers = {} as Record<'b' | 'c' | 'd', Caller>;

beforeAll(async () => {
  const policy = treePolicy({
    levels: [
      { id: 1, name: 'mock', keys: [{ id: 'mock-1', provider: 'mock' }] },
      { id: 2, name: 'openai', keys: [{ id: 'up-openai', provider: 'openai', key_env: 'UP_OPENAI' }] },
    ],
    gateway_keys: accountsInOrder.map((a) => ({
      id: `key-${a}`,
      account: a,
      name: `${a.toUpperCase()} key`,
      key_env: `KEY_${a.toUpperCase()}`,
    })),
    prices: [
      { model: 'gpt-x', effective_from: '2026-01-01', input: '1', output: '2' },
      { model: 'gpt-x', effective_from: '2026-12-01', input: '9', output: '9' },
      {
        model: 'gpt-x',
        account: 'b',
        effective_from: '2026-06-01',
        input: '0.5',
        output: '1.5',
        markup_bps: 1000,
      },
    ],
  });
  await applyPolicy(policy, {
    gatewayKeys: Object.fromEntries(accountsInOrder.map((a) => [`key-${a}`, newKey()])),
    upstreamKeys: { 'up-openai': UPSTREAM_SECRET },
  });
  await writeUsage(env.DB, all);
  for (const a of ['b', 'c', 'd'] as const) {
    const { token } = await ok<{ token: string }>(
      root.send(`/admin/v1/accounts/${a}/tokens`, {
        method: 'POST',
        json: { name: 'log', scopes: ['usage:read'] },
      }),
      201,
    );
    callers[a] = bearer(token, a);
  }
});

interface Page {
  data: Record<string, unknown>[];
  next_cursor: string | null;
}

/** Every page of a query, following next_cursor. */
async function allPages(caller: Caller, query: string, limit = 7): Promise<Page['data']> {
  const out: Page['data'] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 100; n++) {
    const page: Page = await ok<Page>(
      caller.send(`/admin/v1/requests?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`),
    );
    expect(page.data.length).toBeLessThanOrEqual(limit);
    out.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('more than 100 pages');
}

/** The body as UTF-8 (Response.text() warns about non-text content types such as NDJSON). */
const bodyText = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

const ids = (rows: Page['data']) => rows.map((r) => r['request_id']);
const within = (path: string) => all.filter((r) => r.accountPath.startsWith(path));

describe('request log scoping', () => {
  it("lists the caller's subtree only, newest first", async () => {
    expect(ids(await allPages(root, RANGE))).toEqual(newestFirst(all));
    expect(ids(await allPages(callers.b, RANGE))).toEqual(newestFirst(within('/a/b/')));
    expect(ids(await allPages(callers.d, RANGE))).toEqual(newestFirst(within('/a/b/d/')));
    expect(ids(await allPages(callers.b, `${RANGE}&account=d`))).toEqual(newestFirst(within('/a/b/d/')));
    expect(ids(await allPages(callers.c, RANGE))).toEqual(newestFirst(within('/a/c/')));
  });

  it('answers 404 for an account outside the subtree, exactly as for a missing one', async () => {
    const sibling = await errorOf(callers.b.send(`/admin/v1/requests?${RANGE}&account=c`));
    const parent = await errorOf(callers.d.send(`/admin/v1/requests?${RANGE}&account=b`));
    const missing = await errorOf(callers.b.send(`/admin/v1/requests?${RANGE}&account=zz`));
    for (const e of [sibling, parent, missing])
      expect(e).toMatchObject({ status: 404, code: 'account_not_found' });
  });

  it("answers 404 for another tenant's request, exactly as for a missing one", async () => {
    const ofC = events.find((e) => e['accountId'] === 'c') as UsageRecord;
    const ofB = events.find((e) => e['accountId'] === 'b') as UsageRecord;
    const other = await errorOf(callers.b.send(`/admin/v1/requests/${ofC['requestId']}`));
    const above = await errorOf(callers.d.send(`/admin/v1/requests/${ofB['requestId']}`));
    const missing = await errorOf(callers.b.send('/admin/v1/requests/rl-nope'));
    for (const e of [other, above, missing])
      expect(e).toMatchObject({ status: 404, code: 'request_not_found' });
    expect(other.message.replace(ofC['requestId'], '?')).toBe(missing.message.replace('rl-nope', '?'));
    // Nor does the request_id filter see across the boundary.
    expect(
      (await ok<Page>(callers.b.send(`/admin/v1/requests?${RANGE}&request_id=${ofC['requestId']}`))).data,
    ).toEqual([]);
    await ok(callers.c.send(`/admin/v1/requests/${ofC['requestId']}`));
  });

  it('shows nothing of a key outside the subtree (the same as a key that does not exist)', async () => {
    expect((await ok<Page>(callers.b.send(`/admin/v1/requests?${RANGE}&key=key-c`))).data).toEqual([]);
    expect((await ok<Page>(callers.b.send(`/admin/v1/requests?${RANGE}&key=key-zz`))).data).toEqual([]);
  });
});

const filters: [string, (r: UsageRecord) => boolean][] = [
  ['key=key-b', (r) => r['keyId'] === 'key-b'],
  ['model=claude-y', (r) => r['model'] === 'claude-y' || r['modelRequested'] === 'claude-y'],
  ['model=alias-fast', (r) => r['model'] === 'alias-fast' || r['modelRequested'] === 'alias-fast'],
  ['status=2xx', (r) => r['status'] >= 200 && r['status'] < 300],
  ['status=4xx', (r) => r['status'] >= 400 && r['status'] < 500],
  ['status=5xx', (r) => r['status'] >= 500 && r['status'] < 600],
  ['status=error', (r) => r['status'] >= 400],
  ['protocol=anthropic', (r) => r['clientProtocol'] === 'anthropic'],
  ['provider=openai', (r) => r['provider'] === 'openai'],
  ['level=2', (r) => r['level'] === 2],
  ['estimated=true', (r) => r['estimated']],
  ['estimated=false', (r) => !r['estimated']],
  ['unpriced=true', (r) => r['unpriced']],
  ['unpriced=false', (r) => !r['unpriced']],
  ['min_cost=3000', (r) => r['costMicros'] >= 3000],
  ['min_latency=200', (r) => r['latencyMs'] >= 200],
  ['request_id=rl-013', (r) => r['requestId'] === 'rl-013'],
  [
    'from=2026-10-01T00:10:00Z&to=2026-10-01T00:15:00Z',
    (r) => r['ts'] >= T + 600_000 && r['ts'] < T + 900_000,
  ],
  ['from=2026-10-02&to=2026-10-03', (r) => r['ts'] >= T + 86_400_000 && r['ts'] < T + 2 * 86_400_000],
  [
    'status=error&provider=openai&min_latency=100',
    (r) => r['status'] >= 400 && r['provider'] === 'openai' && r['latencyMs'] >= 100,
  ],
];

describe('request log filters', () => {
  const scopes: [string, string][] = [
    ['the root (scan plan)', '/a/'],
    ['b (per-path plan)', '/a/b/'],
  ];
  for (const [label, path] of scopes) {
    it.each(filters)(`${label}: %s`, async (filter, keep) => {
      const caller = path === '/a/' ? root : callers.b;
      const query = filter.startsWith('from=') ? filter : `${RANGE}&${filter}`;
      const want = newestFirst(within(path).filter(keep));
      // Every filter must select something in some scope, and not everything: else it proves nothing.
      expect(newestFirst(all.filter(keep)).length).toBeGreaterThan(0);
      expect(newestFirst(all.filter(keep)).length).toBeLessThan(all.length);
      expect(ids(await allPages(caller, query, 4))).toEqual(want);
    });
  }

  it('defaults to the last 24 hours', async () => {
    const at = (ts: number) => ({
      accountId: 'd',
      accountPath: '/a/b/d/',
      ts,
      day: new Date(ts).toISOString().slice(0, 10),
    });
    const recent = usageRecord('rl-recent', at(Date.now() - 60_000));
    const old = usageRecord('rl-old', at(Date.now() - 25 * 3_600_000));
    await writeUsage(env.DB, [recent, old]);
    expect(ids((await ok<Page>(callers.d.send('/admin/v1/requests'))).data)).toEqual(['rl-recent']);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const bad: [string, string][] = [
      ['from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z', 'from'],
      ['from=yesterday', 'from'],
      ['limit=501', 'limit'],
      ['limit=0', 'limit'],
      ['status=3xx', 'status'],
      ['estimated=yes', 'estimated'],
      ['min_cost=-1', 'min_cost'],
      ['level=x', 'level'],
      ['protocol=smtp', 'protocol'],
      ['format=xml', 'format'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ];
    for (const [query, param] of bad) {
      const e = await errorOf(root.send(`/admin/v1/requests?${query}`));
      expect({ query, status: e.status, param: e.param }).toEqual({ query, status: 400, param });
    }
  });
});

describe('request log paging', () => {
  it('pages without duplicates or gaps while newer events arrive', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const page: Page = await ok<Page>(
        callers.b.send(`/admin/v1/requests?${RANGE}&limit=5${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...(ids(page.data) as string[]));
      cursor = page.next_cursor;
      // A newer event for b arrives between pages (the live log's situation).
      await writeUsage(env.DB, [
        usageRecord(`rl-live-${n++}`, { accountId: 'b', accountPath: '/a/b/', ts: T + 2 * 86_400_000 - n }),
      ]);
    } while (cursor);
    expect(seen).toEqual(newestFirst(within('/a/b/')));
    expect(new Set(seen).size).toBe(seen.length);
    const again = ids(await allPages(callers.b, RANGE, 500));
    expect(again.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => `rl-live-${i}`));
  });
});

describe('request log export', () => {
  const query = `${RANGE}&account=b&status=error`;
  const want = () =>
    newestFirst(within('/a/b/').filter((r) => r.status >= 400 && !r.requestId.startsWith('rl-live')));

  it('streams CSV with every column, as an attachment', async () => {
    const res = await callers.b.send(`/admin/v1/requests?${query}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="switchyard-requests-.*\.csv"$/,
    );
    const lines = (await bodyText(res)).split('\r\n');
    expect(lines.pop()).toBe('');
    const header = (lines.shift() ?? '').split(',');
    expect(header).toContain('request_id');
    expect(header).toHaveLength(32);
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows.map((r) => r.request_id)).toEqual(want());
    const first = all.find((e) => e.requestId === rows[0]?.request_id) as UsageRecord;
    expect(rows[0]).toMatchObject({
      account_path: first['accountPath'],
      status: String(first['status']),
      estimated: String(first['estimated']),
      cost_micros: String(first['costMicros']),
      key_id: first['keyId'] ?? '',
    });
  });

  it('streams NDJSON, one event per line, the same objects as the JSON pages', async () => {
    const res = await callers.b.send(`/admin/v1/requests?${query}&format=ndjson`);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toMatch(/\.ndjson"$/);
    const rows = (await bodyText(res))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r['request_id'])).toEqual(want());
    expect(rows).toEqual(await allPages(callers.b, query, 500));
  });

  it('pages internally past 500 rows', async () => {
    const bulk = Array.from({ length: 1234 }, (_, i) =>
      usageRecord(`rl-bulk-${String(i).padStart(4, '0')}`, {
        accountId: 'd',
        accountPath: '/a/b/d/',
        ts: T + 5 * 86_400_000 + Math.floor(i / 2),
        day: '2026-10-06',
      }),
    );
    await writeUsage(env.DB, bulk);
    const res = await callers.d.send('/admin/v1/requests?from=2026-10-06&to=2026-10-07&format=ndjson');
    const got = (await bodyText(res))
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { request_id: string }).request_id);
    expect(got).toEqual(newestFirst(bulk));
  });

  it('breaks the stream past the row cap rather than end as if complete', async () => {
    const ctx = {
      db: database(env.DB),
      actor: { type: 'bootstrap', id: null, accountId: 'a', accountPath: '/a/', role: null, scopes: 'all' },
      now: Date.now(),
      ip: null,
      requestId: 'req_test',
    } as const;
    const q = { from: '2026-10-01T00:00:00Z', to: '2026-10-01T00:03:00Z' };
    // 9 events in those three minutes (three per minute).
    const read = async (maxRows: number) =>
      bodyText(new Response((await exportRequests(ctx, q, 'UTC', 'ndjson', maxRows)).body));
    expect((await read(9)).trimEnd().split('\n')).toHaveLength(9);
    await expect(read(8)).rejects.toThrow('export stopped at 8 rows; narrow the time range');
  });

  it('refuses a bad filter before streaming', async () => {
    const e = await errorOf(callers.b.send(`/admin/v1/requests?${RANGE}&account=c&format=csv`));
    expect(e).toMatchObject({ status: 404, code: 'account_not_found' });
  });
});

describe('request detail', () => {
  it('shows names, the upstream last 4 and provider kind, the price that applied, the retention', async () => {
    // A gpt-x request of d (under b) through the openai key: b's override applies on 2026-10-01.
    const e = events.find(
      (r) => r['accountId'] === 'd' && r['model'] === 'gpt-x' && r['provider'] === 'openai' && r['keyId'],
    );
    if (!e) throw new Error('fixture has no such event');
    const res = await callers.b.send(`/admin/v1/requests/${e['requestId']}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(UPSTREAM_SECRET);
    const detail = JSON.parse(text) as Record<string, unknown>;
    expect(detail).toMatchObject({
      request_id: e['requestId'],
      account_id: 'd',
      account_path: '/a/b/d/',
      account_name: 'D',
      key_id: 'key-d',
      key_name: 'D key',
      upstream_key_id: 'up-openai',
      upstream_key_last4: 'WXYZ',
      upstream_protocol: 'openai',
      client_protocol: e['clientProtocol'],
      level: 2,
      ts: e['ts'],
      cost_micros: e['costMicros'],
      latency_ms: e['latencyMs'],
      ttft_ms: e['ttftMs'],
      retries: 0,
      switched_over: false,
      stream: false,
      retention_days: 90,
      price: expect.objectContaining({
        model: 'gpt-x',
        account_id: 'b',
        effective_from: '2026-06-01',
        input: '0.5',
        output: '1.5',
        markup_bps: 1000,
      }),
    });
    expect(detail['key_prefix']).toMatch(/^sy_test_/);
    // The list row is the detail without the extra fields.
    const [row] = (await ok<Page>(callers.b.send(`/admin/v1/requests?${RANGE}&request_id=${e['requestId']}`)))
      .data;
    const {
      account_name,
      key_name,
      key_prefix,
      upstream_key_last4,
      upstream_protocol,
      price,
      retention_days,
      ...rest
    } = detail;
    expect(row).toEqual(rest);
  });

  it('shows the global price where no override applies, and no price for an unknown model', async () => {
    const ofC = events.find((r) => r['accountId'] === 'c' && r['model'] === 'gpt-x') as UsageRecord;
    const priced = await ok<{ price: Record<string, unknown> | null; key_name: string | null }>(
      callers.c.send(`/admin/v1/requests/${ofC['requestId']}`),
    );
    expect(priced.price).toMatchObject({
      account_id: null,
      effective_from: '2026-01-01',
      input: '1',
      output: '2',
    });
    const ofClaude = events.find((r) => r['accountId'] === 'c' && r['model'] === 'claude-y') as UsageRecord;
    const unpriced = await ok<{ price: unknown; upstream_key_last4: unknown }>(
      callers.c.send(`/admin/v1/requests/${ofClaude['requestId']}`),
    );
    expect(unpriced.price).toBeNull();
  });

  it('is in the OpenAPI document with real schemas', async () => {
    const doc = await ok<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>(root.send('/admin/v1/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/admin/v1/requests', '/admin/v1/requests/{request_id}']),
    );
    expect(Object.keys(doc.components.schemas['RequestEvent']?.properties ?? {})).toHaveLength(32);
    // The detail is the event (a $ref) and its extra fields.
    const detail = doc.components.schemas['RequestDetail'] as {
      allOf: { $ref?: string; properties?: object }[];
    };
    expect(detail.allOf[0]).toEqual({ $ref: '#/components/schemas/RequestEvent' });
    expect(Object.keys(detail.allOf[1]?.properties ?? {})).toEqual([
      'account_name',
      'key_name',
      'key_prefix',
      'upstream_key_last4',
      'upstream_protocol',
      'price',
      'retention_days',
    ]);
    expect(JSON.stringify(detail.allOf[1])).toContain(
      '"anyOf":[{"$ref":"#/components/schemas/Price"},{"type":"null"}]',
    );
  });
});
