// The analytics views over the admin API (analytics): scoped to a subtree, served from rollups, CSV too.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeUsage } from '../../src/usage/consumer';
import type { UsageRecord } from '../../src/usage/record';
import { ADMIN_TOKEN, applyPolicy, call } from './helpers';
import { usageRecord } from './usage-fixtures';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function record(
  n: number,
  accountId: string,
  day: string,
  model: string,
  costMicros: number,
  promptTokens = 100,
  cachedReadTokens = 0,
): UsageRecord {
  return usageRecord(`an-${n}`, {
    accountId,
    accountPath: `/an-org/${accountId}/`,
    ts: Date.parse(`${day}T12:00:00Z`),
    day,
    modelRequested: model,
    model,
    promptTokens,
    completionTokens: 10,
    cachedReadTokens,
    costMicros,
    latencyMs: 5,
    ttftMs: 1,
  });
}

beforeAll(async () => {
  await applyPolicy({
    version: 1,
    accounts: [
      { id: 'an-org', name: 'Org', policy: { limits: { rpd: 1000 } } },
      { id: 'an-a', parent: 'an-org', name: 'A', policy: { limits: { tpd: 5000, daily_budget: '0.01' } } },
      { id: 'an-b', parent: 'an-org', name: 'B' },
    ],
  });
  await writeUsage(env.DB, [
    record(1, 'an-a', '2026-10-01', 'gpt-x', 3_000, 100, 40),
    record(2, 'an-a', '2026-10-01', 'gpt-x', 3_000, 100, 60),
    record(3, 'an-a', '2026-10-02', 'claude-y', 1_000),
    record(4, 'an-b', '2026-10-02', 'claude-y', 2_000),
    record(5, 'an-b', '2026-09-20', 'claude-y', 99_000),
  ]);
});

const view = async (path: string) => {
  const res = await call(`/admin/v1/analytics/${path}`, { headers: admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Record<string, unknown>[] }).data;
};

