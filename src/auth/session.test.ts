import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from './password';
import { csrfMatches, needsCsrf, SESSION_TTL_SECONDS, signSession, verifySession } from './session';

const secret = 'unit-test-session-secret-0000000000000000';
const now = Date.UTC(2026, 0, 1);

describe('sessions', () => {
  it('round-trips and expires', async () => {
    const { token, expiresAt } = await signSession(secret, { userId: 'u1', csrf: 'c1' }, now);
    expect(await verifySession(secret, token, now + 1000)).toEqual({ userId: 'u1', csrf: 'c1', expiresAt });
    expect(await verifySession(secret, token, now + SESSION_TTL_SECONDS * 1000 + 1000)).toBeNull();
  });

  it('refuses forged, re-signed and unsigned tokens', async () => {
    const { token } = await signSession(secret, { userId: 'u1', csrf: 'c1' }, now);
    expect(await verifySession(`${secret}-other`, token, now)).toBeNull();
    const [h, , s] = token.split('.');
    const forgedBody = btoa(JSON.stringify({ sub: 'admin', csrf: 'c', exp: now / 1000 + 60 })).replace(
      /=+$/,
      '',
    );
    expect(await verifySession(secret, `${h}.${forgedBody}.${s}`, now)).toBeNull();
    const none = `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${forgedBody}.`;
    expect(await verifySession(secret, none, now)).toBeNull();
    const noCsrf = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('switchyard')
      .setAudience('switchyard-admin')
      .setExpirationTime(now / 1000 + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await verifySession(secret, noCsrf, now)).toBeNull();
  });

  it('needs a matching CSRF header, cookie and claim on writes only', () => {
    expect(needsCsrf('GET')).toBe(false);
    expect(needsCsrf('post')).toBe(true);
    expect(csrfMatches('abc', 'abc', 'abc')).toBe(true);
    expect(csrfMatches('abc', 'abc', undefined)).toBe(false);
    expect(csrfMatches('abc', 'xyz', 'xyz')).toBe(false);
    expect(csrfMatches('abc', 'abc', 'abd')).toBe(false);
  });
});

describe('passwords', () => {
  it('hashes with PBKDF2-SHA256, 100k iterations and a per-user salt', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse!', a)).toBe(false);
    expect(await verifyPassword('anything', DECOY_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});
