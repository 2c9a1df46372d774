// Fan-in for a busy governor. One object serves about a thousand calls a second, and every isolate
// holding a grant of a governor exchanges with it about twice a second (grants live 500 ms): a
// tenant whose traffic reaches a few hundred isolates puts its governor past that. `npm run
// simulate` (test/sim) showed a hot user of the 50,000 req/s scenario at ~7,600 calls/s, its queue
// growing without end. So a busy governor tells its callers so, and for a while they exchange
// through relays instead: one governor per colo, taking its lease from one per region, taking its
// lease from the busy governor. A relay is an ordinary governor with no limits of its own (the
// exchange protocol is unchanged); the busy governor then sees a few exchanges per region per
// second, and each relay a few per isolate or colo below it.
import type { ChainLink } from './dims';
import type { ExchangeResult } from './governor-core';

/** Exchanges per second above which a governor asks its callers to go through relays. */
export const RELAY_ABOVE_PER_S = 250;
/** How long a caller keeps relaying after it was asked (then it tries direct again). */
export const RELAY_HOLD_MS = 10 * 60_000;

/** An exchange's answer, with the hint that the governor is busy. */
export type HintedResult = ExchangeResult & { busy?: true };

export interface Place {
  /** The isolate's colo (`request.cf.colo`). */
  colo: string;
  /** Its region (`request.cf.continent`). */
  region: string;
}

/** Relays are named after the governor they relay for: `<id>@<region>` and `<id>@<region>/<colo>`. */
export const isRelay = (governorId: string) => governorId.includes('@');

/** The chain an isolate in `place` sends through the relays; its last link is the colo relay. */
export function relayChain(chain: ChainLink[], place: Place): ChainLink[] {
  const leaf = (chain.at(-1) as ChainLink).id;
  const region = `${leaf}@${place.region}`;
  return [...chain, { id: region, limits: {} }, { id: `${region}/${place.colo}`, limits: {} }];
}

/** Calls in the last second, counted in two one-second buckets (no per-call memory). */
export class CallRate {
  private start = 0;
  private count = 0;
  private previous = 0;

  /** Counts one call at `now`; returns the estimated rate per second. */
  hit(now: number): number {
    if (now - this.start >= 1_000) {
      this.previous = now - this.start < 2_000 ? this.count : 0;
      this.start = now;
      this.count = 0;
    }
    this.count++;
    const into = (now - this.start) / 1_000;
    return this.count + this.previous * (1 - into);
  }
}
