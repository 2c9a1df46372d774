// Grants and leases end at the root's day boundary when the chain has a daily or monthly quota:
// units taken from one day's counter must not be spent in the next, where that day's counter never
// saw them (`npm run simulate`'s day-boundary scenario admitted 19% over a team's RPD without this).
import type { ChainLink } from './dims';
import type { ExchangeResult, GovernorState } from './governor-core';
import { nextPeriodStart, periodKey } from './pools';

const hasQuota = (chain: ChainLink[]) =>
  chain.some(
    ({ limits: l }) =>
      l.rpd !== undefined ||
      l.tpd !== undefined ||
      l.dailyBudget !== undefined ||
      l.monthlyBudget !== undefined,
  );

// A month starts on a day boundary, so the next day boundary covers both; remembered per day.
const ends = new Map<string, { day: string; end: number }>();
function dayEnd(timeZone: string, now: number): number {
  const day = periodKey('day', timeZone, now);
  const hit = ends.get(timeZone);
  if (hit?.day === day) return hit.end;
  const end = nextPeriodStart('day', timeZone, now);
  ends.set(timeZone, { day, end });
  return end;
}

/** When units taken now on `chain` must be spent by: the day's end if it has a quota. */
export function quotaEnd(chain: ChainLink[], timeZone: string, now: number): number {
  return hasQuota(chain) ? dayEnd(timeZone, now) : Number.POSITIVE_INFINITY;
}

/** The result with its grant's TTL, and the governor's own parent lease, ending by the day's end. */
export function capAtPeriodEnd<R extends ExchangeResult>(
  result: R,
  state: GovernorState,
  chain: ChainLink[],
  timeZone: string,
  now: number,
): R {
  if (!result.ok || !hasQuota(chain)) return result;
  const end = dayEnd(timeZone, now);
  if (state.lease.expiresAt > end) state.lease.expiresAt = end;
  return now + result.ttlMs > end ? { ...result, ttlMs: Math.max(0, end - now) } : result;
}
