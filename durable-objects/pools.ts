// Limit pools (limits and quotas), pure. Every limit of an account is a pool of units: requests, tokens or
// micro-units of money. Rates (RPM, TPM, per-model RPM/TPM) are token buckets refilling over a
// minute; quotas (RPD, TPD, daily and monthly budgets) are counters that reset at the root's day or
// month boundary. Both support the same three moves: how much is available, take, give back.
// A prepaid wallet's credit is a third kind: `funds` (what the ledger put in: money and today's
// plan allowances) less `used` (usage charged or reserved); it never refills by itself — the
// governor refreshes `funds` from the ledger when money arrives.
import { dayIn } from '../src/lib/time';

export type PoolSpec =
  | { kind: 'bucket'; capacity: number; periodMs: number }
  | { kind: 'period'; limit: number; period: 'day' | 'month' }
  | { kind: 'credit' };

export type PoolState =
  | { kind: 'bucket'; tokens: number; at: number }
  | { kind: 'period'; used: number; key: string }
  /** `day`: the allowance day `funds` and `used` were read for (empty: never seeded). */
  | { kind: 'credit'; funds: number; used: number; day: string };

export function periodKey(period: 'day' | 'month', timeZone: string, now: number): string {
  const day = dayIn(timeZone, now);
  return period === 'day' ? day : day.slice(0, 7);
}

/** The state brought up to `now`: buckets refilled, counters of a past period reset. */
export function current(
  spec: PoolSpec,
  state: PoolState | undefined,
  timeZone: string,
  now: number,
): PoolState {
  if (spec.kind === 'bucket') {
    if (state?.kind !== 'bucket') return { kind: 'bucket', tokens: spec.capacity, at: now };
    const refill = (Math.max(0, now - state.at) * spec.capacity) / spec.periodMs;
    // Debt (negative tokens, from settling more than was reserved) refills like anything else.
    return {
      kind: 'bucket',
      tokens: Math.min(spec.capacity, state.tokens + refill),
      at: Math.max(now, state.at),
    };
  }
  if (spec.kind === 'credit')
    return state?.kind === 'credit' ? state : { kind: 'credit', funds: 0, used: 0, day: '' };
  const key = periodKey(spec.period, timeZone, now);
  // Never back to an older period: a late caller's `now` must not reopen yesterday at 0 used.
  if (state?.kind !== 'period' || state.key < key) return { kind: 'period', used: 0, key };
  return state;
}

export function available(spec: PoolSpec, state: PoolState): number {
  if (spec.kind === 'bucket' && state.kind === 'bucket') return Math.floor(state.tokens);
  if (spec.kind === 'period' && state.kind === 'period') return Math.max(0, spec.limit - state.used);
  if (state.kind === 'credit') return Math.max(0, Math.floor(state.funds - state.used));
  return 0;
}

/** Takes `amount` (may exceed what is available: settling actual usage can create debt). */
export function take(state: PoolState, amount: number): PoolState {
  return state.kind === 'bucket'
    ? { ...state, tokens: state.tokens - amount }
    : { ...state, used: state.used + amount };
}

export function giveBack(spec: PoolSpec, state: PoolState, amount: number): PoolState {
  if (state.kind === 'bucket' && spec.kind === 'bucket') {
    return { ...state, tokens: Math.min(spec.capacity, state.tokens + amount) };
  }
  return state.kind === 'bucket' ? state : { ...state, used: Math.max(0, state.used - amount) };
}

/** Milliseconds until `need` units are available, or null when only the next period helps. */
export function waitFor(spec: PoolSpec, state: PoolState, need: number): number | null {
  if (spec.kind !== 'bucket' || state.kind !== 'bucket') return null;
  const missing = need - state.tokens;
  if (missing <= 0) return 0;
  if (need > spec.capacity) return null;
  return Math.ceil((missing * spec.periodMs) / spec.capacity);
}

/** Start of the next day (or month) in `timeZone`, as epoch ms: when a quota resets. */
export function nextPeriodStart(period: 'day' | 'month', timeZone: string, now: number): number {
  const start = periodKey(period, timeZone, now);
  // Step an hour at a time until the period changes, then bisect to the millisecond. Time zones
  // shift by whole or half hours, so an hourly step never skips a period.
  let hi = now + 3_600_000;
  while (periodKey(period, timeZone, hi) === start) hi += 3_600_000;
  let lo = hi - 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (periodKey(period, timeZone, mid) === start) lo = mid;
    else hi = mid;
  }
  return hi;
}
