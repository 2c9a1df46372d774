// The isolate's side of relaying (durable-objects/relay.ts): a governor that answered "busy" is
// reached through this colo's and region's relays for a while. Wraps the exchange the LeaseClient
// is given, so the lease logic is unchanged: the relays grant from the same pools, by the same names.
import { type HintedResult, type Place, RELAY_HOLD_MS, relayChain } from '../../durable-objects/relay';
import type { Clock } from '../lib/clock';
import type { GovernorExchange } from './lease-client';

export function relayingExchange(
  direct: GovernorExchange,
  place: () => Place | undefined,
  clock: Clock,
  random: () => number = Math.random,
): GovernorExchange {
  const relayUntil = new Map<string, number>();
  return async (governorId, req) => {
    const at = place();
    const until = relayUntil.get(governorId);
    const relayed = at !== undefined && until !== undefined && until > clock.now();
    if (until !== undefined && !relayed) relayUntil.delete(governorId);
    const chain = relayed ? relayChain(req.chain, at) : req.chain;
    const result: HintedResult = await direct((chain.at(-1) as { id: string }).id, { ...req, chain });
    // Spread the return to direct over half a hold, so callers do not all come back at once.
    if (result.busy && !relayed) relayUntil.set(governorId, clock.now() + RELAY_HOLD_MS * (1 + random() / 2));
    return result;
  };
}
