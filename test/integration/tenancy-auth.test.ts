// Dashboard sign-in (account tree and identity): PBKDF2 passwords, session JWT in an
// HttpOnly/Secure/SameSite=Strict
// cookie, CSRF double submit on cookie writes, refusal of expired and forged sessions, immediate
// effect of disabling a user or changing a role; and the role rules for users and tokens.
import { createExecutionContext, env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src';
import { applyPolicy } from './helpers';
import {
  bearer,
  call,
  cookiesOf,
  errorOf,
  login,
  ok,
  PASSWORD,
  root,
  type Session,
  treePolicy,
} from './tenancy-helpers';

const SECRET = 'test-session-secret-not-for-production-0000000000';
let userIds: Record<string, string> = {};

beforeAll(async () => {
  await applyPolicy(treePolicy());
  userIds = {};
  for (const [email, account, role] of [
    ['owner@b.example', 'b', 'owner'],
    ['admin@b.example', 'b', 'admin'],
    ['member@b.example', 'b', 'member'],
    ['viewer@b.example', 'b', 'viewer'],
    ['Admin2@B.example', 'b', 'admin'],
  ] as const) {
    const user = await ok<{ id: string }>(
      root.send(`/admin/v1/accounts/${account}/users`, {
        method: 'POST',
        json: { email, password: PASSWORD, role },
      }),
      201,
    );
    userIds[email.toLowerCase()] = user.id;
  }
});

describe('login', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict session cookie and a readable CSRF cookie', async () => {
    const res = await call('/admin/v1/auth/login', {
      method: 'POST',
      json: { email: 'ADMIN@b.example', password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { email: string; role: string }; csrf_token: string };
    expect(body.user).toMatchObject({ email: 'admin@b.example', role: 'admin' });
    const cookies = cookiesOf(res);
    const session = cookies.get('sy_session');
    expect(session?.value.split('.')).toHaveLength(3);
    expect(session?.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/admin']),
    );
    const csrf = cookies.get('sy_csrf');
    expect(csrf?.value).toBe(body.csrf_token);
    expect(csrf?.attributes).toEqual(expect.arrayContaining(['Secure', 'SameSite=Strict', 'Path=/']));
    expect(csrf?.attributes).not.toContain('HttpOnly');
    const stored = await env.DB.prepare('SELECT password_hash, last_login_at FROM users WHERE email = ?')
      .bind('admin@b.example')
      .first<{ password_hash: string; last_login_at: number }>();
    expect(stored?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(stored?.last_login_at).toBeGreaterThan(0);
  });

  it('answers a wrong password and an unknown email the same way (401)', async () => {
    const wrong = await errorOf(
      call('/admin/v1/auth/login', { method: 'POST', json: { email: 'admin@b.example', password: 'nope' } }),
    );
    const unknown = await errorOf(
      call('/admin/v1/auth/login', { method: 'POST', json: { email: 'who@b.example', password: 'nope' } }),
    );
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect({ ...unknown, request_id: '' }).toEqual({ ...wrong, request_id: '' });
  });

  it('fails closed, without a 500, when the session secret is missing', async () => {
    const request = new Request('http://gateway.test/admin/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@b.example', password: PASSWORD }),
    });
    const res = await worker.fetch(
      request,
      { ...env, SWITCHYARD_SESSION_SECRET: undefined },
      createExecutionContext(),
    );
    expect(await errorOf(res)).toMatchObject({ status: 503, code: 'sessions_not_configured' });
  });
});

