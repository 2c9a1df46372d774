// Gives every request an id (echoed in `x-request-id` and every error body) and its protocol.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { protocolForPath } from '../errors/protocol';
import { newRequestId } from '../lib/ids';

export function requestContext() {
  return createMiddleware<AppEnv>(async function requestContextMiddleware(c, next) {
    c.set('requestId', newRequestId());
    c.set('protocol', protocolForPath(c.req.path, c.req.header('anthropic-version')));
    await next();
    // Proxy answers and error bodies carry it already; a header set on a finished response makes
    // hono copy the whole response.
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', c.get('requestId'));
  });
}
