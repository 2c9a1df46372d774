// Root-owned configuration through the admin API — levels, upstream keys, prices — and gateway
// keys as members self-serve them.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { errorOf, login, ok, PASSWORD, root, treePolicy } from './tenancy-helpers';

beforeAll(async () => {
  await applyPolicy(treePolicy());
});

describe('levels and upstream keys', () => {
  it('creates, updates and deletes; refuses deleting a level that still has keys', async () => {
    await ok(
      root.send('/admin/v1/levels', {
        method: 'POST',
        json: { id: 3, name: 'three', timeouts: { first_byte_ms: 5000 } },
      }),
      201,
    );
    expect(
      (await errorOf(root.send('/admin/v1/levels', { method: 'POST', json: { id: 3, name: 'again' } }))).code,
    ).toBe('level_id_taken');
    const level = await ok<{ retries: number; timeouts: { first_byte_ms: number } }>(
      root.send('/admin/v1/levels/3', { method: 'PATCH', json: { retries: 3 } }),
    );
    expect(level).toMatchObject({ retries: 3, timeouts: { first_byte_ms: 5000 } });
    await ok(
      root.send('/admin/v1/upstream-keys', {
        method: 'POST',
        json: { id: 'm3', level_id: 3, provider: 'mock' },
      }),
      201,
    );
    const missing = await errorOf(
      root.send('/admin/v1/upstream-keys', {
        method: 'POST',
        json: { id: 'o3', level_id: 3, provider: 'openai' },
      }),
    );
    expect(missing).toMatchObject({ status: 400, param: 'secret' });
    const noUrl = await errorOf(
      root.send('/admin/v1/upstream-keys', {
        method: 'POST',
        json: { id: 'c3', level_id: 3, provider: 'openai-compatible', secret: 'sk-x' },
      }),
    );
    expect(noUrl).toMatchObject({ status: 400, param: 'base_url' });
    expect((await errorOf(root.send('/admin/v1/levels/3', { method: 'DELETE' }))).code).toBe(
      'level_has_keys',
    );
    await ok(root.send('/admin/v1/upstream-keys/m3', { method: 'DELETE' }));
    await ok(root.send('/admin/v1/levels/3', { method: 'DELETE' }));
    expect(
      (await errorOf(root.send('/admin/v1/levels/3', { method: 'PATCH', json: { name: 'x' } }))).status,
    ).toBe(404);
  });
});

describe('prices', () => {
  it('upserts by (model, account, effective_from) and scopes overrides to the subtree', async () => {
    const first = await ok<{ id: string; input: string }>(
      root.send('/admin/v1/prices', {
        method: 'PUT',
        json: { model: 'mock-small', input: '1.5', output: '3' },
      }),
    );
    const again = await ok<{ id: string; input: string }>(
      root.send('/admin/v1/prices', {
        method: 'PUT',
        json: { model: 'mock-small', input: '2', output: '3' },
      }),
    );
    expect(again).toMatchObject({ id: first.id, input: '2' });
    await ok(
      root.send('/admin/v1/prices', {
        method: 'PUT',
        json: { model: 'mock-small', account: 'c', input: '1', output: '1' },
      }),
    );
    await ok(
      root.send('/admin/v1/accounts/b/users', {
        method: 'POST',
        json: { email: 'v@b.example', password: PASSWORD, role: 'viewer' },
      }),
      201,
    );
    const viewer = await login('v@b.example', PASSWORD);
    const seen = await ok<{ data: { account_id: string | null }[] }>(viewer.send('/admin/v1/prices'));
    expect(seen.data.map((p) => p.account_id)).toEqual([null]);
    expect(
      (
        await errorOf(
          viewer.send('/admin/v1/prices', { method: 'PUT', json: { model: 'x', input: '1', output: '1' } }),
        )
      ).code,
    ).toBe('insufficient_role');
    await ok(root.send(`/admin/v1/prices/${first.id}`, { method: 'DELETE' }));
    const all = await ok<{ data: { account_id: string | null }[] }>(root.send('/admin/v1/prices'));
    expect(all.data.map((p) => p.account_id)).toEqual(['c']);
  });
});

describe('gateway keys, self-served', () => {
  it('a member creates and manages only its own keys on its own account', async () => {
    await ok(
      root.send('/admin/v1/accounts/d/users', {
        method: 'POST',
        json: { email: 'm@d.example', password: PASSWORD, role: 'member' },
      }),
      201,
    );
    const member = await login('m@d.example', PASSWORD);
    const mine = await ok<{ id: string; key: string; prefix: string; created_by: string }>(
      member.send('/admin/v1/accounts/d/keys', {
        method: 'POST',
        json: { name: 'laptop', expires_at: '2099-01-01T00:00:00Z' },
      }),
      201,
    );
    expect(mine.key.startsWith(mine.prefix)).toBe(true);
    const other = await ok<{ id: string }>(
      root.send('/admin/v1/accounts/d/keys', { method: 'POST', json: { name: 'ops' } }),
      201,
    );
    await ok(member.send(`/admin/v1/keys/${mine.id}`, { method: 'PATCH', json: { name: 'laptop 2' } }));
    expect((await errorOf(member.send(`/admin/v1/keys/${other.id}/revoke`, { method: 'POST' }))).code).toBe(
      'insufficient_role',
    );
    await ok(member.send(`/admin/v1/keys/${mine.id}/revoke`, { method: 'POST' }));
    const listed = await ok<{ data: Record<string, unknown>[] }>(member.send('/admin/v1/accounts/d/keys'));
    expect(listed.data.map((k) => k['name']).sort()).toEqual(['laptop 2', 'ops']);
    expect(JSON.stringify(listed)).not.toContain(mine.key);
    expect(listed.data.every((k) => !('hash' in k))).toBe(true);
    const past = await errorOf(
      member.send('/admin/v1/accounts/d/keys', {
        method: 'POST',
        json: { name: 'old', expires_at: '2001-01-01T00:00:00Z' },
      }),
    );
    expect(past).toMatchObject({ status: 400, param: 'expires_at' });
  });
});
