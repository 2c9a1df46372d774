// Who is calling the admin API, and which subtree they may see (C3). Admin traffic is not on the
// hot path, so tokens are checked against D1 on every call: revocation is immediate.
import { and, eq, isNull } from 'drizzle-orm';
import { database } from '../../db/client';
import { accounts, managementTokens } from '../../db/schema';
import { AuthenticationError, PermissionDeniedError } from '../../errors/gateway-error';
import { sha256Hex } from '../../lib/ids';

export type Scope = 'usage:read' | 'policy:write' | 'admin';

export interface AdminActor {
  type: 'bootstrap' | 'management_token';
  id: string | null;
  /** Path of the account the actor acts for; `/` before a root account exists. */
  accountPath: string;
  scopes: ReadonlySet<string> | 'all';
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256Hex(a), sha256Hex(b)]);
  const enc = new TextEncoder();
  return crypto.subtle.timingSafeEqual(enc.encode(ha), enc.encode(hb));
}

export async function authenticateAdmin(env: Env, token: string, now: number): Promise<AdminActor> {
  const db = database(env.DB);
  if (env.SWITCHYARD_ADMIN_TOKEN && (await sameSecret(token, env.SWITCHYARD_ADMIN_TOKEN))) {
    const [root] = await db
      .select({ path: accounts.path })
      .from(accounts)
      .where(isNull(accounts.parentId))
      .limit(1);
    return { type: 'bootstrap', id: null, accountPath: root?.path ?? '/', scopes: 'all' };
  }
  const [row] = await db
    .select({ token: managementTokens, path: accounts.path, status: accounts.status })
    .from(managementTokens)
    .innerJoin(accounts, eq(accounts.id, managementTokens.accountId))
    .where(and(eq(managementTokens.hash, await sha256Hex(token)), isNull(managementTokens.revokedAt)))
    .limit(1);
  if (!row || (row.token.expiresAt !== null && row.token.expiresAt <= now)) {
    throw new AuthenticationError(
      'invalid_management_token',
      'The management token is invalid, expired or revoked.',
    );
  }
  if (row.status !== 'active')
    throw new PermissionDeniedError(`account_${row.status}`, `The token's account is ${row.status}.`);
  return {
    type: 'management_token',
    id: row.token.id,
    accountPath: row.path,
    scopes: new Set(row.token.scopes),
  };
}

export function requireScope(actor: AdminActor, scope: Scope): void {
  if (actor.scopes === 'all' || actor.scopes.has(scope) || actor.scopes.has('admin')) return;
  throw new PermissionDeniedError('missing_scope', `This token lacks the "${scope}" scope.`);
}

/** Index-friendly bounds of a subtree: every descendant path p has lower <= p < upper. */
export function subtreeRange(path: string): { lower: string; upper: string } {
  // Paths end with "/", and "0" is the character right after "/".
  return { lower: path, upper: `${path.slice(0, -1)}0` };
}
