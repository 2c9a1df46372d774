// Management tokens (account tree and identity): /admin/v1/accounts/{id}/tokens to list and create (`sym_…`,
// shown
// once), /admin/v1/tokens/{id}/revoke.
import { createRoute, z } from '@hono/zod-openapi';
import { createToken, listTokens, type ManagementTokenRow, revokeToken } from '../../auth/management-tokens';
import { tokenScopes } from '../../tenancy/permissions';
import { adminContext, adminRouter, body, created, idParam, iso, ok, security } from './openapi';

const tokenSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    revoked: z.boolean(),
    created_at: z.string(),
    created_by: z.string().nullable(),
  })
  .openapi('ManagementToken');

function tokenOut(t: ManagementTokenRow): z.infer<typeof tokenSchema> {
  return {
    id: t.id,
    account_id: t.accountId,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expires_at: iso(t.expiresAt),
    revoked: t.revokedAt !== null,
    created_at: iso(t.createdAt) as string,
    created_by: t.createdBy,
  };
}

const createBody = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(tokenScopes)).min(1),
    /** Defaults to 90 days from now. */
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('ManagementTokenCreate');

const tags = ['Management tokens'];

const list = createRoute({
  method: 'get',
  path: '/accounts/{id}/tokens',
  tags,
  security,
  request: { params: idParam },
  responses: ok(z.object({ data: z.array(tokenSchema) }), "The account's management tokens"),
});

const create = createRoute({
  method: 'post',
  path: '/accounts/{id}/tokens',
  tags,
  security,
  summary: "Create a scoped, expiring token (never more than the creator's own rights), shown once",
  request: { params: idParam, body: body(createBody) },
  responses: created(
    tokenSchema.extend({ token: z.string() }).openapi('ManagementTokenCreated'),
    'The token, shown once',
  ),
});

const revoke = createRoute({
  method: 'post',
  path: '/tokens/{id}/revoke',
  tags,
  security,
  request: { params: idParam },
  responses: ok(tokenSchema, 'The revoked token'),
});

export const tokensRoute = adminRouter()
  .openapi(list, async (c) => {
    const rows = await listTokens(adminContext(c), c.req.valid('param').id);
    return c.json({ data: rows.map(tokenOut) }, 200);
  })
  .openapi(create, async (c) => {
    const { row, token } = await createToken(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...tokenOut(row), token }, 201);
  })
  .openapi(revoke, async (c) =>
    c.json(tokenOut(await revokeToken(adminContext(c), c.req.valid('param').id)), 200),
  );
