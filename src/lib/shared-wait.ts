// Requests of one isolate share single-flight work (a lease exchange, a key batch). The runtime
// cancels a request's I/O when its client goes away, so a promise another request started may
// never settle: nobody waits on one without a bound.
import { type Clock, systemClock } from './clock';

/** How long a request waits on work another request started before doing its own. */
export const SHARED_WAIT_MS = 2_000;

/** True if `p` settled within `ms`. */
export async function settlesWithin(
  p: Promise<unknown>,
  ms: number,
  clock: Clock = systemClock,
): Promise<boolean> {
  let timer: unknown;
  const timeout = new Promise<false>((r) => {
    timer = clock.setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clock.clearTimeout(timer);
  }
}
