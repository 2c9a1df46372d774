// /admin/v1/accounts — the account tree (account tree and identity): subtree listing, create a child, read,
// update,
// suspend / reactivate / disable, delete.
import { createRoute, z } from '@hono/zod-openapi';
import { policySchema, slug } from '../../policy/schema';
import { notifyConfigChange } from '../../state/propagation';
import {
  createAccount,
  deleteAccount,
  listSubtree,
  readAccount,
  setAccountStatus,
  updateAccount,
} from '../../tenancy/accounts';
import type { AccountRow } from '../../tenancy/chain';
import { publish } from '../../webhooks/deliver';
import { accountSuspended } from '../../webhooks/events';
import {
  adminContext,
  adminRouter,
  body,
  conflictResponse,
  errorResponses,
  idParam,
  iso,
  json,
  OK,
  ok,
  okSchema,
  pageQuery,
  security,
  wideningResponse,
} from './openapi';

export const accountSchema = z
  .object({
    id: z.string(),
    parent_id: z.string().nullable(),
    path: z.string().openapi({ example: '/acme/engineering/' }),
    depth: z.number().int(),
    name: z.string(),
    kind: z.string(),
    status: z.enum(['active', 'suspended', 'disabled']),
    level: z.number().int().nullable(),
    timezone: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Account');

export function accountOut(a: AccountRow): z.infer<typeof accountSchema> {
  return {
    id: a.id,
    parent_id: a.parentId,
    path: a.path,
    depth: a.depth,
    name: a.name,
    kind: a.kind,
    status: a.status,
    level: a.level,
    timezone: a.timezone,
    created_at: iso(a.createdAt) as string,
    updated_at: iso(a.updatedAt) as string,
  };
}

const createBody = z
  .object({
    /** Optional; generated when absent. Ids are global and become part of the account path. */
    id: slug.optional(),
    /** Defaults to the caller's own account. */
    parent_id: z.string().optional(),
    name: z.string().min(1).max(200),
    kind: z.string().min(1).max(40).default('team'),
    level: z.number().int().positive().nullable().optional(),
    policy: policySchema.optional(),
  })
  .strict()
  .openapi('AccountCreate');

const updateBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    kind: z.string().min(1).max(40).optional(),
    level: z.number().int().positive().nullable().optional(),
    policy: policySchema.optional(),
    /** Accepted only when unchanged: accounts are never moved. */
    parent_id: z.string().optional(),
  })
  .strict()
  .openapi('AccountUpdate');

const listQuery = pageQuery.extend({
  /** List this account's subtree instead of the caller's (it must be inside the caller's). */
  root: z.string().optional(),
});

const pageSchema = z
  .object({ data: z.array(accountSchema), next_cursor: z.string().nullable() })
  .openapi('AccountPage');

const tags = ['Accounts'];

const list = createRoute({
  method: 'get',
  path: '/accounts',
  tags,
  security,
  summary: "List the caller's subtree (or `root`'s), ordered by path, with cursor pagination",
  request: { query: listQuery },
  responses: ok(pageSchema, 'One page of accounts'),
});

const create = createRoute({
  method: 'post',
  path: '/accounts',
  tags,
  security,
  summary: "Create a child account under the caller's account or one of its descendants",
  request: { body: body(createBody) },
  responses: {
    201: json(accountSchema, 'The new account'),
    ...errorResponses,
    ...conflictResponse,
    ...wideningResponse,
  },
});

const read = createRoute({
  method: 'get',
  path: '/accounts/{id}',
  tags,
  security,
  request: { params: idParam },
  responses: ok(accountSchema, 'The account'),
});

const update = createRoute({
  method: 'patch',
  path: '/accounts/{id}',
  tags,
  security,
  summary: 'Change name, kind, default level or policy; moving to another parent is refused',
  request: { params: idParam, body: body(updateBody) },
  responses: { 200: json(accountSchema, 'The updated account'), ...errorResponses, ...wideningResponse },
});

const remove = createRoute({
  method: 'delete',
  path: '/accounts/{id}',
  tags,
  security,
  summary: 'Delete an account without children and with a zero balance',
  request: { params: idParam },
  responses: { 200: json(okSchema, 'Deleted'), ...errorResponses, ...conflictResponse },
});

function statusRoute(action: 'suspend' | 'reactivate' | 'disable') {
  return createRoute({
    method: 'post',
    path: `/accounts/{id}/${action}`,
    tags,
    security,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a descendant account (applies to its whole subtree)`,
    request: { params: idParam },
    responses: ok(accountSchema, 'The account with its new status'),
  });
}

const statusOf = { suspend: 'suspended', reactivate: 'active', disable: 'disabled' } as const;

export const accountsRoute = adminRouter()
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await listSubtree(adminContext(c), q);
    return c.json({ data: page.data.map(accountOut), next_cursor: page.nextCursor }, 200);
  })
  .openapi(create, async (c) => {
    const row = await createAccount(adminContext(c), c.req.valid('json'));
    return c.json(accountOut(row), 201);
  })
  .openapi(read, async (c) =>
    c.json(accountOut(await readAccount(adminContext(c), c.req.valid('param').id)), 200),
  )
  .openapi(update, async (c) => {
    const row = await updateAccount(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    await notifyConfigChange(c.env);
    return c.json(accountOut(row), 200);
  })
  .openapi(remove, async (c) => {
    await deleteAccount(adminContext(c), c.req.valid('param').id);
    await notifyConfigChange(c.env);
    return c.json(OK, 200);
  });

for (const action of ['suspend', 'reactivate', 'disable'] as const) {
  accountsRoute.openapi(statusRoute(action), async (c) => {
    const row = await setAccountStatus(adminContext(c), c.req.valid('param').id, statusOf[action]);
    await notifyConfigChange(c.env);
    if (action === 'suspend')
      await publish(c.env, accountSuspended(row, String(row.configVersion), 'admin', row.updatedAt));
    return c.json(accountOut(row), 200);
  });
}
