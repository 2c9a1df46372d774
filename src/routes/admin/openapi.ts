// Shared pieces of the admin API's OpenAPI routes: the router factory (validation errors and the
// validator's HTTP exceptions become the gateway's typed errors, rendered once by app.onError),
// common schemas, and the per-request context handed to the tenancy functions.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../../app-env';
import { InvalidRequestError } from '../../errors/gateway-error';
import { invalidRequestFrom } from '../../lib/validate';
import { clientIp } from '../../tenancy/acl';
import { type AdminContext, adminContextOf } from '../../tenancy/context';

export function adminRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequestFrom(result.error);
    },
  });
  router.onError((err) => {
    // The validator throws HTTPExceptions for unreadable bodies; everything else goes up as is.
    if (err instanceof HTTPException) {
      throw err.status === 415
        ? new InvalidRequestError(
            'unsupported_media_type',
            'Send the body as JSON with "content-type: application/json".',
          )
        : new InvalidRequestError('invalid_json', 'The request body is not valid JSON.');
    }
    throw err;
  });
  return router;
}

export function adminContext(c: Context<AppEnv>): AdminContext {
  return adminContextOf(c.env.DB, {
    actor: c.get('actor'),
    now: Date.now(),
    ip: clientIp(c.req.raw.headers),
    requestId: c.get('requestId'),
  });
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const errorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().openapi({ example: 'account_not_found' }),
      request_id: z.string(),
    }),
  })
  .openapi('Error');

const errorContent = { 'application/json': { schema: errorSchema } };

/** The error answers every admin route can give; outside the caller's subtree is always 404. */
export const errorResponses = {
  400: { description: 'Invalid input; `param` names the field', content: errorContent },
  401: { description: 'No or invalid credentials', content: errorContent },
  403: { description: 'The role or token scope does not allow this', content: errorContent },
  404: { description: "Not found, or outside the caller's subtree", content: errorContent },
} as const;

export const conflictResponse = {
  409: { description: 'Conflicts with the current state', content: errorContent },
} as const;
export const wideningResponse = {
  422: { description: "The policy would widen its parent's; `param` names the field", content: errorContent },
} as const;

export const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const pageQuery = z.object({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const okSchema = z.object({ ok: z.literal(true) }).openapi('Ok');

// The answers of a route, so each declares only its own: `schema` on success, then the errors
// every admin route can give.
export const ok = <S extends z.ZodType>(schema: S, description: string) => ({
  200: json(schema, description),
  ...errorResponses,
});
export const created = <S extends z.ZodType>(schema: S, description: string) => ({
  201: json(schema, description),
  ...errorResponses,
});
export const deleted = ok(okSchema, 'Deleted');
/** The body of a route whose answer is only that it worked. */
export const OK = { ok: true } as const;
