// Key choice within a level (routing and key pools), pure: smooth weighted round-robin (nginx's algorithm)
// over the
// keys that are not cooling down, so weights are honoured without bursts on one key.

export interface Candidate {
  id: string;
  weight: number;
}

export interface KeyHealth {
  /** Epoch ms until which the key gets no traffic; 0 when healthy. */
  coolUntil: number;
  disabled: boolean;
  /** Consecutive failures, for exponential backoff. */
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
  /** Errors since the key was added or last re-enabled. */
  errorCount?: number;
  /** When the key failed a request with a 5xx that may have been the request's fault (see Outcome). */
  suspectAt?: number;
}

/** A key whose last cool-down ended this long ago starts its backoff afresh. */
export const FAILURE_MEMORY_MS = 60_000;

export interface PickState {
  current: Record<string, number>;
}

export type PickResult =
  | { id: string; state: PickState }
  | { id: null; state: PickState; retryAfterMs: number };

export function pickKey(
  candidates: Candidate[],
  health: (id: string) => KeyHealth | undefined,
  state: PickState,
  now: number,
  exclude: ReadonlySet<string> = new Set(),
): PickResult {
  const usable = candidates.filter((c) => {
    const h = health(c.id);
    return !exclude.has(c.id) && !(h?.disabled ?? false) && (h?.coolUntil ?? 0) <= now;
  });
  if (usable.length === 0) {
    const waits = candidates
      .map((c) => health(c.id))
      .filter((h): h is KeyHealth => h !== undefined && !h.disabled && h.coolUntil > now)
      .map((h) => h.coolUntil - now);
    return { id: null, state, retryAfterMs: waits.length ? Math.min(...waits) : 0 };
  }
  const current = { ...state.current };
  let total = 0;
  let best: Candidate | undefined;
  for (const c of usable) {
    current[c.id] = (current[c.id] ?? 0) + c.weight;
    total += c.weight;
    if (!best || (current[c.id] as number) > (current[best.id] as number)) best = c;
  }
  const chosen = best as Candidate;
  current[chosen.id] = (current[chosen.id] as number) - total;
  return { id: chosen.id, state: { current } };
}

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'rate_limited'; retryAfterMs?: number }
  /**
   * `suspect`: the 5xx may have been provoked by the request (a pathological body fails on every
   * key), so one alone is no evidence against a key every tenant shares. A suspect 5xx cools the
   * key only when the key already failed another request since it last served one; the failover
   * reports a plain `server_error` (evidence) when another key then served the same request.
   */
  | { kind: 'server_error'; suspect?: boolean }
  | { kind: 'timeout' }
  | { kind: 'auth_failed'; status: number };

/** Sleep-on-error schedule: how a key's health changes after an attempt. */
export function applyOutcome(health: KeyHealth | undefined, outcome: Outcome, now: number): KeyHealth {
  const known: KeyHealth = health ?? { coolUntil: 0, disabled: false, failures: 0 };
  const fresh = known.coolUntil > 0 && now - known.coolUntil > FAILURE_MEMORY_MS;
  if (outcome.kind === 'ok') {
    const { suspectAt: _cleared, ...rest } = known;
    return { ...rest, failures: 0, coolUntil: 0 };
  }
  const h: KeyHealth = {
    ...known,
    failures: fresh ? 0 : known.failures,
    lastErrorAt: now,
    errorCount: (known.errorCount ?? 0) + 1,
  };
  if (outcome.kind === 'server_error' && outcome.suspect) {
    const seenBefore = known.suspectAt !== undefined && now - known.suspectAt <= FAILURE_MEMORY_MS;
    if (!seenBefore) return { ...h, suspectAt: now, lastError: 'server_error' };
  }
  const { suspectAt: _used, ...rest } = h;
  return afterFailure(rest, outcome, now);
}

function afterFailure(h: KeyHealth, outcome: Exclude<Outcome, { kind: 'ok' }>, now: number): KeyHealth {
  switch (outcome.kind) {
    case 'rate_limited': {
      const backoff = Math.min(60_000, 1_000 * 2 ** h.failures);
      return {
        ...h,
        failures: h.failures + 1,
        coolUntil: now + (outcome.retryAfterMs ?? backoff),
        lastError: 'rate_limited',
      };
    }
    case 'server_error':
    case 'timeout':
      return {
        ...h,
        failures: h.failures + 1,
        coolUntil: now + Math.min(30_000, 2_000 * 2 ** h.failures),
        lastError: outcome.kind,
      };
    case 'auth_failed':
      return { ...h, failures: h.failures + 1, disabled: true, lastError: `auth_failed_${outcome.status}` };
  }
}
