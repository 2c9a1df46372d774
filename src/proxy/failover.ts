// Sends a request to the upstream keys of a route (routing and key pools): the key pool picks a healthy key,
// a failed
// attempt is reported (asynchronously) and retried on the next key of the same level up to the
// level's retry count, then the explicit switch_over chain is followed. Retries happen only here,
// before any byte reached the client.
import type { PickResponse } from '../../durable-objects/key-pool';
import type { Outcome } from '../../durable-objects/round-robin';
import { GatewayError, InternalError, RateLimitError, UpstreamError } from '../errors/gateway-error';
import { Deadline } from '../lib/deadline';
import { CredentialError } from '../providers/credential-error';
import type { UpstreamCredential } from '../providers/types';
import type { ModelRoute } from '../routing/resolve-model';
import type { GatewayConfig, LevelConfig } from '../state/config';
import type { Attempt } from './exchange';
import { outcomeForStatus } from './outcome';
import { UpstreamUnreachable } from './upstream-call';

export interface FailoverDeps {
  pick: (levelId: number, level: LevelConfig, exclude: ReadonlySet<string>) => Promise<PickResponse>;
  report: (levelId: number, keyId: string, outcome: Outcome) => void;
  /** The key answered 2xx (clears a suspicion or backoff this isolate holds against it). */
  served?: (levelId: number, keyId: string) => void;
  now: () => number;
  /** For the log line of an internal error (never shown to the caller). */
  requestId: string;
}

export interface Delivered {
  attempt: Attempt;
  /** The attempt's timer, free for the delivery's deadline (DeliverContext). */
  deadline: Deadline;
  key: UpstreamCredential;
  level: LevelConfig;
  retries: number;
  switchedOver: boolean;
}

export type Send = (key: UpstreamCredential, signal: AbortSignal) => Promise<Attempt>;

export function candidates(level: LevelConfig) {
  return level.keys.map((k) => ({ id: k.id, weight: k.weight }));
}

/**
 * Fetch with a first-byte deadline that stops counting once headers arrived (the body may stream
 * on). The deadline's timer is handed on with the attempt, for the delivery's own deadline.
 */
async function withFirstByteTimeout(
  send: Send,
  key: UpstreamCredential,
  ms: number,
): Promise<{ attempt: Attempt; deadline: Deadline }> {
  const controller = new AbortController();
  const deadline = new Deadline();
  deadline.set(ms, () => controller.abort(new Error('first-byte timeout')));
  try {
    return { attempt: await send(key, controller.signal), deadline };
  } finally {
    deadline.clear();
  }
}

function logInternal(requestId: string, keyId: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(
    JSON.stringify({
      msg: 'internal error calling upstream',
      requestId,
      keyId,
      error: e.name,
      detail: e.message,
    }),
  );
}

/** Errors that say the key (not the request) is unusable, whatever status carried them. */
const KEY_FAULTS = new Set(['upstream_auth_failed', 'upstream_billing']);

export async function sendWithFailover(
  deps: FailoverDeps,
  config: GatewayConfig,
  route: ModelRoute,
  send: Send,
  firstPick?: PickResponse | Promise<PickResponse>,
): Promise<Delivered> {
  let attempts = 0;
  let lastError: GatewayError | undefined;
  let coolingMs: number | undefined;
  // Levels whose keys exist but none may be picked (disabled after the provider refused them).
  const disabledLevels: number[] = [];
  const report = deps.report;
  // Keys that answered this request with a 5xx: blamed only if another key then serves it.
  const suspects: [levelId: number, keyId: string][] = [];

  for (const [index, levelId] of [route.level, ...route.switchOver].entries()) {
    const level = config.levels.get(levelId);
    if (!level || level.keys.length === 0) continue;
    const tried = new Set<string>();
    for (let i = 0; i <= level.retries; i++) {
      const pick =
        index === 0 && i === 0 && firstPick ? await firstPick : await deps.pick(levelId, level, tried);
      if (pick.id === null) {
        if (pick.retryAfterMs > 0) coolingMs = Math.min(coolingMs ?? pick.retryAfterMs, pick.retryAfterMs);
        else if (tried.size === 0) disabledLevels.push(levelId);
        break;
      }
      const key = level.keys.find((k) => k.id === pick.id);
      if (!key) break;
      tried.add(key.id);
      attempts++;
      let attempt: Attempt;
      let deadline: Deadline;
      try {
        ({ attempt, deadline } = await withFirstByteTimeout(send, key, level.timeouts.firstByteMs));
      } catch (err) {
        if (err instanceof GatewayError) throw err;
        if (err instanceof CredentialError) {
          // A refused refresh disables the key; an unreachable token endpoint only cools it.
          report(levelId, key.id, err.refused ? { kind: 'auth_failed', status: 401 } : { kind: 'timeout' });
          lastError = err.refused
            ? new UpstreamError(
                'upstream_auth_failed',
                "The provider refused the gateway's credentials; an operator has been alerted.",
                502,
              )
            : new UpstreamError('upstream_error', "The provider's token endpoint is unavailable.", 502);
          continue;
        }
        if (err instanceof UpstreamUnreachable) {
          report(levelId, key.id, { kind: 'timeout' });
          lastError = new UpstreamError('upstream_timeout', 'The provider did not answer in time.', 504);
          continue;
        }
        // Anything else (a TypeError encoding the request, an adapter bug) is the gateway's fault:
        // logged once, answered as an internal error, and never blamed on the key.
        logInternal(deps.requestId, key.id, err);
        throw new InternalError();
      }
      const res = attempt.response;
      if (res.ok) {
        for (const [l, k] of suspects) report(l, k, { kind: 'server_error' });
        deps.served?.(levelId, key.id);
        return { attempt, deadline, key, level, retries: attempts - 1, switchedOver: index > 0 };
      }
      const error = await attempt.error();
      let outcome = outcomeForStatus(res.status, res.headers.get('retry-after'), deps.now());
      // Some providers refuse a bad key with a 400 (the adapter's errors.ts reads the body).
      if (outcome === null && KEY_FAULTS.has(error.code))
        outcome = { kind: 'auth_failed', status: res.status };
      // The request itself was at fault (400, 404…): another key would fail the same way.
      if (outcome === null) throw error;
      if (outcome.kind === 'server_error') {
        suspects.push([levelId, key.id]);
        outcome = { kind: 'server_error', suspect: true };
      }
      report(levelId, key.id, outcome);
      lastError = error;
    }
  }
  if (lastError) throw lastError;
  if (coolingMs !== undefined) {
    throw new RateLimitError(
      'upstream_cooling_down',
      'Every provider key for this model is cooling down; retry shortly.',
      coolingMs / 1000,
    );
  }
  throw new UpstreamError(
    'no_upstream_available',
    disabledLevels.length > 0
      ? `Every provider key of level ${disabledLevels.join(', ')} is disabled: the provider refused its credentials. An operator must fix the key and re-enable it (POST /admin/v1/upstream-keys/{id}/enable).`
      : `No provider key is configured for level ${route.level}.`,
    503,
  );
}
