// The console's tree and policy-preview endpoints (account tree and identity, inherited policy, console) against the real Worker and D1:
// a page of children with counts, today's spend and quota use; cursor paging; subtree search;
// the preview's refusals (the same check a PUT runs) and per-descendant changes, writing nothing;
// and the ledger's kind filter.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, chat, eventually, newKey, rollups } from './helpers';
import { errorOf, ok, root, treePolicy } from './tenancy-helpers';

interface Node {
  account: { id: string; name: string };
  children: number;
  today_requests: number;
  today_cost_micros: number;
  quota: { item: string; limit: number; used: number; percent: number }[];
  daily_budget: { value: string; source: string } | null;
}
interface Page {
  node: Node;
  ancestors: { id: string; name: string }[];
  data: Node[];
  next_cursor: string | null;
}

const tree = (id: string, query = '') => ok<Page>(root.send(`/admin/v1/accounts/${id}/tree${query}`));
const key = newKey();

beforeAll(async () => {
  const policy = treePolicy({
    gateway_keys: [{ id: 'kd', account: 'd', name: 'D key', key_env: 'D_KEY' }],
    prices: [{ model: 'mock-small', input: '1', output: '2' }],
  });
  const b = policy.accounts.find((a) => a.id === 'b');
  if (b) b.policy = { limits: { rpd: 100, daily_budget: '10' } };
  await applyPolicy(policy, { gatewayKeys: { kd: key } });
  // The gateway key of D is created by the file; add five more children under C for paging.
  for (let i = 1; i <= 5; i++)
    await ok(
      root.send('/admin/v1/accounts', {
        method: 'POST',
        json: { id: `c${i}`, parent_id: 'c', name: `Team ${6 - i}` },
      }),
      201,
    );
});

describe('GET /accounts/{id}/tree', () => {
  it("lists children with their child counts, today's spend and own quota use", async () => {
    const res = await chat(key, { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    await eventually(async () => ((await rollups('d')).length > 0 ? true : undefined));
    const page = await tree('a');
    expect(page.node.account.id).toBe('a');
    expect(page.node.today_requests).toBe(1);
    expect(page.ancestors).toEqual([]);
    expect(page.data.map((n) => n.account.id)).toEqual(['b', 'c']);
    const [b, c] = page.data as [Node, Node];
    expect(b.children).toBe(1);
    expect(c.children).toBe(5);
    // D's request counts for B's subtree, and against the limits B itself sets.
    expect(b.today_requests).toBe(1);
    expect(b.today_cost_micros).toBeGreaterThan(0);
    expect(c.today_requests).toBe(0);
    expect(b.quota.find((q) => q.item === 'rpd')).toEqual({ item: 'rpd', limit: 100, used: 1, percent: 1 });
    expect(b.quota.find((q) => q.item === 'daily_budget')?.used).toBe(b.today_cost_micros);
    expect(b.daily_budget).toEqual({ value: '10', value_micros: 10_000_000, source: 'account:b' });
    expect(c.quota).toEqual([]);
    expect(c.daily_budget).toMatchObject({ value: '100', source: 'account:a' });
    // Breadcrumbs of a grandchild: the caller's account down to the parent.
    expect((await tree('d')).ancestors).toEqual([
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ]);
  });

  it('pages children by name with a cursor, and searches the whole subtree', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page: Page = await tree('c', q);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((n) => n.account.name));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Team 1', 'Team 2', 'Team 3', 'Team 4', 'Team 5']);
    const found = await tree('a', '?q=team%203');
    expect(found.data.map((n) => n.account.id)).toEqual(['c3']);
    expect((await tree('a', '?q=d')).data.map((n) => n.account.id)).toEqual(['d']);
    // Nested hits (B and D under it) each count their own subtree's usage once.
    await ok(root.send('/admin/v1/accounts/d', { method: 'PATCH', json: { name: 'B child' } }));
    const nested = await tree('a', '?q=b');
    expect(nested.data.map((n) => [n.account.id, n.today_requests])).toEqual([
      ['b', 1],
      ['d', 1],
    ]);
    // A literal "%" matches only itself.
    expect((await tree('a', '?q=%25')).data).toEqual([]);
    expect(await errorOf(root.send('/admin/v1/accounts/a/tree?cursor=nope'))).toMatchObject({
      status: 400,
      param: 'cursor',
    });
  });
});

describe('POST /accounts/{id}/policy/preview', () => {
  const preview = (id: string, policy: unknown) =>
    ok<{
      refusals: { field: string; message: string }[];
      accounts: { id: string; changes: { field: string; before: unknown; after: unknown }[] }[];
      descendants_checked: number;
      truncated: boolean;
    }>(root.send(`/admin/v1/accounts/${id}/policy/preview`, { method: 'POST', json: policy }));

  it('names the refusal a PUT would give, field and layer', async () => {
    const wide = { limits: { rpm: 2000 } };
    const p = await preview('b', wide);
    expect(p.refusals).toHaveLength(1);
    expect(p.refusals[0]?.field).toBe('policy.limits.rpm');
    expect(p.refusals[0]?.message).toContain('account:a');
    const put = await errorOf(root.send('/admin/v1/accounts/b/policy', { method: 'PUT', json: wide }));
    expect(put).toMatchObject({ status: 422, param: p.refusals[0]?.field });
  });

  it("shows the account's and each descendant's changed fields, and writes nothing", async () => {
    const p = await preview('b', { limits: { rpm: 50, rpd: 100 } });
    expect(p.refusals).toEqual([]);
    expect(p.descendants_checked).toBe(1);
    expect(p.truncated).toBe(false);
    expect(p.accounts.map((a) => a.id)).toEqual(['b', 'd']);
    for (const a of p.accounts) {
      expect(a.changes).toContainEqual({
        field: 'limits.rpm',
        before: { value: '1000', source: 'account:a' },
        after: { value: '50', source: 'account:b' },
      });
      // The daily budget goes back to A's.
      expect(a.changes).toContainEqual({
        field: 'limits.daily_budget',
        before: { value: '10', source: 'account:b' },
        after: { value: '100', source: 'account:a' },
      });
      expect(a.changes.map((c) => c.field)).not.toContain('limits.rpd');
    }
    const stored = await ok<{ policy: unknown }>(root.send('/admin/v1/accounts/b/policy'));
    expect(stored.policy).toEqual({ limits: { rpd: 100, daily_budget: '10' } });
  });
});

describe('GET /accounts/{id}/ledger filters', () => {
  it('by kind', async () => {
    await ok(root.send('/admin/v1/accounts/a/ledger/topup', { method: 'POST', json: { amount: '50' } }), 201);
    await ok(
      root.send('/admin/v1/accounts/b/ledger/allocate', { method: 'POST', json: { amount: '5' } }),
      201,
    );
    const all = await ok<{ data: { kind: string }[] }>(root.send('/admin/v1/accounts/a/ledger'));
    expect(all.data.map((e) => e.kind).sort()).toEqual(['allocate_out', 'topup']);
    const topups = await ok<{ data: { kind: string }[]; balance: string }>(
      root.send('/admin/v1/accounts/a/ledger?kind=topup'),
    );
    expect(topups.data.map((e) => e.kind)).toEqual(['topup']);
    expect(topups.balance).toBe('45');
    const usage = await ok<{ data: unknown[] }>(root.send('/admin/v1/accounts/a/ledger?source=card'));
    expect(usage.data).toEqual([]);
  });
});
