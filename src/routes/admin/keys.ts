// Gateway keys (account tree and identity): /admin/v1/accounts/{id}/keys to list and create (the key is in
// the create
// response only), /admin/v1/keys/{id} to read, rename, re-scope, change expiry, revoke.
import { createRoute, z } from '@hono/zod-openapi';
import { policySchema } from '../../policy/schema';
import { notifyConfigChange } from '../../state/propagation';
import {
  createKey,
  type GatewayKeyRow,
  listKeys,
  readKey,
  revokeKey,
  updateKey,
} from '../../tenancy/gateway-keys';
import {
  adminContext,
  adminRouter,
  body,
  errorResponses,
  idParam,
  iso,
  json,
  ok,
  pageQuery,
  security,
  wideningResponse,
} from './openapi';

export const keySchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'sy_AbCdEfG' }),
    policy: policySchema.nullable(),
    expires_at: z.string().nullable(),
    revoked: z.boolean(),
    revoked_at: z.string().nullable(),
    created_at: z.string(),
    created_by: z.string().nullable(),
  })
  .openapi('GatewayKey');

const createdSchema = keySchema
  .extend({
    key: z.string().openapi({ description: 'The key itself. Shown once; only its hash is stored.' }),
  })
  .openapi('GatewayKeyCreated');

function keyOut(k: GatewayKeyRow): z.infer<typeof keySchema> {
  return {
    id: k.id,
    account_id: k.accountId,
    name: k.name,
    prefix: k.prefix,
    policy: k.policy ? policySchema.parse(k.policy) : null,
    expires_at: iso(k.expiresAt),
    revoked: k.revokedAt !== null,
    revoked_at: iso(k.revokedAt),
    created_at: iso(k.createdAt) as string,
    created_by: k.createdBy,
  };
}

const createBody = z
  .object({
    name: z.string().min(1).max(100),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    /** Narrower than the account's effective policy, or refused with 422. */
    policy: policySchema.nullable().optional(),
  })
  .strict()
  .openapi('GatewayKeyCreate');

const updateBody = createBody.partial().strict().openapi('GatewayKeyUpdate');

const tags = ['Gateway keys'];

const list = createRoute({
  method: 'get',
  path: '/accounts/{id}/keys',
  tags,
  security,
  summary: "An account's gateway keys (prefix, name, expiry, revocation; never the key)",
  request: { params: idParam, query: pageQuery },
  responses: ok(
    z.object({ data: z.array(keySchema), next_cursor: z.string().nullable() }),
    'One page of keys',
  ),
});

const create = createRoute({
  method: 'post',
  path: '/accounts/{id}/keys',
  tags,
  security,
  summary: 'Create a key `sy_…`, shown once in this response',
  request: { params: idParam, body: body(createBody) },
  responses: {
    201: json(createdSchema, 'The key, with its secret value'),
    ...errorResponses,
    ...wideningResponse,
  },
});

const read = createRoute({
  method: 'get',
  path: '/keys/{id}',
  tags,
  security,
  request: { params: idParam },
  responses: ok(keySchema, 'The key'),
});

const update = createRoute({
  method: 'patch',
  path: '/keys/{id}',
  tags,
  security,
  summary: 'Rename, re-scope (never wider than the account) or change the expiry',
  request: { params: idParam, body: body(updateBody) },
  responses: { 200: json(keySchema, 'The updated key'), ...errorResponses, ...wideningResponse },
});

const revoke = createRoute({
  method: 'post',
  path: '/keys/{id}/revoke',
  tags,
  security,
  summary: 'Revoke: refused from the next proxy request on',
  request: { params: idParam },
  responses: ok(keySchema, 'The revoked key'),
});

export const keysRoute = adminRouter()
  .openapi(list, async (c) => {
    const page = await listKeys(adminContext(c), c.req.valid('param').id, c.req.valid('query'));
    return c.json({ data: page.data.map(keyOut), next_cursor: page.nextCursor }, 200);
  })
  .openapi(create, async (c) => {
    const { row, key } = await createKey(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    // A client may have tried this key before it existed; drop any cached refusal.
    await notifyConfigChange(c.env);
    return c.json({ ...keyOut(row), key }, 201);
  })
  .openapi(read, async (c) => c.json(keyOut(await readKey(adminContext(c), c.req.valid('param').id)), 200))
  .openapi(update, async (c) => {
    const row = await updateKey(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    await notifyConfigChange(c.env);
    return c.json(keyOut(row), 200);
  })
  .openapi(revoke, async (c) => {
    const row = await revokeKey(adminContext(c), c.req.valid('param').id);
    await notifyConfigChange(c.env);
    return c.json(keyOut(row), 200);
  });
