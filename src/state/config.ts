// The gateway-wide configuration a request needs after authentication: the root's time zone,
// levels with their upstream keys, and prices. One D1 batch on a cold isolate, then memory.
import { eq, isNull } from 'drizzle-orm';
import { decryptSecret } from '../crypto/secrets';
import { database } from '../db/client';
import { accounts, levels, modelPrices, upstreamKeys } from '../db/schema';
import { isValidTimeZone } from '../lib/time';
import type { UpstreamCredential, UpstreamOptions } from '../providers/types';
import type { PriceRow } from '../usage/pricing';
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
    let secret: Promise<string> | undefined;
    const { ciphertext, kekId } = k;
    level.keys.push({
      id: k.id,
      provider: k.provider,
      baseUrl: k.baseUrl,
      weight: k.weight,
      options: (k.options ?? {}) as UpstreamOptions,
      // Decrypted on first use, then kept for the life of this snapshot.
      secret() {
        if (!ciphertext || !kekId) return Promise.resolve('');
        secret ??= keyRing(env).then((ring) => decryptSecret(ring, ciphertext, kekId));
        return secret;
      },
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
            inputPerMtok: p.inputPerMtok,
            outputPerMtok: p.outputPerMtok,
            cachedReadPerMtok: p.cachedReadPerMtok,
            cacheWritePerMtok: p.cacheWritePerMtok,
            reasoningPerMtok: p.reasoningPerMtok,
            markupBps: p.markupBps,
          },
        ],
  );
  return { timezone, levels: byId, prices };
}
