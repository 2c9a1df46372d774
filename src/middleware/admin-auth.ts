import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { credentialFrom } from '../auth/credentials';
import { AuthenticationError } from '../errors/gateway-error';
import { authenticateAdmin } from '../routes/admin/actor';

export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuthMiddleware(c, next) {
    const token = credentialFrom(c.req.raw.headers, new URL(c.req.url));
    if (!token)
      throw new AuthenticationError(
        'missing_management_token',
        'Send a management token as "Authorization: Bearer <token>".',
      );
    c.set('actor', await authenticateAdmin(c.env, token, Date.now()));
    await next();
  });
}
