// Management tokens (account tree and identity) for CI and scripts: scoped, expiring, stored as a hash,
// shown once. A token
// can never carry more than its creator could do, nor outlive it: a token minted by a token expires
// no later than its creator (an explicit later `expires_at` is refused; without one it gets the
// creator's expiry when that comes before the default), and revoking a token revokes every token
// it minted, transitively (`created_by` holds the minting token's id).
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { managementTokens } from '../db/schema';
import { InvalidRequestError, NotFoundError, PermissionDeniedError } from '../errors/gateway-error';
import { keyPrefix, newId, randomToken, sha256Hex } from '../lib/ids';
import { accountInScope, loadAccount } from '../tenancy/chain';
import { type AdminContext, auditRow, enforce, runBatch } from '../tenancy/context';
import { decide, type TokenScope, ungrantableScopes } from '../tenancy/permissions';

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
  const creatorExpiry = ctx.actor.type === 'management_token' ? (ctx.actor.expiresAt ?? null) : null;
  const fallback = ctx.now + DEFAULT_TOKEN_DAYS * DAY_MS;
  const expiresAt = input.expires_at
    ? Date.parse(input.expires_at)
    : Math.min(fallback, creatorExpiry ?? fallback);
  if (expiresAt <= ctx.now)
    throw new InvalidRequestError('invalid_request', 'expires_at: must be in the future', 'expires_at');
  if (creatorExpiry !== null && expiresAt > creatorExpiry) {
    throw new InvalidRequestError(
      'invalid_request',
      `expires_at: must not be later than the creating token's expiry (${new Date(creatorExpiry).toISOString()})`,
      'expires_at',
    );
  }
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
  const minted = await mintedBy(ctx, id);
  await runBatch(ctx.db, [
    ...chunks([id, ...minted]).map((ids) =>
      ctx.db.update(managementTokens).set({ revokedAt: ctx.now }).where(inArray(managementTokens.id, ids)),
    ),
    auditRow(ctx, {
      action: 'token.revoke',
      targetType: 'management_token',
      targetId: id,
      accountPath: account.path,
      before: { revokedAt: null },
      after: { revokedAt: ctx.now, ...(minted.length ? { revokedMinted: minted } : {}) },
    }),
  ]);
  return { ...row, revokedAt: ctx.now };
}

/**
 * Live tokens minted by `id`, by the tokens those minted, and so on. Each lies in the subtree of
 * its creator's account, so the revoker's right over `id` covers them all.
 */
async function mintedBy(ctx: AdminContext, id: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set([id]);
  let frontier = [id];
  while (frontier.length > 0) {
    const rows = (
      await Promise.all(
        chunks(frontier).map((ids) =>
          ctx.db
            .select({ id: managementTokens.id })
            .from(managementTokens)
            .where(and(inArray(managementTokens.createdBy, ids), isNull(managementTokens.revokedAt))),
        ),
      )
    ).flat();
    frontier = rows.map((r) => r.id).filter((t) => !seen.has(t));
    for (const t of frontier) {
      seen.add(t);
      found.push(t);
    }
  }
  return found;
}

/** D1 binds at most 100 parameters per statement. */
function chunks(ids: string[], size = 50): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
