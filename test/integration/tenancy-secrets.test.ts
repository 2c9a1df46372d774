// Secrets at rest (security and failure behaviour): upstream keys written through the admin API are
// encrypted exactly like
// the policy loader does and still serve traffic; gateway keys, management tokens, passwords and
// redemption codes exist only as hashes; reads and audit rows never show them.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy } from './helpers';
import { call, errorOf, ok, PASSWORD, root, treePolicy } from './tenancy-helpers';

const fakeUrl = inject('fakeProviderUrl');
// Keys that do not start with `fake-` get the fake provider's default (successful) behaviour.
const upstreamSecret = 'test-upstream-secret-value-1234';
const rotated = 'test-upstream-secret-rotated-9876';
const cleartext: string[] = [];

async function dumpDatabase(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    parts.push(JSON.stringify({ name, results }));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  await applyPolicy(treePolicy());
});

describe('secrets at rest', () => {
  it('stores an upstream key encrypted, shows only its last 4, and serves traffic with it', async () => {
    await ok(
      root.send('/admin/v1/levels', { method: 'POST', json: { id: 2, name: 'fake', retries: 0 } }),
      201,
    );
    const created = await ok<Record<string, unknown>>(
      root.send('/admin/v1/upstream-keys', {
        method: 'POST',
        json: {
          id: 'fake-1',
          level_id: 2,
          provider: 'openai-compatible',
          base_url: `${fakeUrl}/v1`,
          secret: upstreamSecret,
        },
      }),
      201,
    );
    expect(created).toMatchObject({ id: 'fake-1', has_secret: true, last4: '1234', kek_id: 'test-1' });
    cleartext.push(upstreamSecret);
    expect(JSON.stringify(created)).not.toContain(upstreamSecret);
    await ok(
      root.send('/admin/v1/accounts/a/policy', {
        method: 'PUT',
        json: { ...treePolicy().accounts[0]?.policy, level_mapper: { 'mock-*': 1, 'fake-*': 2 } },
      }),
    );
    const key = await ok<{ key: string }>(
      root.send('/admin/v1/accounts/d/keys', { method: 'POST', json: { name: 'app' } }),
      201,
    );
    cleartext.push(key.key);
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}` },
      json: { model: 'fake-small', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await res.text();

    const updated = await ok<Record<string, unknown>>(
      root.send('/admin/v1/upstream-keys/fake-1', { method: 'PATCH', json: { secret: rotated } }),
    );
    expect(updated['last4']).toBe('9876');
    cleartext.push(rotated);
    const listed = await ok<{ data: Record<string, unknown>[] }>(root.send('/admin/v1/levels'));
    expect(JSON.stringify(listed)).not.toMatch(/ciphertext|fingerprint|secret-value|secret-rotated/);
  });

  it('creates the other secrets through the API', async () => {
    const token = await ok<{ token: string }>(
      root.send('/admin/v1/accounts/b/tokens', { method: 'POST', json: { name: 'ci', scopes: ['read'] } }),
      201,
    );
    cleartext.push(token.token, PASSWORD);
    await ok(
      root.send('/admin/v1/accounts/b/users', {
        method: 'POST',
        json: { email: 'u@b.example', password: PASSWORD, role: 'viewer' },
      }),
      201,
    );
    await ok(
      root.send('/admin/v1/plans', {
        method: 'POST',
        json: { id: 'p', name: 'p', kind: 'card', amount: '1', validity_days: 1 },
      }),
      201,
    );
    const codes = await ok<{ codes: string[] }>(
      root.send('/admin/v1/redemption-codes', { method: 'POST', json: { plan_id: 'p' } }),
      201,
    );
    cleartext.push(...codes.codes);
  });

  it('a database dump holds none of them in clear text, audit rows included', async () => {
    const dump = await dumpDatabase();
    expect(cleartext.length).toBe(6);
    for (const secret of cleartext) expect(dump).not.toContain(secret);
    const row = await env.DB.prepare(
      "SELECT ciphertext, kek_id FROM upstream_keys WHERE id = 'fake-1'",
    ).first<{ ciphertext: string }>();
    expect(row?.ciphertext).toMatch(/^v1\./);
    const audit = await env.DB.prepare(
      "SELECT after FROM audit_log WHERE action IN ('key.create', 'user.create', 'upstream_key.update')",
    ).all<{
      after: string;
    }>();
    expect(audit.results).toHaveLength(3);
    for (const r of audit.results) expect(r.after).toContain('[redacted]');
  });

  it('keeps levels and upstream keys with the root', async () => {
    const token = await ok<{ token: string }>(
      root.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'ops', scopes: ['catalog:write'] },
      }),
      201,
    );
    const res = await call('/admin/v1/upstream-keys', {
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(await errorOf(res)).toMatchObject({ status: 403, code: 'root_required' });
  });
});
