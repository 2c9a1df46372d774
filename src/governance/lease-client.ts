// The isolate's side of the limits (limits and quotas; performance): it holds short grants from the key's
// governor and
// admits requests from memory while they last, so under load a request costs far fewer than one
// Durable Object round trip. Concurrent requests that find the grant empty share one exchange,
// sized to how many of them wait and how fast requests arrived in the last second. Grants expire
// in under a second and what is left goes back (on the next exchange, or from a waitUntil timer),
// so no limit is loosened: everything admitted here was taken from the governors first.
// Token and cost reservations are settled with actual usage afterwards (returned or reported).
import type { ChainLink, Unit } from '../../durable-objects/dims';
import { dimsFor } from '../../durable-objects/dims';
import type { ExchangeRequest, ExchangeResult, Refusal } from '../../durable-objects/governor-core';
import { type Clock, systemClock } from '../lib/clock';
import { SHARED_WAIT_MS, settlesWithin } from '../lib/shared-wait';

/** Sends one exchange to a governor (over RPC, or through a relay); not the proxy's Exchange. */
export type GovernorExchange = (governorId: string, req: ExchangeRequest) => Promise<ExchangeResult>;

export interface Demand {
  model: string;
  /** Estimated tokens (input + output) reserved until the actual count is known. */
  tokens: number;
  /** Estimated cost in micro-units (0 when the model has no price). */
  cost: number;
}

export interface Admission {
  governorId: string;
  /** Per pool: what this request took from the grant (settled later for tokens and cost). */
  taken: Record<string, { unit: Unit; amount: number }>;
  /** When the grant it took from was asked for (a settlement's units belong to that day). */
  grantedAt?: number;
}

export class GovernorRefusal extends Error {
  constructor(readonly refusal: Refusal) {
    super(`refused by ${refusal.accountId}: ${refusal.limit}`);
  }
}

interface Lease {
  balances: Record<string, number>;
  expiresAt: number;
  pendingReturn: Record<string, number>;
  pendingExtra: Record<string, number>;
  /** When the grant was asked for, and the oldest grant that `pendingReturn` came from. */
  grantedAt: number;
  pendingSince?: number;
  exchanging?: Promise<void>;
  waiting: number;
  refused?: { refusal: Refusal; until: number };
  window: { start: number; count: number; previous: number };
  /** Size of the last grant asked for; doubled when a grant runs dry before it expires. */
  lastBatch: number;
  /** The last grant said a pool is near its end: ask for what is used, no doubling. */
  scarce?: boolean;
  flushAt?: number;
}

export interface LeaseClientOptions {
  /** Cap on how many requests' worth one exchange asks for. */
  maxBatch?: number;
  /** How long a refusal is remembered before the governor is asked again. */
  refusalMemoMs?: number;
  /** Injected so the simulator (test/sim) drives the same logic on a simulated clock. */
  clock?: Clock;
}

export interface AdmitOptions {
  chain: ChainLink[];
  timeZone: string;
  demand: Demand;
  /** When the request arrived (default: the client's clock). */
  now?: number;
  waitUntil?: (p: Promise<unknown>) => void;
}

export interface SettleOptions {
  admission: Admission;
  actual: { tokens: number; cost: number };
  chain: ChainLink[];
  timeZone: string;
  /** When usage became known (default: the client's clock). */
  now?: number;
  waitUntil?: (p: Promise<unknown>) => void;
}

interface RefillOptions {
  lease: Lease;
  governorId: string;
  chain: ChainLink[];
  timeZone: string;
  model: string;
  perUnit: Record<Unit, number>;
  now: number;
}

/**
 * How long a settlement waits for others before it is sent (unless an exchange carries it first).
 * Sent one by one, the settlements of a busy isolate were most of its calls: `npm run simulate`
 * showed a colo relay at ~1,090 calls/s, three in four of them single settlements.
 */
export const SETTLE_COALESCE_MS = 200;

/**
 * A refusal that says units may come back (`returning`: the pool granted them within a lease's
 * life, so they sit unused in a sibling's grant or lease) is asked about once more after this long
 * before the request is refused: grants live 500 ms, so a sibling's unused units are back by then.
 */
export const RETRY_RETURNING_MS = 300;
/** How many times: a request waits at most this many times RETRY_RETURNING_MS before its refusal. */
export const RETURNING_RETRIES = 6;

const ignore = () => {};

// The pools a request draws on depend only on its chain (held by the cached auth context) and
// model: worked out once per pair, not per request. Bounded per chain.
const MODELS_PER_CHAIN = 256;
const unitMemo = new WeakMap<ChainLink[], Map<string, ReadonlyMap<string, Unit>>>();

function unitsFor(chain: ChainLink[], model: string): ReadonlyMap<string, Unit> {
  let byModel = unitMemo.get(chain);
  if (!byModel) {
    byModel = new Map();
    unitMemo.set(chain, byModel);
  }
  let units = byModel.get(model);
  if (!units) {
    const computed = new Map<string, Unit>();
    for (const link of chain) for (const d of dimsFor(link.limits, model)) computed.set(d.name, d.unit);
    if (byModel.size >= MODELS_PER_CHAIN) byModel.clear();
    byModel.set(model, computed);
    units = computed;
  }
  return units;
}

