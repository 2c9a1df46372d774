// The ledger (credits and plans): money enters at the root, moves down by allocation (debiting the parent in
// the
// same batch), balances are derived from entries in integer micro-units, and concurrent
// allocations never overdraw the parent. Plans, cards and redemption codes load value once.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { bearer, errorOf, login, ok, PASSWORD, root, treePolicy } from './tenancy-helpers';

interface Balance {
  balance: string;
  balance_micros: number;
}
const balance = async (id: string) =>
  (await ok<Balance>(root.send(`/admin/v1/accounts/${id}/balance`))).balance_micros;
const allocate = (id: string, amount: string) =>
  root.send(`/admin/v1/accounts/${id}/ledger/allocate`, { method: 'POST', json: { amount } });

beforeAll(async () => {
  await applyPolicy(treePolicy());
});

describe('ledger', () => {
  it('tops up only the root, by a root-level principal', async () => {
    await ok(
      root.send('/admin/v1/accounts/a/ledger/topup', {
        method: 'POST',
        json: { amount: '100.25', memo: 'wire' },
      }),
      201,
    );
    expect(await balance('a')).toBe(100_250_000);
    expect(
      await errorOf(
        root.send('/admin/v1/accounts/b/ledger/topup', { method: 'POST', json: { amount: '1' } }),
      ),
    ).toMatchObject({
      status: 403,
      code: 'root_required',
    });
    expect(
      await errorOf(
        root.send('/admin/v1/accounts/a/ledger/topup', { method: 'POST', json: { amount: '0' } }),
      ),
    ).toMatchObject({
      status: 400,
      param: 'amount',
    });
    expect(
      (await errorOf(root.send('/admin/v1/accounts/a/ledger/topup', { method: 'POST', json: { amount: 5 } })))
        .status,
    ).toBe(400);
  });

  it('allocates parent → child in one batch and refuses an overdraft', async () => {
    const res = await ok<{ entries: { account_id: string; kind: string; amount: string }[] }>(
      allocate('b', '10'),
      201,
    );
    expect(res.entries).toMatchObject([
      { account_id: 'a', kind: 'allocate_out', amount: '-10' },
      { account_id: 'b', kind: 'allocate_in', amount: '10' },
    ]);
    expect(await balance('a')).toBe(90_250_000);
    expect(await balance('b')).toBe(10_000_000);
    expect(await errorOf(allocate('d', '10.000001'))).toMatchObject({
      status: 409,
      code: 'insufficient_balance',
    });
    expect(await balance('b')).toBe(10_000_000);
  });

  it('lets 40 concurrent allocations of 1 from a parent holding 10 succeed exactly 10 times', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => allocate('d', '1')));
    const statuses = results.map((r) => r.status);
    await Promise.all(results.map((r) => r.text()));
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(30);
    expect(await balance('b')).toBe(0);
    expect(await balance('d')).toBe(10_000_000);
    const sums = await env.DB.prepare(
      "SELECT kind, COUNT(*) AS n, SUM(amount) AS total FROM ledger_entries WHERE kind LIKE 'allocate_%' GROUP BY kind ORDER BY kind",
    ).all<{ kind: string; n: number; total: number }>();
    expect(sums.results).toEqual([
      { kind: 'allocate_in', n: 11, total: 20_000_000 },
      { kind: 'allocate_out', n: 11, total: -20_000_000 },
    ]);
    const audited = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'ledger.allocate'",
    ).first<{ n: number }>();
    expect(audited?.n).toBe(11);
  });

  it('debits below the caller, and lists entries newest first with a cursor', async () => {
    await ok(
      root.send('/admin/v1/accounts/d/ledger/debit', {
        method: 'POST',
        json: { amount: '0.5', memo: 'manual' },
      }),
      201,
    );
    expect(await balance('d')).toBe(9_500_000);
    const first = await ok<{ balance: string; data: { kind: string }[]; next_cursor: string }>(
      root.send('/admin/v1/accounts/d/ledger?limit=3'),
    );
    expect(first.balance).toBe('9.5');
    expect(first.data[0]?.kind).toBe('debit');
    const rest = await ok<{ data: unknown[]; next_cursor: string | null }>(
      root.send(`/admin/v1/accounts/d/ledger?limit=100&cursor=${first.next_cursor}`),
    );
    expect(first.data.length + rest.data.length).toBe(11);
    expect(rest.next_cursor).toBeNull();
  });

  it('refuses allocation and debit by an account to itself', async () => {
    const token = await ok<{ token: string }>(
      root.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'money', scopes: ['ledger:write'] },
      }),
      201,
    );
    const b = bearer(token.token);
    expect(
      (
        await errorOf(
          b.send('/admin/v1/accounts/b/ledger/allocate', { method: 'POST', json: { amount: '1' } }),
        )
      ).code,
    ).toBe('ancestor_required');
    expect(
      (await errorOf(b.send('/admin/v1/accounts/b/ledger/debit', { method: 'POST', json: { amount: '1' } })))
        .code,
    ).toBe('ancestor_required');
    expect(
      (
        await errorOf(
          b.send('/admin/v1/accounts/a/ledger/allocate', { method: 'POST', json: { amount: '1' } }),
        )
      ).status,
    ).toBe(404);
  });
});

