// Charging (credits and plans) through the real usage consumer and D1: today's allowance, then add-ons, then
// cards by expiry, then the balance; a ledger entry for each part; counted once under redelivery
// and under concurrent consumers.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { UsageRecord } from '../../src/usage/record';
import { deliverUsage, usageRecord } from './usage-fixtures';

const DAY = '2026-10-02';
const T0 = Date.parse('2026-10-02T12:00:00Z');
const HOUR = 3_600_000;

let seq = 0;
function record(accountId: string, costMicros: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  seq++;
  return usageRecord(`req_charge_${seq}`, {
    accountId,
    accountPath: `/charge-root/${accountId}/`,
    ts: T0,
    day: DAY,
    costMicros,
    latencyMs: 10,
    ttftMs: null,
    ...overrides,
  });
}

async function deliver(...messages: UsageRecord[][]) {
  const result = await deliverUsage(
    messages.map((records, i) => ({ id: `m${seq}-${i}`, body: { v: 1, records } })),
  );
  expect(result.retryMessages).toEqual([]);
  return result;
}

async function addAccount(id: string) {
  await env.DB.prepare(
    `INSERT INTO accounts (id, parent_id, path, depth, name, created_at, updated_at)
     VALUES (?, 'charge-root', ?, 1, ?, 0, 0)`,
  )
    .bind(id, `/charge-root/${id}/`, id)
    .run();
}

async function grant(
  accountId: string,
  id: string,
  kind: 'subscription' | 'addon' | 'card',
  opts: { daily?: number; value?: number; startsAt?: number; expiresAt: number },
) {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO plan_grants (id, account_id, plan_id, kind, starts_at, expires_at, daily_allowance, remaining, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', 0)`,
    ).bind(
      id,
      accountId,
      `plan-${kind}`,
      kind,
      opts.startsAt ?? T0 - 24 * HOUR,
      opts.expiresAt,
      opts.daily ?? null,
      kind === 'card' ? (opts.value ?? 0) : null,
    ),
    // A card's value is money: loading it credits the ledger, as the admin API does.
    ...(kind === 'card'
      ? [
          env.DB.prepare(
            `INSERT INTO ledger_entries (id, account_id, kind, amount, ref, created_at) VALUES (?, ?, 'card', ?, ?, 0)`,
          ).bind(`led-${id}`, accountId, opts.value ?? 0, id),
        ]
      : []),
  ]);
}

async function topUp(accountId: string, amount: number) {
  await env.DB.prepare(
    `INSERT INTO ledger_entries (id, account_id, kind, amount, created_at) VALUES (?, ?, 'topup', ?, 0)`,
  )
    .bind(`led-topup-${accountId}-${amount}`, accountId, amount)
    .run();
}

interface Entry {
  ref: string;
  amount: number;
  source: string;
  grant_id: string | null;
  day: string;
}

async function charges(accountId: string, requestId: string): Promise<Omit<Entry, 'ref' | 'day'>[]> {
  const { results } = await env.DB.prepare(
    `SELECT amount, source, grant_id FROM ledger_entries
     WHERE account_id = ? AND kind = 'usage' AND ref LIKE ? ORDER BY rowid`,
  )
    .bind(accountId, `${requestId}:%`)
    .all<Omit<Entry, 'ref' | 'day'>>();
  return results;
}

async function balance(accountId: string): Promise<number> {
  const res = await worker.fetch(
    new Request(`http://gateway.test/admin/v1/accounts/${accountId}/balance`, {
      headers: { authorization: 'Bearer sya_test_admin_token' },
    }),
    env,
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { balance_micros: number }).balance_micros;
}

