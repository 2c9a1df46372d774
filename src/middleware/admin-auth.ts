// Authenticates admin API calls: a bearer management token (CI, scripts, the bootstrap token) or a
// dashboard session cookie. Cookie-authenticated writes must echo the CSRF token (double submit).
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { authenticateAdmin, authenticateSession } from '../auth/admin-actor';
import { credentialFrom } from '../auth/credentials';
import { CSRF_COOKIE, CSRF_HEADER, csrfMatches, needsCsrf, SESSION_COOKIE } from '../auth/session';
import { AuthenticationError, PermissionDeniedError } from '../errors/gateway-error';

export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuthMiddleware(c, next) {
    const now = Date.now();
    // Headers only: `?key=` is Gemini's way for proxy calls; on the admin API it is a filter (the
    // request log's `key`), and a management token never belongs in a URL.
    const token = credentialFrom(c.req.raw.headers, () => new URL('http://admin.invalid/'));
    if (token) {
      c.set('actor', await authenticateAdmin(c.env, token, now));
      return next();
    }
    const session = getCookie(c, SESSION_COOKIE);
    if (session) {
      const { actor, csrf } = await authenticateSession(c.env, session, now);
      if (
        needsCsrf(c.req.method) &&
        !csrfMatches(csrf, getCookie(c, CSRF_COOKIE), c.req.header(CSRF_HEADER))
      ) {
        throw new PermissionDeniedError(
          'csrf_token_invalid',
          `Writes from a signed-in session must send the ${CSRF_HEADER} header with the ${CSRF_COOKIE} cookie's value.`,
        );
      }
      c.set('actor', actor);
      return next();
    }
    throw new AuthenticationError(
      'missing_management_token',
      'Send a management token as "Authorization: Bearer <token>", or sign in with POST /admin/v1/auth/login.',
    );
  });
}
