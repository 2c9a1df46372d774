// Propagation of admin writes to every isolate within a second (account tree and identity). Every write that
// affects
// request handling (revocation, suspension, policy, levels, keys, prices) calls
// notifyConfigChange, which drops this isolate's caches and bumps the gateway-wide ConfigEpoch.
// Every other isolate checks the epoch at most every EPOCH_CHECK_MS before serving a request and
// drops its caches when it moved: one Durable Object round trip per isolate per half second under
// traffic, never one per request, and no D1 read while nothing changed.
import { clearAuthCache } from '../auth/gateway-key';
import { clearConfigCache } from './config';

export const EPOCH_CHECK_MS = 500;
/**
 * Copies of the epoch, each checked by a random share of the isolates: thousands of isolates
 * checking twice a second would be several times what one object serves (`npm run simulate`
 * measured ~4,300 calls/s on one). A write bumps them all.
 */
export const EPOCH_SHARDS = 16;

let seen: number | undefined;
let checkedAt = 0;
/** This isolate's copy, chosen on first use (randomness is not available at startup). */
let shard: number | undefined;
const myShard = () => {
  shard ??= Math.floor(Math.random() * EPOCH_SHARDS);
  return shard;
};

/** Object names of the epoch copies; the first keeps the single epoch's name. */
export const epochShardNames = Array.from({ length: EPOCH_SHARDS }, (_, i) =>
  i ? `gateway:${i}` : 'gateway',
);

function epoch(env: Env, which = myShard()) {
  return env.CONFIG_EPOCH.get(env.CONFIG_EPOCH.idFromName(epochShardNames[which] as string));
}

function dropCaches(): void {
  clearAuthCache();
  clearConfigCache();
}

/**
 * Before a request uses cached configuration: the first request to find the check stale makes it
 * (and waits for it); requests meanwhile go on with caches at most a round trip older. The check
 * is never shared between requests: a request must not wait on another request's I/O, which the
 * runtime cancels if that request goes away.
 */
export async function ensureFreshConfig(env: Env, now: number): Promise<void> {
  if (now - checkedAt < EPOCH_CHECK_MS) return;
  checkedAt = now;
  try {
    const current = await epoch(env).current();
    if (seen !== undefined && current !== seen) dropCaches();
    seen = current;
  } catch (err) {
    // Unreachable: keep serving from the caches (their TTL still bounds staleness); retry soon.
    console.error(JSON.stringify({ msg: 'config epoch check failed', error: String(err) }));
  }
}

export async function notifyConfigChange(env: Env): Promise<void> {
  dropCaches();
  const bumped = await Promise.all(epochShardNames.map((_, i) => epoch(env, i).bump()));
  seen = bumped[myShard()];
  checkedAt = Date.now();
}