async function remaining(grantId: string): Promise<number | null> {
  const row = await env.DB.prepare('SELECT remaining FROM plan_grants WHERE id = ?')
    .bind(grantId)
    .first<{ remaining: number | null }>();
  return row?.remaining ?? null;
}

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO accounts (id, parent_id, path, depth, name, timezone, created_at, updated_at)
       VALUES ('charge-root', NULL, '/charge-root/', 0, 'root', 'UTC', 0, 0)`,
    ),
    ...['subscription', 'addon', 'card'].map((kind) =>
      env.DB.prepare(
        `INSERT INTO plans (id, name, kind, daily_allowance, amount, validity_days, price, created_at)
         VALUES (?, ?, ?, 1, 1, 30, 0, 0)`,
      ).bind(`plan-${kind}`, kind, kind),
    ),
  ]);
});

describe('charging usage (credits and plans)', () => {
  it('draws on today’s allowance, then add-ons, then cards by expiry, then the balance', async () => {
    await addAccount('payer');
    await grant('payer', 'sub', 'subscription', { daily: 100, expiresAt: T0 + 30 * 24 * HOUR });
    await grant('payer', 'addon', 'addon', { daily: 50, expiresAt: T0 + 30 * 24 * HOUR });
    await grant('payer', 'card-late', 'card', { value: 80, expiresAt: T0 + 20 * 24 * HOUR });
    await grant('payer', 'card-soon', 'card', { value: 30, expiresAt: T0 + 2 * 24 * HOUR });
    // Neither an expired grant nor one that has not started yet is drawn on.
    await grant('payer', 'card-expired', 'card', { value: 1000, expiresAt: T0 - HOUR });
    await grant('payer', 'sub-future', 'subscription', {
      daily: 1000,
      startsAt: T0 + 48 * HOUR,
      expiresAt: T0 + 30 * 24 * HOUR,
    });
    await topUp('payer', 1000);
    expect(await balance('payer')).toBe(1000 + 80 + 30 + 1000);

    const r1 = record('payer', 70);
    const r2 = record('payer', 60);
    const r3 = record('payer', 100);
    const r4 = record('payer', 100);
    // One delivery each: a delivered batch's records of one account are charged together (see below).
    for (const r of [r1, r2, r3, r4]) await deliver([r]);

    expect(await charges('payer', r1['requestId'])).toEqual([
      { amount: -70, source: 'allowance', grant_id: 'sub' },
    ]);
    expect(await charges('payer', r2['requestId'])).toEqual([
      { amount: -30, source: 'allowance', grant_id: 'sub' },
      { amount: -30, source: 'addon', grant_id: 'addon' },
    ]);
    expect(await charges('payer', r3['requestId'])).toEqual([
      { amount: -20, source: 'addon', grant_id: 'addon' },
      { amount: -30, source: 'card', grant_id: 'card-soon' },
      { amount: -50, source: 'card', grant_id: 'card-late' },
    ]);
    expect(await charges('payer', r4['requestId'])).toEqual([
      { amount: -30, source: 'card', grant_id: 'card-late' },
      { amount: -70, source: 'balance', grant_id: null },
    ]);
    expect(await remaining('card-soon')).toBe(0);
    expect(await remaining('card-late')).toBe(0);
    expect(await remaining('card-expired')).toBe(1000);
    // Allowance and add-on usage is quota, not money; cards and the balance are money.
    expect(await balance('payer')).toBe(2110 - 30 - 80 - 70);

    // The next day the allowance is whole again.
    const r5 = record('payer', 120, { day: '2026-10-03', ts: T0 + 24 * HOUR });
    await deliver([r5]);
    expect(await charges('payer', r5['requestId'])).toEqual([
      { amount: -100, source: 'allowance', grant_id: 'sub' },
      { amount: -20, source: 'addon', grant_id: 'addon' },
    ]);

    // A redelivered batch charges nothing again.
    const before = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(amount) AS total FROM ledger_entries WHERE account_id = 'payer'",
    ).first();
    await deliver([r1, r2], [r3], [r4], [r5]);
    const after = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(amount) AS total FROM ledger_entries WHERE account_id = 'payer'",
    ).first();
    expect(after).toEqual(before);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM usage_pending').first()).toEqual({ n: 0 });
  });

  it('charges the records of one delivered batch together, with one entry per part', async () => {
    await addAccount('batched');
    await grant('batched', 'batched-sub', 'subscription', { daily: 100, expiresAt: T0 + 24 * HOUR });
    const records = [record('batched', 60), record('batched', 70), record('batched', 0)];
    // Two messages, one batch: one transaction.
    await deliver(records.slice(0, 1), records.slice(1));
    // The batch is named by the smallest request id among the records that cost something.
    const batch = records
      .filter((r) => r['costMicros'] > 0)
      .map((r) => r['requestId'])
      .sort()[0] as string;
    const { results } = await env.DB.prepare(
      "SELECT ref, amount, source, memo FROM ledger_entries WHERE account_id = 'batched' AND kind = 'usage' ORDER BY rowid",
    ).all();
    expect(results).toEqual([
      { ref: `${batch}:batched-sub`, amount: -100, source: 'allowance', memo: 'usage of 2 requests' },
      { ref: `${batch}:balance`, amount: -30, source: 'balance', memo: 'usage of 2 requests' },
    ]);
  });

  it('shows the charges in the ledger API with their source', async () => {
    const res = await worker.fetch(
      new Request('http://gateway.test/admin/v1/accounts/payer/ledger?limit=50', {
        headers: { authorization: 'Bearer sya_test_admin_token' },
      }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Entry[] };
    const usage = body.data.filter((e) => e.source !== null);
    expect(usage.length).toBeGreaterThanOrEqual(10);
    expect(usage).toContainEqual(
      expect.objectContaining({ source: 'balance', grant_id: null, day: DAY, amount: '-0.00007' }),
    );
  });

  it('never draws a card twice when consumers charge the same account concurrently', async () => {
    await addAccount('racer');
    await grant('racer', 'race-card', 'card', { value: 100, expiresAt: T0 + 24 * HOUR });
    const records = Array.from({ length: 30 }, () => record('racer', 7));
    // 30 separate consumer invocations at once, each charging 7 against a card of 100.
    await Promise.all(records.map((r) => deliver([r])));

    const { results } = await env.DB.prepare(
      "SELECT source, SUM(amount) AS total FROM ledger_entries WHERE account_id = 'racer' AND kind = 'usage' GROUP BY source ORDER BY source",
    ).all();
    expect(results).toEqual([
      { source: 'balance', total: -(30 * 7 - 100) },
      { source: 'card', total: -100 },
    ]);
    expect(await remaining('race-card')).toBe(0);
    expect(await balance('racer')).toBe(100 - 30 * 7);
  });

  it('charges nothing for a free or failed request', async () => {
    await addAccount('free');
    await grant('free', 'free-card', 'card', { value: 100, expiresAt: T0 + 24 * HOUR });
    await deliver([record('free', 0, { status: 502, promptTokens: 0, completionTokens: 0 })]);
    const n = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM ledger_entries WHERE account_id = 'free' AND kind = 'usage'",
    ).first();
    expect(n).toEqual({ n: 0 });
    expect(await remaining('free-card')).toBe(100);
  });
});
