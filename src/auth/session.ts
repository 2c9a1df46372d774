// Dashboard sessions (account tree and identity): an HS256 JWT (jose) in an HttpOnly cookie, plus a CSRF
// token that the
// browser must echo in `x-csrf-token` on every state-changing request (double submit). The CSRF
// token is also a claim of the JWT, so a cookie planted by a sibling origin cannot pass. Pure: the
// secret and the clock are parameters.
import { errors, jwtVerify, SignJWT } from 'jose';

export const SESSION_COOKIE = 'sy_session';
export const CSRF_COOKIE = 'sy_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
const ISSUER = 'switchyard';
const AUDIENCE = 'switchyard-admin';
/** Shorter secrets are refused: HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

export interface SessionClaims {
  userId: string;
  csrf: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signSession(
  secret: string,
  claims: { userId: string; csrf: string },
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(now / 1000);
  const expiresAt = issuedAt + SESSION_TTL_SECONDS;
  const token = await new SignJWT({ csrf: claims.csrf })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(key(secret));
  return { token, expiresAt };
}

/** Null for anything but a valid, unexpired token signed with `secret`. */
export async function verifySession(
  secret: string,
  token: string,
  now: number,
): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
      requiredClaims: ['sub', 'exp', 'csrf'],
    });
    if (typeof payload.sub !== 'string' || typeof payload['csrf'] !== 'string' || payload.exp === undefined)
      return null;
    return { userId: payload.sub, csrf: payload['csrf'], expiresAt: payload.exp };
  } catch (err) {
    if (err instanceof errors.JOSEError) return null;
    throw err;
  }
}

/** Safe methods need no CSRF token; everything else authenticated by cookie does. */
export function needsCsrf(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** The double-submit check: header, cookie and the session's claim must all agree. */
export function csrfMatches(claim: string, cookie: string | undefined, header: string | undefined): boolean {
  if (!cookie || !header) return false;
  if (claim.length !== header.length || cookie.length !== header.length) return false;
  let diff = 0;
  for (let i = 0; i < claim.length; i++)
    diff |= (claim.charCodeAt(i) ^ header.charCodeAt(i)) | (cookie.charCodeAt(i) ^ header.charCodeAt(i));
  return diff === 0;
}