function covers(
  balances: Record<string, number>,
  units: ReadonlyMap<string, Unit>,
  need: Record<Unit, number>,
) {
  for (const [name, unit] of units) if ((balances[name] ?? 0) < need[unit]) return false;
  return true;
}

const add = (map: Record<string, number>, key: string, v: number) => {
  if (v !== 0) map[key] = (map[key] ?? 0) + v;
};

export class LeaseClient {
  private readonly leases = new Map<string, Lease>();

  private readonly maxBatch: number;
  private readonly refusalMemoMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly exchange: GovernorExchange,
    opts: LeaseClientOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.refusalMemoMs = opts.refusalMemoMs ?? 1_000;
    this.clock = opts.clock ?? systemClock;
  }

  async admit(o: AdmitOptions): Promise<Admission> {
    const { chain, timeZone, demand } = o;
    const waitUntil = o.waitUntil ?? ignore;
    const governorId = (chain.at(-1) as ChainLink).id;
    const perUnit: Record<Unit, number> = {
      requests: 1,
      tokens: Math.max(1, Math.ceil(demand.tokens)),
      cost: Math.ceil(demand.cost),
    };
    const units = unitsFor(chain, demand.model);
    const lease = this.lease(governorId);
    // A request that waits on an exchange is judged by the time it is admitted, not the time it
    // arrived: a grant that expired while it waited is not spent (`now` plus the time waited).
    const arrivedAt = this.clock.now();
    const now = o.now ?? arrivedAt;
    let at = now;
    let retries = 0;

    for (;;) {
      at = now + Math.max(0, this.clock.now() - arrivedAt);
      // A remembered refusal refuses only needs at least as large: another request's smaller need
      // (an ordinary request after one that can never fit) asks the governor itself.
      const refused = lease.refused;
      const refusedUnit = refused && units.get(refused.refusal.limit);
      if (
        refused &&
        refusedUnit &&
        refused.until > at &&
        perUnit[refusedUnit] >= (refused.refusal.need ?? 0)
      ) {
        if (!refused.refusal.returning || retries >= RETURNING_RETRIES)
          throw new GovernorRefusal(refused.refusal);
        retries++;
        await new Promise((r) => this.clock.setTimeout(() => r(undefined), RETRY_RETURNING_MS));
        // The first request back asks again; the others wait on its exchange.
        if (lease.refused === refused) lease.refused = undefined;
        continue;
      }
      if (lease.expiresAt > at && covers(lease.balances, units, perUnit)) {
        const taken: Admission['taken'] = {};
        for (const [name, unit] of units) {
          lease.balances[name] = (lease.balances[name] ?? 0) - perUnit[unit];
          taken[name] = { unit, amount: perUnit[unit] };
        }
        this.count(lease, at);
        this.scheduleFlush(governorId, chain, timeZone, lease.expiresAt, waitUntil);
        return { governorId, taken, grantedAt: lease.grantedAt };
      }
      if (lease.exchanging) {
        lease.waiting++;
        const settled = await settlesWithin(lease.exchanging, SHARED_WAIT_MS, this.clock);
        lease.waiting--;
        // The exchange belongs to another request's I/O; if that request went away the runtime
        // may never settle it. Stop waiting and exchange on this request's own account.
        if (!settled) lease.exchanging = undefined;
        continue;
      }
      lease.refused = undefined;
      lease.exchanging = this.refill({
        lease,
        governorId,
        chain,
        timeZone,
        model: demand.model,
        perUnit,
        now: at,
      }).finally(() => {
        lease.exchanging = undefined;
      });
      await lease.exchanging;
    }
  }

  /** Actual usage is known: give back what was reserved and not used, report what went beyond. */
  settle(o: SettleOptions): void {
    const { admission, actual, chain, timeZone } = o;
    const now = o.now ?? this.clock.now();
    const lease = this.lease(admission.governorId);
    for (const [name, { unit, amount }] of Object.entries(admission.taken)) {
      if (unit === 'requests') continue;
      const diff = amount - (unit === 'tokens' ? actual.tokens : actual.cost);
      if (diff > 0) {
        add(lease.pendingReturn, name, diff);
        const at = admission.grantedAt ?? now;
        lease.pendingSince = Math.min(lease.pendingSince ?? at, at);
      } else add(lease.pendingExtra, name, -diff);
      // Units given back may be what a remembered refusal lacked: ask the governor again.
      if (diff > 0 && lease.refused?.refusal.limit === name) lease.refused = undefined;
    }
    // Settlements wait a little for others, so a busy isolate sends a few a second, not one each.
    this.scheduleFlush(
      admission.governorId,
      chain,
      timeZone,
      now + SETTLE_COALESCE_MS,
      o.waitUntil ?? ignore,
    );
  }

  private lease(id: string): Lease {
    let lease = this.leases.get(id);
    if (!lease) {
      lease = {
        balances: {},
        expiresAt: 0,
        pendingReturn: {},
        pendingExtra: {},
        grantedAt: 0,
        waiting: 0,
        window: { start: 0, count: 0, previous: 0 },
        lastBatch: 0,
      };
      this.leases.set(id, lease);
    }
    return lease;
  }

  private count(lease: Lease, now: number): void {
    const w = lease.window;
    if (now - w.start >= 1_000) {
      w.previous = now - w.start < 2_000 ? w.count : 0;
      w.start = now;
      w.count = 0;
    }
    w.count++;
  }

  /**
   * Takes what this lease owes or holds back to the governor, as `returned` / `extra`. The whole
   * balance goes back, expired or not: a remainder too small for the next request would otherwise
   * sit here while the governor refuses for want of it.
   */
  private drain(lease: Lease) {
    const returned = lease.pendingReturn;
    const extra = lease.pendingExtra;
    let returnedAt = lease.pendingSince;
    lease.pendingReturn = {};
    lease.pendingExtra = {};
    lease.pendingSince = undefined;
    for (const [name, v] of Object.entries(lease.balances)) {
      if (v > 0) add(returned, name, v);
      else add(extra, name, -v);
      if (v > 0) returnedAt = Math.min(returnedAt ?? lease.grantedAt, lease.grantedAt);
    }
    lease.balances = {};
    lease.expiresAt = 0;
    return { returned, extra, returnedAt };
  }

  private async refill(o: RefillOptions): Promise<void> {
    const { lease, governorId, chain, timeZone, model, perUnit, now } = o;
    const expired = lease.expiresAt <= now;
    const { returned, extra, returnedAt } = this.drain(lease);
    // One request's worth for each caller already waiting, or about a grant's lifetime of the last
    // second's rate, or — when the last grant ran dry before expiring — twice the last grant.
    const w = lease.window;
    const recentRate = Math.max(w.previous, (w.count * 1_000) / Math.max(100, now - w.start));
    const batch = Math.min(
      this.maxBatch,
      Math.max(
        1 + lease.waiting,
        Math.ceil(recentRate / 2),
        expired || lease.scarce ? 1 : 2 * lease.lastBatch,
      ),
    );
    lease.lastBatch = batch;
    const want = { requests: batch, tokens: batch * perUnit.tokens, cost: batch * perUnit.cost };
    const result = await this.exchange(governorId, {
      chain,
      timeZone,
      now,
      model,
      want,
      need: perUnit,
      returned,
      returnedAt,
      extra,
    });
    if (!result.ok) {
      lease.scarce = true;
      lease.refused = {
        refusal: result.refusal,
        // Units that may come back are asked about again sooner than a spent pool's.
        until:
          now +
          Math.min(
            result.refusal.returning ? RETRY_RETURNING_MS : this.refusalMemoMs,
            result.refusal.retryAfterMs ?? this.refusalMemoMs,
          ),
      };
      return;
    }
    lease.scarce = result.scarce === true;
    for (const [name, amount] of Object.entries(result.grant)) add(lease.balances, name, amount);
    lease.expiresAt = now + result.ttlMs;
    lease.grantedAt = now;
  }

  /** After the grant expires (or soon, for settlements), hand back what is left, off the hot path. */
  private scheduleFlush(
    governorId: string,
    chain: ChainLink[],
    timeZone: string,
    at: number,
    waitUntil: (p: Promise<unknown>) => void,
  ): void {
    const lease = this.lease(governorId);
    if (lease.flushAt !== undefined && lease.flushAt <= at) return;
    lease.flushAt = at;
    const delay = Math.max(0, at - this.clock.now()) + 20;
    waitUntil(
      new Promise((r) => this.clock.setTimeout(() => r(undefined), delay)).then(async () => {
        if (lease.flushAt !== at) return;
        lease.flushAt = undefined;
        if (lease.exchanging) return;
        const now = this.clock.now();
        // A live grant stays; only settlements are sent, and what is left of it goes back when it
        // ends (an earlier settlement flush took the place of that one).
        const live = lease.expiresAt > now;
        if (live) this.scheduleFlush(governorId, chain, timeZone, lease.expiresAt, waitUntil);
        const { returned, extra, returnedAt } = live
          ? (() => {
              const pending = {
                returned: lease.pendingReturn,
                extra: lease.pendingExtra,
                returnedAt: lease.pendingSince,
              };
              lease.pendingReturn = {};
              lease.pendingExtra = {};
              lease.pendingSince = undefined;
              return pending;
            })()
          : this.drain(lease);
        if (!Object.keys(returned).length && !Object.keys(extra).length) return;
        await this.exchange(governorId, {
          chain,
          timeZone,
          now,
          model: '',
          want: {},
          need: {},
          returned,
          returnedAt,
          extra,
        }).catch(() => {
          // No answer: the governor may have applied the call (only its answer was lost). Usage
          // beyond grants is reported again (counted twice at worst: stricter, never looser);
          // units given back are not, since giving them back twice would free units in use
          // (`npm run simulate` caught an RPD admitted one over this way).
          for (const [k, v] of Object.entries(extra)) add(lease.pendingExtra, k, v);
        });
      }),
    );
  }
}
