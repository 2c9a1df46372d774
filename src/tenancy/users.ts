// Dashboard users (account tree and identity): email and password, one role on one account. Admins manage
// users up to the
// admin role in their subtree; owners manage every role. Nobody changes their own role or status.
import { asc, eq } from 'drizzle-orm';
import { hashPassword } from '../auth/password';
import type { UserRole } from '../db/schema';
import { users } from '../db/schema';
import { ConflictError, NotFoundError, PermissionDeniedError } from '../errors/gateway-error';
import { newId } from '../lib/ids';
import { accountInScope, loadAccount } from './chain';
import { type AdminContext, auditRow, enforce, isUniqueViolation, runBatch } from './context';
import { canAssignRole, decide } from './permissions';

export type UserRow = typeof users.$inferSelect;

const userNotFound = (id: string) => () => new NotFoundError('user_not_found', `No user "${id}".`);

function assertAssignable(ctx: AdminContext, role: UserRole): void {
  if (!canAssignRole(ctx.actor, role)) {
    throw new PermissionDeniedError(
      'insufficient_role',
      `Only an owner can manage users with the role "${role}".`,
    );
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function listUsers(ctx: AdminContext, accountId: string): Promise<UserRow[]> {
  await accountInScope(ctx, accountId, 'read');
  return ctx.db.select().from(users).where(eq(users.accountId, accountId)).orderBy(asc(users.email));
}

export async function createUser(
  ctx: AdminContext,
  accountId: string,
  input: { email: string; password: string; role: UserRole },
): Promise<UserRow> {
  const account = await accountInScope(ctx, accountId, 'users:write');
  assertAssignable(ctx, input.role);
  const row: UserRow = {
    id: newId('usr'),
    accountId,
    email: normalizeEmail(input.email),
    passwordHash: await hashPassword(input.password),
    role: input.role,
    status: 'active',
    createdAt: ctx.now,
    lastLoginAt: null,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(users).values(row),
      auditRow(ctx, {
        action: 'user.create',
        targetType: 'user',
        targetId: row.id,
        accountPath: account.path,
        after: row,
      }),
    ]);
  } catch (err) {
    // Emails are global (they are the login name), so this can tell that an email exists somewhere.
    if (isUniqueViolation(err))
      throw new ConflictError('email_taken', 'A user with this email already exists.', 'email');
    throw err;
  }
  return row;
}

async function userForWrite(ctx: AdminContext, id: string) {
  const [row] = await ctx.db.select().from(users).where(eq(users.id, id)).limit(1);
  const account = row && (await loadAccount(ctx.db, row.accountId));
  if (!row || !account) throw userNotFound(id)();
  enforce(decide(ctx.actor, 'users:write', account.path), userNotFound(id));
  assertAssignable(ctx, row.role);
  if (ctx.actor.type === 'user' && ctx.actor.id === id) {
    throw new PermissionDeniedError('cannot_modify_self', 'Ask another admin to change your own user.');
  }
  return { row, account };
}

export async function updateUser(
  ctx: AdminContext,
  id: string,
  input: { role?: UserRole; status?: 'active' | 'disabled'; password?: string },
): Promise<UserRow> {
  const { row, account } = await userForWrite(ctx, id);
  if (input.role) assertAssignable(ctx, input.role);
  const changes = {
    ...(input.role !== undefined && { role: input.role }),
    ...(input.status !== undefined && { status: input.status }),
    ...(input.password !== undefined && { passwordHash: await hashPassword(input.password) }),
  };
  const after = { ...row, ...changes };
  await runBatch(ctx.db, [
    ctx.db.update(users).set(changes).where(eq(users.id, id)),
    auditRow(ctx, {
      action: 'user.update',
      targetType: 'user',
      targetId: id,
      accountPath: account.path,
      before: row,
      after,
    }),
  ]);
  return after;
}

export async function deleteUser(ctx: AdminContext, id: string): Promise<void> {
  const { row, account } = await userForWrite(ctx, id);
  await runBatch(ctx.db, [
    ctx.db.delete(users).where(eq(users.id, id)),
    auditRow(ctx, {
      action: 'user.delete',
      targetType: 'user',
      targetId: id,
      accountPath: account.path,
      before: row,
    }),
  ]);
}
