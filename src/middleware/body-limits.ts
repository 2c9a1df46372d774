// The input limits (performance) for admin bodies, which hono's validators parse: size, then the JSON
// shape (depth, one field's size) before any parser sees it. Proxy bodies are checked where they
// are read (src/proxy/read-json.ts). The body is read from a clone, so the route reads it as usual.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { PayloadTooLargeError } from '../errors/gateway-error';
import { checkJsonShape } from '../lib/json-shape';

/** Admin bodies (a whole policy file is the largest, src/routes/admin/policy.ts). */
export const MAX_ADMIN_BODY_BYTES = 5 * 1024 * 1024;

export function adminBodyLimits() {
  return createMiddleware<AppEnv>(async function adminBodyLimitsMiddleware(c, next) {
    const raw = c.req.raw;
    if (raw.body === null || raw.method === 'GET' || raw.method === 'HEAD') return next();
    const tooLarge = () =>
      new PayloadTooLargeError('request_too_large', `Request body exceeds ${MAX_ADMIN_BODY_BYTES} bytes.`);
    if (Number(raw.headers.get('content-length') ?? '0') > MAX_ADMIN_BODY_BYTES) throw tooLarge();
    const text = await raw.clone().text();
    if (text.length > MAX_ADMIN_BODY_BYTES) throw tooLarge();
    checkJsonShape(text);
    return next();
  });
}