describe('plans, cards and redemption codes', () => {
  it('loads a card once per code, even when redeemed concurrently', async () => {
    const plan = await ok<{ id: string }>(
      root.send('/admin/v1/plans', {
        method: 'POST',
        json: { id: 'card-5', name: '$5 card', kind: 'card', amount: '5', validity_days: 30 },
      }),
      201,
    );
    const minted = await ok<{ codes: string[] }>(
      root.send('/admin/v1/redemption-codes', { method: 'POST', json: { plan_id: plan.id, count: 2 } }),
      201,
    );
    expect(minted.codes).toHaveLength(2);
    const [code, spare] = minted.codes as [string, string];
    await ok(
      root.send('/admin/v1/accounts/c/users', {
        method: 'POST',
        json: { email: 'm@c.example', password: PASSWORD, role: 'member' },
      }),
      201,
    );
    const member = await login('m@c.example', PASSWORD);
    const before = await balance('c');
    const tries = await Promise.all(
      [1, 2, 3].map(() => member.send('/admin/v1/redeem', { method: 'POST', json: { code } })),
    );
    expect(tries.map((r) => r.status).sort()).toEqual([201, 400, 400]);
    expect(await balance('c')).toBe(before + 5_000_000);
    const grants = await ok<{ data: { plan_id: string; remaining: string }[] }>(
      member.send('/admin/v1/accounts/c/grants'),
    );
    expect(grants.data).toEqual([expect.objectContaining({ plan_id: 'card-5', remaining: '5' })]);
    // Codes are stored as hashes only, and a viewer cannot redeem.
    const dump = JSON.stringify((await env.DB.prepare('SELECT * FROM redemption_codes').all()).results);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(spare);
    await ok(
      root.send('/admin/v1/accounts/c/users', {
        method: 'POST',
        json: { email: 'v@c.example', password: PASSWORD, role: 'viewer' },
      }),
      201,
    );
    const viewer = await login('v@c.example', PASSWORD);
    expect(
      (await errorOf(viewer.send('/admin/v1/redeem', { method: 'POST', json: { code: spare } }))).code,
    ).toBe('insufficient_role');
  });

  it('keeps the catalogue with the root', async () => {
    const token = await ok<{ token: string }>(
      root.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'cat', scopes: ['catalog:write'] },
      }),
      201,
    );
    const b = bearer(token.token);
    expect(
      (
        await errorOf(
          b.send('/admin/v1/plans', {
            method: 'POST',
            json: { name: 'x', kind: 'card', amount: '1', validity_days: 1 },
          }),
        )
      ).code,
    ).toBe('root_required');
    expect((await ok<{ data: unknown[] }>(b.send('/admin/v1/plans'))).data).toHaveLength(1);
    const grant = await ok<{ kind: string }>(
      root.send('/admin/v1/accounts/d/grants', { method: 'POST', json: { plan_id: 'card-5' } }),
      201,
    );
    expect(grant.kind).toBe('card');
  });
});