describe('analytics API', () => {
  it('totals and ranks a subtree within the date range', async () => {
    const [t] = await view('totals?account=an-org&from=2026-10-01&to=2026-10-02');
    expect(t).toMatchObject({ requests: 4, costMicros: 9_000, cachedReadTokens: 100 });
    const ranking = await view('ranking?account=an-org&from=2026-10-01&to=2026-10-02');
    expect(ranking).toEqual([
      { accountId: 'an-a', requests: 3, costMicros: 7_000, share: 0.7778, dominantModel: 'gpt-x' },
      { accountId: 'an-b', requests: 1, costMicros: 2_000, share: 0.2222, dominantModel: 'claude-y' },
    ]);
    const billing = await view('billing?account=an-a&from=2026-10-01&to=2026-10-01');
    expect(billing).toEqual([
      expect.objectContaining({
        day: '2026-10-01',
        cachedReadTokens: 100,
        promptTokens: 200,
        cacheShare: 0.5,
      }),
    ]);
  });

  it("exports CSV, and answers 404 outside the caller's subtree", async () => {
    const res = await call(
      '/admin/v1/analytics/models?account=an-org&from=2026-10-01&to=2026-10-02&format=csv',
      { headers: admin },
    );
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(await res.text()).toBe(
      'model,requests,costMicros,costShare,requestShare\r\ngpt-x,2,6000,0.6667,0.5\r\nclaude-y,2,3000,0.3333,0.5\r\n',
    );
    expect((await call('/admin/v1/analytics/totals?account=nobody', { headers: admin })).status).toBe(404);
    expect((await call('/admin/v1/analytics/nope', { headers: admin })).status).toBe(400);
  });

  it("shows today's quota status: limits on the chain, allowance, add-on, cards and balance", async () => {
    const send = (path: string, json: unknown) => call(path, { method: 'POST', headers: admin, json });
    const plans = [
      {
        id: 'an-sub',
        name: 'Sub',
        kind: 'subscription',
        daily_allowance: '0.005',
        validity_days: 30,
        price: '0',
      },
      { id: 'an-card', name: 'Card', kind: 'card', amount: '0.002', validity_days: 30, price: '0' },
    ];
    for (const p of plans) {
      expect((await send('/admin/v1/plans', p)).status).toBe(201);
      expect((await send('/admin/v1/accounts/an-a/grants', { plan_id: p.id })).status).toBe(201);
    }
    const today = new Date().toISOString().slice(0, 10);
    const now = (n: number, accountId: string) => ({
      ...record(n, accountId, today, 'gpt-x', 1_500),
      ts: Date.now(),
    });
    await writeUsage(env.DB, [now(10, 'an-a'), now(11, 'an-a'), now(12, 'an-b')]);

    expect(await view('quota?account=an-a')).toEqual([
      {
        item: 'rpd',
        account_id: 'an-org',
        unit: 'requests',
        limit: 1000,
        used: 3,
        remaining: 997,
        percent: 0,
      },
      {
        item: 'tpd',
        account_id: 'an-a',
        unit: 'tokens',
        limit: 5000,
        used: 220,
        remaining: 4780,
        percent: 4,
      },
      {
        item: 'daily_budget',
        account_id: 'an-a',
        unit: 'micros',
        limit: 10_000,
        used: 3_000,
        remaining: 7_000,
        percent: 30,
      },
      {
        item: 'allowance',
        account_id: 'an-a',
        unit: 'micros',
        limit: 5_000,
        used: 3_000,
        remaining: 2_000,
        percent: 60,
      },
      {
        item: 'cards',
        account_id: 'an-a',
        unit: 'micros',
        limit: null,
        used: null,
        remaining: 2_000,
        percent: null,
      },
      // The card's 2000 is money; the older days' 7000 of usage had no allowance and came off the balance.
      {
        item: 'balance',
        account_id: 'an-a',
        unit: 'micros',
        limit: null,
        used: null,
        remaining: -5_000,
        percent: null,
      },
    ]);
    // Bad input: an account outside the caller's tree, a format that does not exist.
    const unknown = await call('/admin/v1/analytics/quota?account=nobody', { headers: admin });
    expect(unknown.status).toBe(404);
    const badFormat = await call('/admin/v1/analytics/quota?account=an-a&format=xml', { headers: admin });
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { error: { param: string } }).error.param).toBe('format');
    const csv = await call('/admin/v1/analytics/quota?account=an-a&format=csv', { headers: admin });
    expect((await csv.text()).split('\r\n')[0]).toBe('item,account_id,unit,limit,used,remaining,percent');
  });

  it('stacks the series by model or sub-account, and reports latency percentiles from the raw events', async () => {
    const byAccount = await view('series?account=an-org&from=2026-10-01&to=2026-10-02&by=account');
    expect(byAccount).toEqual([
      { day: '2026-10-01', key: 'an-a', requests: 2, errors: 0, costMicros: 6_000 },
      { day: '2026-10-01', key: 'an-b', requests: 0, errors: 0, costMicros: 0 },
      { day: '2026-10-02', key: 'an-a', requests: 1, errors: 0, costMicros: 1_000 },
      { day: '2026-10-02', key: 'an-b', requests: 1, errors: 0, costMicros: 2_000 },
    ]);
    const byModel = await view('series?account=an-org&from=2026-10-02&to=2026-10-02');
    expect(byModel).toEqual([
      { day: '2026-10-02', key: 'claude-y', requests: 2, errors: 0, costMicros: 3_000 },
    ]);
    expect(await view('latency?account=an-org&from=2026-10-01&to=2026-10-02')).toEqual([
      { model: 'claude-y', requests: 2, errorRate: 0, latencyP50: 5, latencyP95: 5, ttftP50: 1, ttftP95: 1 },
      { model: 'gpt-x', requests: 2, errorRate: 0, latencyP50: 5, latencyP95: 5, ttftP50: 1, ttftP95: 1 },
    ]);
    // Another subtree's events are not in it.
    expect(await view('latency?account=an-b&from=2026-10-01&to=2026-10-01')).toEqual([]);
    const bad = await call('/admin/v1/analytics/series?account=an-org&by=key', { headers: admin });
    expect(bad.status).toBe(400);
  });
});
