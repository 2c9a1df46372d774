// Authenticates proxy traffic with a gateway key, from wherever the caller's SDK put it.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { credentialFrom } from '../auth/credentials';
import { authenticateGatewayKey } from '../auth/gateway-key';
import { AuthenticationError } from '../errors/gateway-error';
import { ensureFreshConfig } from '../state/propagation';

export function gatewayAuth() {
  return createMiddleware<AppEnv>(async function gatewayAuthMiddleware(c, next) {
    const key = credentialFrom(c.req.raw.headers, () => new URL(c.req.url));
    if (!key) {
      throw new AuthenticationError(
        'missing_api_key',
        'No API key provided. Send your gateway key as "Authorization: Bearer <key>", "x-api-key" or "x-goog-api-key".',
      );
    }
    const now = Date.now();
    await ensureFreshConfig(c.env, now);
    c.set('auth', await authenticateGatewayKey(c.env, key, now));
    await next();
  });
}
