// The gateway-wide configuration a request needs after authentication: the root's time zone,
// levels with their upstream keys, and prices. One D1 batch on a cold isolate, then memory.
import { eq, isNull } from 'drizzle-orm';
import { REFRESH_MARGIN_MS } from '../../durable-objects/key-pool';
import { pickRates } from '../billing/price-fields';
import type { PriceRow } from '../billing/pricing';
import { decryptSecret } from '../crypto/secrets';
import { database } from '../db/client';
import { accounts, levels, modelPrices, upstreamKeys } from '../db/schema';
import { isValidTimeZone } from '../lib/time';
import { CredentialError } from '../providers/credential-error';
import type { UpstreamCredential, UpstreamOptions } from '../providers/types';
import { keyRing } from './keyring';
import { TtlCache } from './ttl-cache';

export interface LevelConfig {
  id: number;
  name: string;
  retries: number;
  timeouts: { connectMs: number; firstByteMs: number; idleMs: number };
  keys: (UpstreamCredential & { weight: number })[];
}

export interface GatewayConfig {
  timezone: string;
  levels: Map<number, LevelConfig>;
  prices: PriceRow[];
}

export const CONFIG_CACHE_TTL_MS = 30_000;
const cache = new TtlCache<GatewayConfig>(CONFIG_CACHE_TTL_MS, 1);

export function clearConfigCache(): void {
  cache.clear();
}

export function gatewayConfig(env: Env, now: number): Promise<GatewayConfig> {
  return cache.get('config', now, () => loadGatewayConfig(env));
}

export async function loadGatewayConfig(env: Env): Promise<GatewayConfig> {
  const db = database(env.DB);
  const [roots, levelRows, keyRows, priceRows] = await db.batch([
    db.select({ timezone: accounts.timezone }).from(accounts).where(isNull(accounts.parentId)).limit(1),
    db.select().from(levels),
    db.select().from(upstreamKeys).where(eq(upstreamKeys.status, 'active')),
    db
      .select({ price: modelPrices, accountPath: accounts.path })
      .from(modelPrices)
      .leftJoin(accounts, eq(accounts.id, modelPrices.accountId)),
  ]);
  const configured = roots[0]?.timezone ?? env.DEFAULT_TIMEZONE;
  const timezone = isValidTimeZone(configured) ? configured : 'UTC';

  const byId = new Map<number, LevelConfig>();
  for (const l of levelRows) {
    byId.set(l.id, {
      id: l.id,
      name: l.name,
      retries: l.retries,
      timeouts: { connectMs: l.connectTimeoutMs, firstByteMs: l.firstByteTimeoutMs, idleMs: l.idleTimeoutMs },
      keys: [],
    });
  }
  for (const k of keyRows) {
    const level = byId.get(k.levelId);
    if (!level) continue;
    let sealed: Promise<string> | undefined;
    const { ciphertext, kekId } = k;
    // Decrypted on first use, then kept for the life of this snapshot.
    const unseal = () => {
      if (!ciphertext || !kekId) return Promise.resolve('');
      sealed ??= keyRing(env).then((ring) => decryptSecret(ring, ciphertext, kekId));
      return sealed;
    };
    const options = (k.options ?? {}) as UpstreamOptions & Record<string, string>;
    level.keys.push({
      id: k.id,
      provider: k.provider,
      baseUrl: k.baseUrl,
      weight: k.weight,
      options,
      secret:
        k.credentialKind === 'oauth_refresh'
          ? oauthSecret(env, k.levelId, k.id, k.fingerprint ?? '', options, unseal)
          : unseal,
    });
  }
  // An override whose account is gone would otherwise read as a global price: drop it.
  const prices: PriceRow[] = priceRows.flatMap(({ price: p, accountPath }) =>
    p.accountId && !accountPath
      ? []
      : [
          {
            model: p.model,
            accountPath: p.accountId ? accountPath : null,
            effectiveFrom: p.effectiveFrom,
            ...pickRates(p),
            markupBps: p.markupBps,
          },
        ],
  );
  return { timezone, levels: byId, prices };
}

/** An OAuth credential's secret is its current access token, cached here until near expiry. */
function oauthSecret(
  env: Env,
  levelId: number,
  keyId: string,
  fingerprint: string,
  options: Record<string, string>,
  unseal: () => Promise<string>,
): () => Promise<string> {
  let token: { accessToken: string; expiresAt: number } | undefined;
  return async () => {
    const now = Date.now();
    if (token && token.expiresAt - REFRESH_MARGIN_MS > now) return token.accessToken;
    const pool = env.KEY_POOL.get(env.KEY_POOL.idFromName(`level:${levelId}`));
    const res = await pool.accessToken({
      keyId,
      tokenUrl: options['token_url'] ?? '',
      clientId: options['client_id'] ?? '',
      scope: options['scope'],
      sealed: await unseal(),
      fingerprint,
      now,
    });
    if (!res.ok) throw new CredentialError(res.reason, res.refused);
    token = { accessToken: res.accessToken, expiresAt: res.expiresAt };
    return token.accessToken;
  };
}
