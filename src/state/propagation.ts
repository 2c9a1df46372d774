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
let checking: Promise<void> | undefined;

function epoch(env: Env) {
  return env.CONFIG_EPOCH.get(env.CONFIG_EPOCH.idFromName('gateway'));
}

function dropCaches(): void {
  clearAuthCache();
  clearConfigCache();
}

/** Before a request uses cached configuration: make sure it is at most EPOCH_CHECK_MS stale. */
export function ensureFreshConfig(env: Env, now: number): Promise<void> | undefined {
  if (now - checkedAt < EPOCH_CHECK_MS) return undefined;
  checking ??= epoch(env)
    .current()
    .then((current) => {
      if (seen !== undefined && current !== seen) dropCaches();
      seen = current;
      checkedAt = Date.now();
    })
    // Unreachable: keep serving from the caches (their TTL still bounds staleness) and try again
    // on the next request.
    .catch((err: unknown) =>
      console.error(JSON.stringify({ msg: 'config epoch check failed', error: String(err) })),
    )
    .finally(() => {
      checking = undefined;
    });
  return checking;
}

export async function notifyConfigChange(env: Env): Promise<void> {
  dropCaches();
  seen = await epoch(env).bump();
  checkedAt = Date.now();
}
