// Admission of one proxied request against every limit on its chain (limits and quotas), and its settlement
// once actual usage is known. The isolate's LeaseClient answers most requests from memory.
import type { AccountGovernor } from '../../durable-objects/account-governor';
import type { ChainLink } from '../../durable-objects/dims';
import type { Place } from '../../durable-objects/relay';
import type { AuthContext } from '../auth/gateway-key';
import { RateLimitError } from '../errors/gateway-error';
import { systemClock } from '../lib/clock';
import { type Admission, type Demand, GovernorRefusal, LeaseClient } from './lease-client';
import { refusalError } from './refusal';
import { relayingExchange } from './relay';

const clients = new WeakMap<Env, LeaseClient>();
/** This isolate's colo and region, from the requests it serves: where its relays are. */
let place: Place | undefined;

function clientFor(env: Env): LeaseClient {
  let client = clients.get(env);
  if (!client) {
    const direct = (id: string, req: Parameters<AccountGovernor['exchange']>[0]) =>
      env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName(id)).exchange(req);
    client = new LeaseClient(
      relayingExchange(direct, () => place, systemClock),
      { clock: systemClock },
    );
    clients.set(env, client);
  }
  return client;
}

/** Colo and region of a request (absent in local development: no relays there). */
export function placeOf(cf: Request['cf']): Place | undefined {
  const colo = cf?.colo;
  const region = cf?.continent;
  return typeof colo === 'string' && typeof region === 'string' ? { colo, region } : undefined;
}

let placeRead = false;
let servedAt: Place | undefined;
/**
 * Where this isolate serves, read from its first request: an isolate never changes colo, and
 * `request.cf` is rebuilt from its serialized form on every read (the profile put that read at
 * ~3.5 % of a proxied request's CPU on Miniflare).
 */
export function placeOfIsolate(req: Request): Place | undefined {
  if (!placeRead) {
    servedAt = placeOf(req.cf);
    placeRead = true;
  }
  return servedAt;
}

export interface Admitted {
  /** Settles reservations with actual usage (zeros when the request failed) and frees the slot. */
  settle(actual: { tokens: number; cost: number }): void;
}

const nothingToSettle: Admitted = { settle: () => {} };

export interface AdmitOptions {
  env: Env;
  auth: AuthContext;
  demand: Demand;
  /** The root's time zone (daily pools reset at its midnight). */
  timeZone: string;
  /** Default: the clock. */
  now?: number;
  waitUntil: (p: Promise<unknown>) => void;
  /** Where the request was served (its relays are there); absent in local development. */
  at?: Place;
}

export async function admit(opts: AdmitOptions): Promise<Admitted> {
  const { env, auth, demand, timeZone, waitUntil, at, now = systemClock.now() } = opts;
  if (at) place = at;
  const concurrency = auth.policy.limits.concurrency;
  const chain: ChainLink[] = auth.chain;
  if (chain.length === 0 && !concurrency) return nothingToSettle;

  let admission: Admission | undefined;
  if (chain.length) {
    try {
      admission = await clientFor(env).admit({ chain, timeZone, demand, now, waitUntil });
    } catch (err) {
      if (err instanceof GovernorRefusal) throw refusalError(err.refusal);
      throw err;
    }
  }
  let slot: DurableObjectStub<AccountGovernor> | undefined;
  if (concurrency) {
    slot = env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName(auth.accountId));
    const { ok } = await slot.acquireSlot(concurrency.value);
    if (!ok) {
      if (admission)
        clientFor(env).settle({
          admission,
          actual: { tokens: 0, cost: 0 },
          chain,
          timeZone,
          now,
          waitUntil,
        });
      throw new RateLimitError(
        'concurrency_limit_exceeded',
        `${concurrency.value} requests are already in flight (limit set on ${concurrency.source}).`,
        1,
      );
    }
  }
  return {
    settle(actual) {
      if (admission) clientFor(env).settle({ admission, actual, chain, timeZone, waitUntil });
      if (slot) waitUntil(slot.releaseSlot());
    },
  };
}
