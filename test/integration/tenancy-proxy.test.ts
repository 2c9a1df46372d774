// Admin writes reach request handling on the very next proxy request (account tree and identity): a revoked
// key, a
// suspended ancestor, a removed model and a disallowed IP (or endpoint) are each refused, with
// their own stable codes, in the caller's protocol shape.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { call, errorOf, ok, root, treePolicy } from './tenancy-helpers';

let key = '';
let keyId = '';

function chat(headers: Record<string, string> = {}, model = 'mock-small') {
  return call('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'cf-connecting-ip': '10.1.2.3', ...headers },
    json: { model, messages: [{ role: 'user', content: 'hi' }] },
  });
}

async function expectServed(res: Promise<Response>) {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(200);
  await r.text();
}

const put = (account: string, policy: unknown) =>
  ok(root.send(`/admin/v1/accounts/${account}/policy`, { method: 'PUT', json: policy }));

beforeAll(async () => {
  await applyPolicy(treePolicy());
  const created = await ok<{ id: string; key: string; prefix: string }>(
    root.send('/admin/v1/accounts/d/keys', { method: 'POST', json: { name: 'app' } }),
    201,
  );
  key = created.key;
  keyId = created.id;
  expect(key).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
  expect(created.prefix).toBe(key.slice(0, 10));
});

describe('the next proxy request sees every admin write', () => {
  it('a key created through the API works at once', async () => {
    await expectServed(chat());
  });

  it('a disallowed IP (v4 and v6), and a request without a client address', async () => {
    await put('b', { ip_allow: ['10.0.0.0/8', '2001:db8::/32'] });
    await expectServed(chat());
    await expectServed(chat({ 'cf-connecting-ip': '2001:db8::7' }));
    const v4 = await errorOf(chat({ 'cf-connecting-ip': '192.168.1.1' }));
    expect(v4).toMatchObject({ status: 403, code: 'ip_not_allowed' });
    expect(v4.message).toContain('account:b');
    expect((await errorOf(chat({ 'cf-connecting-ip': '2001:db9::1' }))).code).toBe('ip_not_allowed');
    expect((await errorOf(chat({ 'cf-connecting-ip': '' }))).code).toBe('ip_not_allowed');
  });

  it("refuses in the caller's protocol shape (Gemini paths)", async () => {
    const res = await call('/v1beta/models/mock-small:generateContent', {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'cf-connecting-ip': '192.168.1.1' },
      json: {},
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: 403, status: 'PERMISSION_DENIED', details: [{ reason: 'ip_not_allowed' }] },
    });
    await put('b', {});
  });

  it('an endpoint outside the resource allowlist', async () => {
    await put('d', { resources: ['/v1/embeddings'] });
    expect(await errorOf(chat())).toMatchObject({ status: 403, code: 'resource_not_allowed' });
    await put('d', { resources: ['/v1/chat/*'] });
    await expectServed(chat());
    await put('d', {});
  });

  it('a removed model', async () => {
    await expectServed(chat());
    await put('b', { allow_models: ['mock-large'] });
    expect(await errorOf(chat())).toMatchObject({ status: 403, code: 'model_not_allowed' });
    await expectServed(chat({}, 'mock-large'));
    await put('b', {});
  });

  it('a suspended ancestor, then reactivated', async () => {
    await expectServed(chat());
    await ok(root.send('/admin/v1/accounts/b/suspend', { method: 'POST' }));
    expect(await errorOf(chat())).toMatchObject({ status: 403, code: 'account_suspended' });
    await ok(root.send('/admin/v1/accounts/b/reactivate', { method: 'POST' }));
    await expectServed(chat());
    await ok(root.send('/admin/v1/accounts/d/disable', { method: 'POST' }));
    expect(await errorOf(chat())).toMatchObject({ status: 403, code: 'account_disabled' });
    await ok(root.send('/admin/v1/accounts/d/reactivate', { method: 'POST' }));
  });

  it('a key policy, an expiry, and finally revocation', async () => {
    await expectServed(chat());
    await ok(
      root.send(`/admin/v1/keys/${keyId}`, {
        method: 'PATCH',
        json: { policy: { allow_models: ['mock-large'] } },
      }),
    );
    expect((await errorOf(chat())).code).toBe('model_not_allowed');
    await ok(root.send(`/admin/v1/keys/${keyId}`, { method: 'PATCH', json: { policy: null } }));
    await expectServed(chat());
    await ok(root.send(`/admin/v1/keys/${keyId}/revoke`, { method: 'POST' }));
    expect(await errorOf(chat())).toMatchObject({ status: 401, code: 'key_revoked' });
    const listed = await ok<{ data: { id: string; revoked: boolean }[] }>(
      root.send('/admin/v1/accounts/d/keys'),
    );
    expect(listed.data.find((k) => k.id === keyId)?.revoked).toBe(true);
  });
});
