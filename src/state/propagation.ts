// Propagation of admin writes to every isolate within a second (C3). Every write that affects
// request handling (revocation, suspension, policy, levels, keys, prices) calls
// notifyConfigChange, which drops this isolate's caches and bumps the gateway-wide ConfigEpoch.
// Every other isolate checks the epoch at most every EPOCH_CHECK_MS before serving a request and
// drops its caches when it moved: one Durable Object round trip per isolate per half second under
// traffic, never one per request, and no D1 read while nothing changed.
import { clearAuthCache } from './auth-context';
import { clearConfigCache } from './config';

export const EPOCH_CHECK_MS = 500;

let seen: number | undefined;
let checkedAt = 0;

function epoch(env: Env) {
  return env.CONFIG_EPOCH.get(env.CONFIG_EPOCH.idFromName('gateway'));
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
  seen = await epoch(env).bump();
  checkedAt = Date.now();
}
