// Gateway key → everything a request needs to be governed: the account chain, the effective policy
// and a model-route cache. Loaded from D1 on a cold isolate, then held in memory so warm requests
// read no D1 (performance).
import { eq, inArray } from 'drizzle-orm';
import type { ChainLink } from '../../durable-objects/dims';
import { database } from '../db/client';
import { accounts, gatewayKeys, policies } from '../db/schema';
import { accountBlockedCode, type ErrorCode } from '../errors/codes';
import { AuthenticationError, PermissionDeniedError } from '../errors/gateway-error';
import { governedChain, walletOf } from '../governance/chain';
import { sha256Hex } from '../lib/ids';
import { type EffectivePolicy, type PolicyLayer, resolveEffectivePolicy } from '../policy/effective';
import { policySchema } from '../policy/schema';
import { ModelRouteCache } from '../routing/resolve-model';
import { TtlCache } from '../state/ttl-cache';

export interface AuthContext {
  keyId: string;
  accountId: string;
  accountPath: string;
  defaultLevel: number | null;
  expiresAt: number | null;
  /** Set when the key or an account on its chain may not be used. */
  refusal: { kind: 'auth' | 'permission'; code: ErrorCode; message: string } | null;
  policy: EffectivePolicy;
  routes: ModelRouteCache;
  /** The levels with limits this key's requests count against, root first (limits and quotas). */
  chain: ChainLink[];
  /** The account whose wallet this key's usage is charged to (credits and plans). */
  walletAccountId: string;
}

// Until config versions propagate through the governor (tenancy issue), a revoked key or a
// suspended account is refused at the latest after this long.
export const AUTH_CACHE_TTL_MS = 30_000;
const cache = new TtlCache<AuthContext | null>(AUTH_CACHE_TTL_MS);

export function clearAuthCache(): void {
  cache.clear();
}

export async function loadAuthContext(d1: D1Database, hash: string): Promise<AuthContext | null> {
  const db = database(d1);
  const [key] = await db.select().from(gatewayKeys).where(eq(gatewayKeys.hash, hash)).limit(1);
  if (!key) return null;
  const [own] = await db.select({ path: accounts.path }).from(accounts).where(eq(accounts.id, key.accountId));
  if (!own) return null;
  const chainIds = own.path.split('/').filter(Boolean);
  const rows = await db
    .select({ account: accounts, policy: policies.body })
    .from(accounts)
    .leftJoin(policies, eq(policies.accountId, accounts.id))
    .where(inArray(accounts.id, chainIds));
  rows.sort((a, b) => a.account.depth - b.account.depth);

  const layers: PolicyLayer[] = rows.map((r) => ({
    source: `account:${r.account.id}`,
    policy: policySchema.parse(r.policy ?? {}),
  }));
  if (key.policy) layers.push({ source: `key:${key.id}`, policy: policySchema.parse(key.policy) });
  const policy = resolveEffectivePolicy(layers);

  let refusal: AuthContext['refusal'] = null;
  const blocked = rows.find((r) => r.account.status !== 'active');
  if (key.revokedAt !== null) {
    refusal = { kind: 'auth', code: 'key_revoked', message: 'This API key has been revoked.' };
  } else if (blocked) {
    const isOwn = blocked.account.id === key.accountId;
    refusal = {
      kind: 'permission',
      code: accountBlockedCode(blocked.account.status),
      message: `${isOwn ? "This key's account" : `The parent account "${blocked.account.name}"`} is ${blocked.account.status}.`,
    };
  }
  const self = rows.at(-1)?.account;
  const defaultLevel = [...rows].reverse().find((r) => r.account.level !== null)?.account.level ?? null;
  return {
    keyId: key.id,
    accountId: key.accountId,
    accountPath: self?.path ?? own.path,
    defaultLevel,
    expiresAt: key.expiresAt,
    refusal,
    policy,
    routes: new ModelRouteCache(policy, defaultLevel),
    chain: governedChain(layers),
    walletAccountId: walletOf(layers).accountId || key.accountId,
  };
}

export async function authenticateGatewayKey(env: Env, key: string, now: number): Promise<AuthContext> {
  // Keyed by the key as presented, so a warm request does not even hash it; D1 sees only the hash.
  const ctx = await cache.get(key, now, async () => loadAuthContext(env.DB, await sha256Hex(key)));
  if (!ctx) throw new AuthenticationError('invalid_api_key', 'Incorrect API key provided.');
  if (ctx.refusal) {
    const { kind, code, message } = ctx.refusal;
    throw kind === 'auth' ? new AuthenticationError(code, message) : new PermissionDeniedError(code, message);
  }
  if (ctx.expiresAt !== null && ctx.expiresAt <= now)
    throw new AuthenticationError('key_expired', 'This API key has expired.');
  return ctx;
}
