// Management tokens (C3) for CI and scripts: scoped, expiring, stored as a hash, shown once. A token
// can never carry more than its creator could do.
import { asc, eq } from 'drizzle-orm';
import { managementTokens } from '../db/schema';
import { InvalidRequestError, NotFoundError, PermissionDeniedError } from '../errors/gateway-error';
import { keyPrefix, newId, randomToken, sha256Hex } from '../lib/ids';
import { accountInScope, loadAccount } from './chain';
import { type AdminContext, auditRow, enforce, runBatch } from './context';
import { decide, type TokenScope, ungrantableScopes } from './permissions';

export type ManagementTokenRow = typeof managementTokens.$inferSelect;

export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;

const tokenNotFound = (id: string) => () =>
  new NotFoundError('token_not_found', `No management token "${id}".`);

export async function listTokens(ctx: AdminContext, accountId: string): Promise<ManagementTokenRow[]> {
  await accountInScope(ctx, accountId, 'read');
  return ctx.db
    .select()
    .from(managementTokens)
    .where(eq(managementTokens.accountId, accountId))
    .orderBy(asc(managementTokens.createdAt), asc(managementTokens.id));
}

export async function createToken(
  ctx: AdminContext,
  accountId: string,
  input: { name: string; scopes: TokenScope[]; expires_at?: string },
): Promise<{ row: ManagementTokenRow; token: string }> {
  const account = await accountInScope(ctx, accountId, 'tokens:write');
  const refused = ungrantableScopes(ctx.actor, input.scopes);
  if (refused.length > 0) {
    throw new PermissionDeniedError(
      'scope_escalation',
      `A token cannot carry more than its creator may do; not grantable: ${refused.join(', ')}.`,
    );
  }
  const expiresAt = input.expires_at ? Date.parse(input.expires_at) : ctx.now + DEFAULT_TOKEN_DAYS * DAY_MS;
  if (expiresAt <= ctx.now)
    throw new InvalidRequestError('invalid_request', 'expires_at: must be in the future', 'expires_at');
  const token = `sym_${randomToken(32)}`;
  const row: ManagementTokenRow = {
    id: newId('tok'),
    accountId,
    name: input.name,
    prefix: keyPrefix(token),
    hash: await sha256Hex(token),
    scopes: [...new Set(input.scopes)],
    expiresAt,
    revokedAt: null,
    createdAt: ctx.now,
    createdBy: ctx.actor.id,
  };
  await runBatch(ctx.db, [
    ctx.db.insert(managementTokens).values(row),
    auditRow(ctx, {
      action: 'token.create',
      targetType: 'management_token',
      targetId: row.id,
      accountPath: account.path,
      after: row,
    }),
  ]);
  return { row, token };
}

export async function revokeToken(ctx: AdminContext, id: string): Promise<ManagementTokenRow> {
  const [row] = await ctx.db.select().from(managementTokens).where(eq(managementTokens.id, id)).limit(1);
  const account = row && (await loadAccount(ctx.db, row.accountId));
  if (!row || !account) throw tokenNotFound(id)();
  enforce(decide(ctx.actor, 'tokens:write', account.path), tokenNotFound(id));
  if (row.revokedAt !== null) return row;
  await runBatch(ctx.db, [
    ctx.db.update(managementTokens).set({ revokedAt: ctx.now }).where(eq(managementTokens.id, id)),
    auditRow(ctx, {
      action: 'token.revoke',
      targetType: 'management_token',
      targetId: id,
      accountPath: account.path,
      before: { revokedAt: null },
      after: { revokedAt: ctx.now },
    }),
  ]);
  return { ...row, revokedAt: ctx.now };
}
