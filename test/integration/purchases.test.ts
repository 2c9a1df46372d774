// Plans are bought (credits and plans): the price is debited and the plan granted in one D1 batch, never more
// often than the balance covers, with both ledger entries under one ref.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { renewPlans } from '../../src/billing/renewals';
import { ADMIN_TOKEN, applyPolicy, call } from './helpers';

const admin = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  call(`/admin/v1${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
const post = (path: string, json: unknown) => admin(path, { method: 'POST', json });

beforeAll(async () => {
  await applyPolicy({
    version: 1,
    accounts: [
      { id: 'pu-org', name: 'Org', timezone: 'UTC', policy: {} },
      { id: 'pu-shop', parent: 'pu-org', name: 'Shop', policy: {} },
      { id: 'pu-kid', parent: 'pu-shop', name: 'Kid', policy: {} },
    ],
    levels: [],
    gateway_keys: [],
    prices: [],
  });
  expect((await post('/accounts/pu-org/ledger/topup', { amount: '100' })).status).toBe(201);
  expect((await post('/accounts/pu-shop/ledger/allocate', { amount: '10' })).status).toBe(201);
  for (const plan of [
    {
      id: 'pu-sub',
      name: 'Daily 1',
      kind: 'subscription',
      daily_allowance: '1',
      validity_days: 30,
      price: '3',
    },
    { id: 'pu-card', name: 'Card 5', kind: 'card', amount: '5', validity_days: 30, price: '4' },
  ])
    expect((await post('/plans', plan)).status).toBe(201);
});

const balance = async (id: string) =>
  ((await (await admin(`/accounts/${id}/balance`)).json()) as { balance_micros: number }).balance_micros;

describe('buying plans', () => {
  it('debits the price and grants the plan atomically under 8 concurrent purchases: exactly 3 of $3 from $10', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => post('/accounts/pu-shop/purchases', { plan_id: 'pu-sub' })),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(3);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('insufficient_balance');
    }
    expect(await balance('pu-shop')).toBe(1_000_000);
    const grants = await env.DB.prepare(
      "SELECT id FROM plan_grants WHERE account_id = 'pu-shop' AND plan_id = 'pu-sub'",
    ).all<{ id: string }>();
    expect(grants.results).toHaveLength(3);
    const bought = (await ok[0]?.json()) as {
      grant: { id: string };
      entries: { ref: string; kind: string }[];
    };
    expect(bought.entries).toEqual([expect.objectContaining({ kind: 'purchase', ref: bought.grant.id })]);
    // Each debit refers to a grant that exists: no price without a plan, no plan without a price.
    const orphans = await env.DB.prepare(
      `SELECT count(*) AS n FROM ledger_entries l WHERE l.kind = 'purchase' AND l.account_id = 'pu-shop'
       AND NOT EXISTS (SELECT 1 FROM plan_grants g WHERE g.id = l.ref)`,
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
  });

  it('lets the parent pay for a card: debit at the parent, credit at the child, one ref', async () => {
    expect((await post('/accounts/pu-shop/ledger/allocate', { amount: '3' })).status).toBe(201);
    const res = await post('/accounts/pu-kid/purchases', { plan_id: 'pu-card', paid_by: 'parent' });
    expect(res.status).toBe(201);
    const { grant, entries } = (await res.json()) as {
      grant: { id: string; account_id: string };
      entries: { account_id: string; kind: string; amount_micros: number; ref: string }[];
    };
    expect(grant.account_id).toBe('pu-kid');
    expect(entries.map((e) => [e.account_id, e.kind, e.amount_micros, e.ref])).toEqual([
      ['pu-shop', 'purchase', -4_000_000, grant.id],
      ['pu-kid', 'card', 5_000_000, grant.id],
    ]);
    // The shop is back to $0: it cannot pay $4 again.
    const again = await post('/accounts/pu-kid/purchases', { plan_id: 'pu-card', paid_by: 'parent' });
    expect(again.status).toBe(409);
    expect(await balance('pu-kid')).toBe(5_000_000);
  });

  it('renews an auto-renewing subscription once at expiry, from the balance, and not when it is short', async () => {
    expect((await post('/accounts/pu-shop/ledger/allocate', { amount: '3' })).status).toBe(201);
    const res = await post('/accounts/pu-shop/purchases', { plan_id: 'pu-sub', auto_renew: true });
    expect(res.status).toBe(201);
    const { grant } = (await res.json()) as { grant: { id: string; auto_renew: boolean } };
    expect(grant.auto_renew).toBe(true);
    expect(await balance('pu-shop')).toBe(0);
    const now = Date.now();
    await env.DB.prepare('UPDATE plan_grants SET expires_at = ? WHERE id = ?')
      .bind(now + 60_000, grant.id)
      .run();
    // No money: not renewed, tried again later.
    expect(await renewPlans(env.DB, now)).toEqual({ renewed: 0, short: 1 });
    expect((await post('/accounts/pu-shop/ledger/allocate', { amount: '3' })).status).toBe(201);
    // Two overlapping runs renew once.
    const runs = await Promise.all([renewPlans(env.DB, now), renewPlans(env.DB, now)]);
    expect(runs.reduce((n, r) => n + r.renewed, 0)).toBe(1);
    expect(await renewPlans(env.DB, now)).toEqual({ renewed: 0, short: 0 });
    const next = await env.DB.prepare(
      "SELECT id, starts_at, expires_at, renew FROM plan_grants WHERE account_id = 'pu-shop' AND starts_at = ?",
    )
      .bind(now + 60_000)
      .first<{ id: string; expires_at: number; renew: string }>();
    expect(next).toMatchObject({ expires_at: now + 60_000 + 30 * 86_400_000, renew: 'account' });
    const debit = await env.DB.prepare(
      "SELECT amount FROM ledger_entries WHERE kind = 'purchase' AND ref = ?",
    )
      .bind(next?.id)
      .first();
    expect(debit).toEqual({ amount: -3_000_000 });
    expect(await balance('pu-shop')).toBe(0);
  });

  it('refuses a purchase with a bad body or an unknown plan in the admin shape', async () => {
    expect((await post('/accounts/pu-shop/purchases', { plan_id: 'nope' })).status).toBe(404);
    expect((await post('/accounts/pu-shop/purchases', { plan: 'pu-sub' })).status).toBe(400);
  });
});