describe('session use', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await login('admin@b.example', PASSWORD);
  });

  it('reads with the cookie alone; writes need the CSRF header matching the cookie', async () => {
    const me = await ok<{ type: string; role: string; account_id: string }>(
      call('/admin/v1/auth/me', { headers: { cookie: admin.cookie } }),
    );
    expect(me).toMatchObject({ type: 'user', role: 'admin', account_id: 'b' });
    // What the console needs to show money and times the root's way.
    expect(me).toMatchObject({ timezone: 'UTC', currency: 'USD', usage_retention_days: 90 });
    const write = { method: 'POST', json: { parent_id: 'b', name: 'csrf' } };
    const missing = await errorOf(
      call('/admin/v1/accounts', { ...write, headers: { cookie: admin.cookie } }),
    );
    expect(missing).toMatchObject({ status: 403, code: 'csrf_token_invalid' });
    const wrong = await errorOf(
      call('/admin/v1/accounts', { ...write, headers: { cookie: admin.cookie, 'x-csrf-token': 'forged' } }),
    );
    expect(wrong).toMatchObject({ status: 403, code: 'csrf_token_invalid' });
    // A planted csrf cookie that matches the header but not the session's claim is refused too.
    const planted = admin.cookie.replace(/sy_csrf=[^;]+/, 'sy_csrf=planted');
    const plant = await errorOf(
      call('/admin/v1/accounts', { ...write, headers: { cookie: planted, 'x-csrf-token': 'planted' } }),
    );
    expect(plant.code).toBe('csrf_token_invalid');
    await ok(admin.send('/admin/v1/accounts', write), 201);
  });

  it('refuses expired, forged and unknown-user sessions', async () => {
    const sign = (secret: string, claims: { sub: string; exp: number }) =>
      new SignJWT({ csrf: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer('switchyard')
        .setAudience('switchyard-admin')
        .setIssuedAt()
        .setExpirationTime(claims.exp)
        .sign(new TextEncoder().encode(secret));
    const future = Math.floor(Date.now() / 1000) + 600;
    const adminId = userIds['admin@b.example'] as string;
    for (const jwt of [
      await sign(SECRET, { sub: adminId, exp: Math.floor(Date.now() / 1000) - 10 }),
      await sign('some-other-secret-of-sufficient-length-000', { sub: adminId, exp: future }),
      await sign(SECRET, { sub: 'usr_nobody', exp: future }),
      'not.a.jwt',
    ]) {
      const err = await errorOf(call('/admin/v1/auth/me', { headers: { cookie: `sy_session=${jwt}` } }));
      expect(err).toMatchObject({ status: 401, code: 'invalid_session' });
    }
  });

  it('applies disabling a user and changing a role to the very next request', async () => {
    const owner = await login('owner@b.example', PASSWORD);
    const other = await login('admin2@b.example', PASSWORD);
    const id = userIds['admin2@b.example'] as string;
    await ok(owner.send(`/admin/v1/users/${id}`, { method: 'PATCH', json: { role: 'viewer' } }));
    expect(
      await errorOf(
        other.send('/admin/v1/accounts', { method: 'POST', json: { parent_id: 'b', name: 'x' } }),
      ),
    ).toMatchObject({
      status: 403,
      code: 'insufficient_role',
    });
    await ok(owner.send(`/admin/v1/users/${id}`, { method: 'PATCH', json: { status: 'disabled' } }));
    expect((await errorOf(other.send('/admin/v1/auth/me'))).code).toBe('invalid_session');
    expect(
      (
        await errorOf(
          call('/admin/v1/auth/login', {
            method: 'POST',
            json: { email: 'admin2@b.example', password: PASSWORD },
          }),
        )
      ).code,
    ).toBe('invalid_credentials');
  });

  it('never takes a management token from the URL: `?key=` on the admin API is a filter', async () => {
    const err = await errorOf(call('/admin/v1/auth/me?key=sya_test_admin_token'));
    expect(err).toMatchObject({ status: 401, code: 'missing_management_token' });
    // With a session, `?key=` does not replace it.
    const s = await login('viewer@b.example', PASSWORD);
    expect((await s.send('/admin/v1/auth/me?key=sym_not_a_token')).status).toBe(200);
  });

  it('logout clears both cookies', async () => {
    const s = await login('viewer@b.example', PASSWORD);
    const res = await s.send('/admin/v1/auth/logout', { method: 'POST' });
    expect(res.status).toBe(200);
    const cookies = cookiesOf(res);
    expect(cookies.get('sy_session')?.attributes).toContain('Max-Age=0');
    expect(cookies.get('sy_csrf')?.attributes).toContain('Max-Age=0');
  });

  it('refuses sign-in and sessions under a suspended ancestor', async () => {
    const viewer = await login('viewer@b.example', PASSWORD);
    await ok(root.send('/admin/v1/accounts/b/suspend', { method: 'POST' }));
    expect(await errorOf(viewer.send('/admin/v1/auth/me'))).toMatchObject({
      status: 403,
      code: 'account_suspended',
    });
    expect(
      (
        await errorOf(
          call('/admin/v1/auth/login', {
            method: 'POST',
            json: { email: 'viewer@b.example', password: PASSWORD },
          }),
        )
      ).code,
    ).toBe('account_suspended');
    await ok(root.send('/admin/v1/accounts/b/reactivate', { method: 'POST' }));
  });
});

