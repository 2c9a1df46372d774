// The answers every Hono app of the Worker gives when nothing matched or something threw, in the
// caller's protocol shape: shared by the main app and the admin app it loads on first use.
import type { Context } from 'hono';
import type { AppEnv } from './app-env';
import { GatewayError, InternalError, NotFoundError } from './errors/gateway-error';
import { errorResponse } from './errors/render';

export function unknownEndpoint(c: Context<AppEnv>): Response {
  const err = new NotFoundError('unknown_endpoint', `No endpoint ${c.req.method} ${c.req.path}.`);
  return errorResponse(err, c.get('protocol'), c.get('requestId'));
}

export function unhandledError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get('requestId') ?? 'unknown';
  if (err instanceof GatewayError) return errorResponse(err, c.get('protocol') ?? 'openai', requestId);
  // Unknown errors are logged with the request id; the caller never sees their text (it may hold
  // SQL, parameters or upstream details).
  console.error(JSON.stringify({ msg: 'unhandled error', requestId, name: err.name, stack: err.stack }));
  return errorResponse(new InternalError(), c.get('protocol') ?? 'openai', requestId);
}
