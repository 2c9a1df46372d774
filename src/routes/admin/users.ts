// Dashboard users (account tree and identity): /admin/v1/accounts/{id}/users to list and create,
// /admin/v1/users/{id} to
// change role, status or password, and delete.
import { createRoute, z } from '@hono/zod-openapi';
import { userRoles } from '../../tenancy/permissions';
import { createUser, deleteUser, listUsers, type UserRow, updateUser } from '../../tenancy/users';
import {
  adminContext,
  adminRouter,
  body,
  conflictResponse,
  deleted,
  errorResponses,
  idParam,
  iso,
  json,
  OK,
  ok,
  security,
} from './openapi';

export const userSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    email: z.string(),
    role: z.enum(userRoles),
    status: z.enum(['active', 'disabled']),
    created_at: z.string(),
    last_login_at: z.string().nullable(),
  })
  .openapi('User');

export function userOut(u: UserRow): z.infer<typeof userSchema> {
  return {
    id: u.id,
    account_id: u.accountId,
    email: u.email,
    role: u.role,
    status: u.status,
    created_at: iso(u.createdAt) as string,
    last_login_at: iso(u.lastLoginAt),
  };
}

const password = z.string().min(12, 'must be at least 12 characters').max(256);

const createBody = z
  .object({ email: z.email().max(254), password, role: z.enum(userRoles) })
  .strict()
  .openapi('UserCreate');

const updateBody = z
  .object({ role: z.enum(userRoles), status: z.enum(['active', 'disabled']), password })
  .partial()
  .strict()
  .openapi('UserUpdate');

const tags = ['Users'];

const list = createRoute({
  method: 'get',
  path: '/accounts/{id}/users',
  tags,
  security,
  request: { params: idParam },
  responses: ok(z.object({ data: z.array(userSchema) }), "The account's users"),
});

const create = createRoute({
  method: 'post',
  path: '/accounts/{id}/users',
  tags,
  security,
  summary: 'Create a user (admins up to the admin role; owners any role)',
  request: { params: idParam, body: body(createBody) },
  responses: { 201: json(userSchema, 'The new user'), ...errorResponses, ...conflictResponse },
});

const update = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags,
  security,
  summary: 'Change role, disable / re-enable, or set a new password (not for yourself)',
  request: { params: idParam, body: body(updateBody) },
  responses: ok(userSchema, 'The updated user'),
});

const remove = createRoute({
  method: 'delete',
  path: '/users/{id}',
  tags,
  security,
  request: { params: idParam },
  responses: deleted,
});

export const usersRoute = adminRouter()
  .openapi(list, async (c) => {
    const rows = await listUsers(adminContext(c), c.req.valid('param').id);
    return c.json({ data: rows.map(userOut) }, 200);
  })
  .openapi(create, async (c) => {
    const row = await createUser(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(userOut(row), 201);
  })
  .openapi(update, async (c) => {
    const row = await updateUser(adminContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(userOut(row), 200);
  })
  .openapi(remove, async (c) => {
    await deleteUser(adminContext(c), c.req.valid('param').id);
    return c.json(OK, 200);
  });