describe('role rules for users and tokens', () => {
  it('admins manage users up to admin; only owners create owners; nobody edits themselves', async () => {
    const admin = await login('admin@b.example', PASSWORD);
    await ok(
      admin.send('/admin/v1/accounts/b/users', {
        method: 'POST',
        json: { email: 'new-admin@b.example', password: PASSWORD, role: 'admin' },
      }),
      201,
    );
    const owner = await errorOf(
      admin.send('/admin/v1/accounts/b/users', {
        method: 'POST',
        json: { email: 'new-owner@b.example', password: PASSWORD, role: 'owner' },
      }),
    );
    expect(owner).toMatchObject({ status: 403, code: 'insufficient_role' });
    const demote = await errorOf(
      admin.send(`/admin/v1/users/${userIds['owner@b.example']}`, {
        method: 'PATCH',
        json: { role: 'viewer' },
      }),
    );
    expect(demote).toMatchObject({ status: 403, code: 'insufficient_role' });
    const self = await errorOf(
      admin.send(`/admin/v1/users/${userIds['admin@b.example']}`, {
        method: 'PATCH',
        json: { role: 'owner' },
      }),
    );
    expect(self.status).toBe(403);
    const member = await login('member@b.example', PASSWORD);
    const byMember = await errorOf(
      member.send('/admin/v1/accounts/b/users', {
        method: 'POST',
        json: { email: 'x@b.example', password: PASSWORD, role: 'viewer' },
      }),
    );
    expect(byMember).toMatchObject({ status: 403, code: 'insufficient_role' });
    const dup = await errorOf(
      admin.send('/admin/v1/accounts/d/users', {
        method: 'POST',
        json: { email: 'member@b.example', password: PASSWORD, role: 'viewer' },
      }),
    );
    expect(dup).toMatchObject({ status: 409, code: 'email_taken' });
    const short = await errorOf(
      admin.send('/admin/v1/accounts/d/users', {
        method: 'POST',
        json: { email: 'y@b.example', password: 'short', role: 'viewer' },
      }),
    );
    expect(short).toMatchObject({ status: 400, param: 'password' });
  });

  it('tokens are shown once, hashed, scoped, expiring, never wider than their creator, and revocable', async () => {
    const admin = await login('admin@b.example', PASSWORD);
    const escalate = await errorOf(
      admin.send('/admin/v1/accounts/b/tokens', { method: 'POST', json: { name: 'ci', scopes: ['admin'] } }),
    );
    expect(escalate).toMatchObject({ status: 403, code: 'scope_escalation' });
    const created = await ok<{ id: string; token: string; prefix: string; expires_at: string }>(
      admin.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'ci', scopes: ['usage:read'] },
      }),
      201,
    );
    expect(created.token).toMatch(/^sym_/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(Date.parse(created.expires_at)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    const listed = await ok<{ data: Record<string, unknown>[] }>(admin.send('/admin/v1/accounts/b/tokens'));
    expect(JSON.stringify(listed)).not.toContain(created.token);
    const ci = bearer(created.token);
    await ok(ci.send('/admin/v1/usage/daily'));
    expect(await errorOf(ci.send('/admin/v1/accounts/b'))).toMatchObject({
      status: 403,
      code: 'missing_scope',
    });
    await ok(admin.send(`/admin/v1/tokens/${created.id}/revoke`, { method: 'POST' }));
    expect(await errorOf(ci.send('/admin/v1/usage/daily'))).toMatchObject({
      status: 401,
      code: 'invalid_management_token',
    });
    const past = await errorOf(
      admin.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'old', scopes: ['read'], expires_at: '2020-01-01T00:00:00Z' },
      }),
    );
    expect(past).toMatchObject({ status: 400, param: 'expires_at' });
  });
});

describe('tokens minted by tokens', () => {
  it('never outlive their creator, and go when their creator is revoked', async () => {
    const admin = await login('admin@b.example', PASSWORD);
    const hour = new Date(Date.now() + 3_600_000).toISOString();
    const minter = await ok<{ id: string; token: string }>(
      admin.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'minter', scopes: ['tokens:write', 'read'], expires_at: hour },
      }),
      201,
    );
    const m = bearer(minter.token);
    const later = await errorOf(
      m.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'forever', scopes: ['read'], expires_at: '2099-01-01T00:00:00Z' },
      }),
    );
    expect(later).toMatchObject({ status: 400, param: 'expires_at' });
    // Without expires_at the child gets its creator's expiry (sooner than the 90-day default).
    const child = await ok<{ id: string; token: string; expires_at: string }>(
      m.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'child', scopes: ['tokens:write', 'read'] },
      }),
      201,
    );
    expect(Date.parse(child.expires_at)).toBeLessThanOrEqual(Date.parse(hour));
    const grandchild = await ok<{ token: string }>(
      bearer(child.token).send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'grandchild', scopes: ['read'] },
      }),
      201,
    );
    await ok(bearer(grandchild.token).send('/admin/v1/accounts/b'));
    await ok(admin.send(`/admin/v1/tokens/${minter.id}/revoke`, { method: 'POST' }));
    for (const t of [minter.token, child.token, grandchild.token]) {
      expect(await errorOf(bearer(t).send('/admin/v1/accounts/b'))).toMatchObject({
        status: 401,
        code: 'invalid_management_token',
      });
    }
  });
});

describe('OpenAPI document', () => {
  it('is served without credentials and describes the admin API from its zod schemas', async () => {
    const doc = await ok<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>(call('/admin/v1/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/admin/v1/auth/login',
      '/admin/v1/accounts',
      '/admin/v1/accounts/{id}/policy',
      '/admin/v1/accounts/{id}/effective-policy',
      '/admin/v1/accounts/{id}/ledger/allocate',
      '/admin/v1/keys/{id}/revoke',
      '/admin/v1/upstream-keys',
      '/admin/v1/audit',
      '/admin/v1/usage/daily',
      '/admin/v1/policy/apply',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.components.schemas).toHaveProperty('Account');
    expect(doc.components.schemas).toHaveProperty('EffectivePolicy');
  });
});
