// Who is calling the admin API, and which subtree they may see (account tree and identity). Admin traffic is
// not on the
// hot path, so tokens, sessions and the account chain are checked against D1 on every call:
// revocation, disabling a user, a role change or a suspension applies to the very next request.
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Database } from '../db/client';
import { database } from '../db/client';
import { accounts, managementTokens, users } from '../db/schema';
import { accountBlockedCode } from '../errors/codes';
import { AuthenticationError, NotConfiguredError, PermissionDeniedError } from '../errors/gateway-error';
import { sha256Hex } from '../lib/ids';
import { requireCapability } from '../tenancy/context';
import type { Capability, Principal } from '../tenancy/permissions';
import { MIN_SECRET_LENGTH, verifySession } from './session';

export type Scope = Capability;

export interface AdminActor extends Principal {
  /** Cookie sessions must send a CSRF token on writes; bearer tokens are not ambient. */
  via: 'bearer' | 'cookie';
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256Hex(a), sha256Hex(b)]);
  const enc = new TextEncoder();
  return crypto.subtle.timingSafeEqual(enc.encode(ha), enc.encode(hb));
}

/** A suspended or disabled account (or ancestor) locks its subtree out of the admin API too. */
export async function assertChainActive(db: Database, path: string): Promise<void> {
  const ids = path.split('/').filter(Boolean);
  if (ids.length === 0) return;
  const [blocked] = await db
    .select({ status: accounts.status })
    .from(accounts)
    .where(and(inArray(accounts.id, ids), ne(accounts.status, 'active')))
    .limit(1);
  if (blocked)
    throw new PermissionDeniedError(
      accountBlockedCode(blocked.status),
      `This account (or a parent) is ${blocked.status}.`,
    );
}

/** A bearer credential: the bootstrap token or a management token. */
export async function authenticateAdmin(env: Env, token: string, now: number): Promise<AdminActor> {
  const db = database(env.DB);
  if (env.SWITCHYARD_ADMIN_TOKEN && (await sameSecret(token, env.SWITCHYARD_ADMIN_TOKEN))) {
    const [root] = await db
      .select({ id: accounts.id, path: accounts.path })
      .from(accounts)
      .where(isNull(accounts.parentId))
      .limit(1);
    return {
      type: 'bootstrap',
      id: null,
      accountId: root?.id ?? null,
      accountPath: root?.path ?? '/',
      role: null,
      scopes: 'all',
      via: 'bearer',
    };
  }
  const [row] = await db
    .select({ token: managementTokens, path: accounts.path })
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
  await assertChainActive(db, row.path);
  return {
    type: 'management_token',
    id: row.token.id,
    accountId: row.token.accountId,
    accountPath: row.path,
    role: null,
    scopes: new Set(row.token.scopes),
    expiresAt: row.token.expiresAt,
    via: 'bearer',
  };
}

/** The session secret, or a plain 503 naming the missing secret: sign-in fails closed. */
export function sessionSecret(env: Env): string {
  const secret = env.SWITCHYARD_SESSION_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new NotConfiguredError(
      'sessions_not_configured',
      `Dashboard sign-in is not configured: set the SWITCHYARD_SESSION_SECRET secret (at least ${MIN_SECRET_LENGTH} characters).`,
    );
  }
  return secret;
}

/** A session cookie: a valid JWT for a user who is still active, with the CSRF claim it carries. */
export async function authenticateSession(
  env: Env,
  jwt: string,
  now: number,
): Promise<{ actor: AdminActor; csrf: string }> {
  const claims = await verifySession(sessionSecret(env), jwt, now);
  const invalid = new AuthenticationError(
    'invalid_session',
    'The session is invalid or expired; sign in again.',
  );
  if (!claims) throw invalid;
  const db = database(env.DB);
  const [row] = await db
    .select({ user: users, path: accounts.path })
    .from(users)
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .where(eq(users.id, claims.userId))
    .limit(1);
  if (row?.user.status !== 'active') throw invalid;
  await assertChainActive(db, row.path);
  return {
    actor: {
      type: 'user',
      id: row.user.id,
      accountId: row.user.accountId,
      accountPath: row.path,
      role: row.user.role,
      scopes: new Set(),
      via: 'cookie',
    },
    csrf: claims.csrf,
  };
}

/** The actor holds `scope` (a role or a token scope granting it), or a 403 saying which is missing. */
export const requireScope: (actor: AdminActor, scope: Scope) => void = requireCapability;

export { subtreeRange } from '../tenancy/chain';
