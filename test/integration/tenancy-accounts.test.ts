// The account tree through the admin API: create, list a subtree page by page, update, refuse a
// move, suspend / reactivate, refuse deleting a parent, delete; every write audited.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { errorOf, ok, root, treePolicy } from './tenancy-helpers';

beforeAll(async () => {
  await applyPolicy(treePolicy());
});

interface Account {
  id: string;
  parent_id: string | null;
  path: string;
  status: string;
  name: string;
}

describe('accounts', () => {
  it('creates a child and lists the subtree with a cursor', async () => {
    const created = await ok<Account>(
      root.send('/admin/v1/accounts', { method: 'POST', json: { id: 'e', parent_id: 'd', name: 'E' } }),
      201,
    );
    expect(created).toMatchObject({ id: 'e', parent_id: 'd', path: '/a/b/d/e/', status: 'active' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Account[]; next_cursor: string | null } = await ok(
        root.send(`/admin/v1/accounts?root=b&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((a) => a.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['b', 'd', 'e']);
  });

  it('generates an id when none is given, and refuses a taken one', async () => {
    const created = await ok<Account>(
      root.send('/admin/v1/accounts', { method: 'POST', json: { parent_id: 'c', name: 'auto' } }),
      201,
    );
    expect(created.id).toMatch(/^acct-[0-9a-f]{12}$/);
    const err = await errorOf(
      root.send('/admin/v1/accounts', { method: 'POST', json: { id: 'b', parent_id: 'c', name: 'dup' } }),
    );
    expect(err).toMatchObject({ status: 409, code: 'account_id_taken' });
  });

  it('updates and audits it; refuses a move and audits nothing', async () => {
    const updated = await ok<Account>(
      root.send('/admin/v1/accounts/d', { method: 'PATCH', json: { name: 'Dee', kind: 'team' } }),
    );
    expect(updated.name).toBe('Dee');
    const move = await errorOf(
      root.send('/admin/v1/accounts/d', { method: 'PATCH', json: { parent_id: 'c' } }),
    );
    expect(move).toMatchObject({ status: 400, code: 'account_move_refused', param: 'parent_id' });
    const audit = await env.DB.prepare(
      "SELECT action, actor_type, request_id FROM audit_log WHERE target_id = 'd' AND action LIKE 'account.%' ORDER BY ts",
    ).all();
    expect(audit.results).toEqual([
      expect.objectContaining({ action: 'account.update', actor_type: 'bootstrap' }),
    ]);
  });

  it('suspends and reactivates; refuses to delete a parent, then deletes a leaf', async () => {
    expect((await ok<Account>(root.send('/admin/v1/accounts/b/suspend', { method: 'POST' }))).status).toBe(
      'suspended',
    );
    expect((await ok<Account>(root.send('/admin/v1/accounts/b/reactivate', { method: 'POST' }))).status).toBe(
      'active',
    );
    const refused = await errorOf(root.send('/admin/v1/accounts/d', { method: 'DELETE' }));
    expect(refused).toMatchObject({ status: 409, code: 'account_has_children' });
    expect(refused.message).toContain('1 child');
    await ok(root.send('/admin/v1/accounts/e', { method: 'DELETE' }));
    expect((await errorOf(root.send('/admin/v1/accounts/e'))).status).toBe(404);
  });

  it('validates input and names the field', async () => {
    const err = await errorOf(
      root.send('/admin/v1/accounts', { method: 'POST', json: { id: 'Bad Id', name: 'x' } }),
    );
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', param: 'id' });
    const junk = await errorOf(
      root.send('/admin/v1/accounts', {
        method: 'POST',
        body: '{"id":',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(junk).toMatchObject({ status: 400, code: 'invalid_json' });
  });
});
