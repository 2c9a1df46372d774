// The decision logic of an AccountGovernor, free of storage and RPC (they are injected), so tests
// drive it directly with a clock and a fake parent.
//
// One protocol at every level: a caller (an isolate, or a child account's governor) *exchanges*
// with a governor — it gives back what it did not use of earlier grants, reports what it used
// beyond them, and asks for a new grant: between `need` (one request's worth) and `want` units of
// every pool the request draws from. A grant is taken from this level's own pools and from the
// lease this governor holds from its parent, which covers every pool above it. When that lease
// runs short the governor exchanges with its parent — the only time a request's limits cost more
// than one hop — so a busy root sees a few exchanges per child per second, not every request.
import { type ChainLink, dimsFor, type LimitSet, specFor, type Unit, upstreamDims } from './dims';
import { quotaEnd } from './period-end';
import {
  available,
  current,
  giveBack,
  nextPeriodStart,
  type PoolState,
  periodKey,
  take,
  waitFor,
} from './pools';

export interface GovernorState {
  pools: Record<string, PoolState>;
  /** What this governor holds from its parent, per pool name; negative is debt. */
  lease: {
    balances: Record<string, number>;
    expiresAt: number;
    asks?: Record<string, number>;
    /** When the lease was taken from the parent (its units' period, when they go back). */
    takenAt?: number;
    /**
     * The lease before the last renewal: spent first while it lives, then given back. A renewal
     * asks ahead of expiry, so grants never wait on the parent while this one still serves.
     */
    previous?: { balances: Record<string, number>; expiresAt: number; takenAt?: number };
    /** Until when the parent's grants said a pool is near its end (lean asks, see `scarce`). */
    scarceUntil?: number;
    /** Units granted from the lease per pool, in one-second windows: the size of the next ask. */
    drawn?: { start: number; counts: Record<string, number>; previous: Record<string, number> };
  };
}

export interface ExchangeRequest {
  /** Root first; compressed to the levels that have limits; the last link is the callee. */
  chain: ChainLink[];
  timeZone: string;
  now: number;
  model: string;
  want: Partial<Record<Unit, number>>;
  need: Partial<Record<Unit, number>>;
  /** Per pool name: granted earlier, not used. */
  returned?: Record<string, number>;
  /**
   * When the oldest of the `returned` units were granted. Units of a day (or month) that has ended
   * go back to no counter: they were counted in their own period, and the next one never saw them.
   */
  returnedAt?: number;
  /** Per pool name: used beyond what was granted (actual usage above the estimate). */
  extra?: Record<string, number>;
}

export interface Refusal {
  /** Pool name, e.g. `rpm`, `daily_budget`, `model_tpm:gpt-4o*`. */
  limit: string;
  /** The level that refused. */
  accountId: string;
  /** For rates: when the need will be available. Null for quotas (see resetAt). */
  retryAfterMs: number | null;
  /** For quotas: when the period resets. */
  resetAt: number | null;
  /** What the refused request needed of the pool: a smaller need may still be granted. */
  need?: number;
  /**
   * The need is more than the pool can ever hold (its capacity, or its whole period's quota): no
   * wait helps, so it is a policy error for this request, not a rate limit for its neighbours.
   */
  exceeds?: { capacity: number };
  /**
   * Units of the pool were granted within a lease's life: some may come back unused soon, so a
   * request is worth asking about once more before it is refused (not a promise that they will).
   */
  returning?: true;
}

export type ExchangeResult =
  | {
      ok: true;
      grant: Record<string, number>;
      ttlMs: number;
      /**
       * A pool on the chain is near its end (a share of what is left was granted, or the lease
       * it came from is scarce): the caller asks for what it uses, no headroom, while it lasts.
       */
      scarce?: true;
    }
  | { ok: false; refusal: Refusal };

export interface CoreOptions {
  /** Lifetime of grants this governor hands out. */
  grantTtlMs: number;
  /** Lifetime of the lease it takes from its parent. */
  parentLeaseTtlMs: number;
  /** This object's clock; without it, the time an exchange carries (`now`). */
  now?: () => number;
}

/** A lease is renewed once less than this share of its life is left. */
const RENEW_AT_SHARE = 0.4;
/** A renewal asks for a lease's life of the last second's draw, plus this much headroom. */
const ASK_HEADROOM = 1.25;
/**
 * How long a parent's refusal is remembered. Shorter than an isolate's memo: every level below
 * remembers it too, and units coming back to a used-up pool make it grant again soon.
 */
const PARENT_REFUSAL_MEMO_MS = 100;

export const emptyState = (): GovernorState => ({ pools: {}, lease: { balances: {}, expiresAt: 0 } });

export class GovernorCore {
  private queue: Promise<unknown> = Promise.resolve();
  /** The one exchange with the parent in flight; others wait on it only when the lease is short. */
  private topping?: Promise<void>;
  /** The parent's last refusal, remembered briefly (as isolates do) instead of asking again. */
  private parentRefusal?: { result: ExchangeResult; until: number };
  /** When each own pool last granted units (in memory: after a restart, refusals are final). */
  private readonly grantedAt = new Map<string, number>();

  constructor(
    readonly state: GovernorState,
    private readonly askParent: (req: ExchangeRequest) => Promise<ExchangeResult>,
    private readonly opts: CoreOptions,
  ) {}

  /**
   * Pools are read and written synchronously, so exchanges need no queue: one the lease covers is
   * answered at once, even while a top-up is in flight; only one the lease cannot cover waits on
   * the parent (on the top-up in flight, or one it starts).
   */
  exchange(req: ExchangeRequest): Promise<ExchangeResult> {
    return this.exchangeNow(req);
  }

  /**
   * Raises this level's period counters (RPD, TPD, budgets) to at least `actual`, the usage the
   * rollups have recorded for its subtree in the current period. Never lowers one: rollups lag
   * behind requests in flight, and a counter above them is grants not yet settled. What it fixes is
   * usage the counters missed (a settlement lost with an isolate, state lost with an object).
   */
  reconcile(
    limits: LimitSet,
    actual: Record<string, number>,
    timeZone: string,
    now: number,
  ): Promise<Record<string, number>> {
    const run = this.queue.then(() => {
      const raised: Record<string, number> = {};
      for (const [name, value] of Object.entries(actual)) {
        const found = specFor(limits, name);
        if (found?.spec.kind !== 'period') continue;
        const state = current(found.spec, this.state.pools[name], timeZone, now);
        if (state.kind === 'period' && state.used < value) {
          raised[name] = value - state.used;
          this.state.pools[name] = { ...state, used: value };
        } else this.state.pools[name] = state;
      }
      return raised;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Brings this level's credit pool (a prepaid wallet) in line with the ledger: `funds` becomes
   * what the ledger says came in, and `used` rises to what it has charged, never falls (usage
   * settled here may not be charged yet). A new allowance day starts over from the ledger.
   * `read` runs inside the queue, so no exchange sees a half-refreshed pool.
   */
  refreshCredit(
    read: () => Promise<{ funds: number; used: number; day: string }>,
    onlyIfSeeded: boolean,
  ): Promise<{ funds: number; used: number; day: string } | null> {
    const run = this.queue.then(async () => {
      const before = this.state.pools['credit'];
      if (onlyIfSeeded && before?.kind !== 'credit') return null;
      const ledger = await read();
      const next =
        before?.kind === 'credit' && before.day === ledger.day
          ? { ...ledger, used: Math.max(before.used, ledger.used) }
          : ledger;
      this.state.pools['credit'] = { kind: 'credit', ...next };
      return next;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Gives the parent back what is left of an expired lease (and reports debt). */
  releaseParentLease(chain: ChainLink[], timeZone: string, now: number): Promise<void> {
    const run = this.queue.then(async () => {
      if (chain.length < 2 || this.state.lease.expiresAt > now || this.topping) return;
      const { returned, extra, returnedAt } = this.expiredChunks(now);
      this.state.lease = { balances: {}, expiresAt: 0, asks: {} };
      if (Object.keys(returned).length || Object.keys(extra).length) {
        await this.askParent({
          chain: chain.slice(0, -1),
          timeZone,
          now,
          model: '',
          want: {},
          need: {},
          returned,
          returnedAt,
          extra,
        });
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private async exchangeNow(req: ExchangeRequest): Promise<ExchangeResult> {
    const self = req.chain.at(-1);
    if (!self) throw new Error('exchange without a chain');
    const { timeZone } = req;
    let now = this.now(req);
    const pool = (name: string) => {
      const found = specFor(self.limits, name);
      if (!found) return undefined;
      const state = current(found.spec, this.state.pools[name], timeZone, now);
      this.state.pools[name] = state;
      return { ...found, state };
    };
    const lease = this.state.lease;

    // Units given back go to the oldest live lease: they go back up the soonest.
    const oldest = lease.previous && lease.previous.expiresAt > now ? lease.previous : lease;
    for (const [name, amount] of Object.entries(req.returned ?? {})) {
      if (ofEndedPeriod(req.chain, name, timeZone, req.returnedAt, now)) continue;
      const p = pool(name);
      if (p) this.state.pools[name] = giveBack(p.spec, p.state, amount);
      if (req.chain.length > 1) {
        oldest.balances[name] = (oldest.balances[name] ?? 0) + amount;
        this.countDraw(name, -amount, now);
      }
    }
    for (const [name, amount] of Object.entries(req.extra ?? {})) {
      const p = pool(name);
      if (p) this.state.pools[name] = take(p.state, amount);
      if (req.chain.length > 1) lease.balances[name] = (lease.balances[name] ?? 0) - amount;
    }
    // Units given back to a lease that has ended cannot be granted here: pass them up at once (the
    // parent may be refusing siblings for want of them) rather than at the next top-up.
    if (req.chain.length > 1 && req.returned && lease.expiresAt <= now && !this.topping)
      this.releaseParentLease(req.chain, timeZone, now).catch(() => {});
    if (Object.keys(req.want).length === 0 && Object.keys(req.need).length === 0)
      return { ok: true, grant: {}, ttlMs: 0 };

    const own = new Map(dimsFor(self.limits, req.model).map((d) => [d.name, d]));
    const up = upstreamDims(req.chain, req.model);
    const names = new Set([...own.keys(), ...up.keys()]);
    const unitOf = (name: string) => (own.get(name)?.unit ?? up.get(name)) as Unit;
    const needOf = (name: string) => req.need[unitOf(name)] ?? 0;
    const wantOf = (name: string) => Math.max(needOf(name), req.want[unitOf(name)] ?? 0);

    // This level's own pools first: a request they refuse never touches the parent lease, so a
    // child that spent its own limit holds no units its siblings could use.
    for (const name of own.keys()) {
      const p = pool(name);
      if (!p) continue;
      const avail = available(p.spec, p.state);
      const need = needOf(name);
      if (avail < need || (need === 0 && avail <= 0))
        return { ok: false, refusal: this.own(ownRefusal(self.id, name, p, need, timeZone, now), now) };
    }

    // The lease is topped up (or renewed) in the background when it runs short of what is wanted
    // or nears its end; an exchange waits only when the lease cannot cover its need. At least one
    // unit: a request that needs none of a pool (an unpriced model against a budget) is refused
    // only when the pool is used up, and a lease of one unit is what shows it is not.
    const upNames = [...up.keys()];
    const liveSum = (n: string) => this.live(n, now);
    for (let attempt = 0; upNames.length; attempt++) {
      // A lease cut at the day's end is not renewed before it: the new one would end there too.
      const renewDue =
        lease.expiresAt <= now ||
        (lease.expiresAt - now < RENEW_AT_SHARE * this.opts.parentLeaseTtlMs &&
          lease.expiresAt < quotaEnd(req.chain, timeZone, now));
      const memo = this.parentRefusal;
      const refusal =
        memo && memo.until > now && !memo.result.ok && up.has(memo.result.refusal.limit) ? memo : undefined;
      if (!this.topping && !refusal && (renewDue || upNames.some((n) => liveSum(n) < wantOf(n))))
        this.topUp(req, upNames, wantOf, needOf, now).catch(() => {});
      if (upNames.every((n) => Math.floor(liveSum(n)) >= Math.max(1, needOf(n)))) break;
      // The parent was asked for the need less what the lease held; the caller's need is whole.
      if (refusal && !refusal.result.ok)
        return {
          ok: false,
          refusal: { ...refusal.result.refusal, need: needOf(refusal.result.refusal.limit) },
        };
      if (attempt >= 2 || !this.topping) break;
      await this.topping;
      now = this.now(req);
    }

    const grant: Record<string, number> = {};
    let scarce = lease.scarceUntil !== undefined && lease.scarceUntil > now;
    for (const name of names) {
      const p = own.has(name) ? pool(name) : undefined;
      const ownAvail = p ? available(p.spec, p.state) : Number.POSITIVE_INFINITY;
      const upAvail = up.has(name) ? Math.max(0, Math.floor(this.live(name, now))) : Number.POSITIVE_INFINITY;
      const need = needOf(name);
      // Quotas only: a bucket refills, so a rate's units come back within seconds anyway.
      const share = p?.spec.kind === 'period' ? scarceShare(ownAvail, need) : ownAvail;
      if (share < wantOf(name)) scarce = true;
      const amount = Math.min(wantOf(name), share, upAvail);
      if (amount < need || (need === 0 && Math.min(ownAvail, upAvail) <= 0)) {
        if (p && ownAvail <= upAvail)
          return { ok: false, refusal: this.own(ownRefusal(self.id, name, p, need, timeZone, now), now) };
        return {
          ok: false,
          refusal: {
            limit: name,
            accountId: this.parentIdFor(req.chain),
            retryAfterMs: 1_000,
            resetAt: null,
            need,
            // The lease ran short while its top-up was answered: worth asking once more.
            returning: true,
          },
        };
      }
      grant[name] = amount;
    }
    for (const [name, amount] of Object.entries(grant)) {
      const p = own.has(name) ? pool(name) : undefined;
      if (p) {
        this.state.pools[name] = take(p.state, amount);
        if (amount > 0) this.grantedAt.set(name, now);
      }
      if (up.has(name)) this.drawLease(name, amount, now);
    }
    return scarce
      ? { ok: true, grant, ttlMs: this.opts.grantTtlMs, scarce: true }
      : { ok: true, grant, ttlMs: this.opts.grantTtlMs };
  }

  /** Marks an own pool's refusal `returning` when that pool granted units within a lease's life. */
  private own(refusal: Refusal, now: number): Refusal {
    const at = this.grantedAt.get(refusal.limit);
    const within = this.opts.grantTtlMs + this.opts.parentLeaseTtlMs;
    // A rate's refusal carries its own wait (Retry-After); a quota's comes back only with units.
    const quota = refusal.retryAfterMs === null && refusal.resetAt !== null;
    return quota && at !== undefined && now - at < within && !refusal.exceeds
      ? { ...refusal, returning: true }
      : refusal;
  }

  private now(req: ExchangeRequest): number {
    return this.opts.now ? this.opts.now() : req.now;
  }

  /** What the live leases hold of a pool (negative: debt). */
  private live(name: string, now: number): number {
    const { previous: prev, balances, expiresAt } = this.state.lease;
    const fromPrev = prev && prev.expiresAt > now ? (prev.balances[name] ?? 0) : 0;
    return fromPrev + (expiresAt > now ? (balances[name] ?? 0) : 0);
  }

  /** Takes from the older live lease first, and counts the draw for the next ask's size. */
  private drawLease(name: string, amount: number, now: number): void {
    const lease = this.state.lease;
    let rest = amount;
    const prev = lease.previous;
    if (prev && prev.expiresAt > now) {
      const from = Math.min(rest, Math.max(0, prev.balances[name] ?? 0));
      prev.balances[name] = (prev.balances[name] ?? 0) - from;
      rest -= from;
    }
    lease.balances[name] = (lease.balances[name] ?? 0) - rest;
    this.countDraw(name, amount, now);
  }

  /**
   * Net draw: grants less what comes back. Counting grants alone would size each level's lease by
   * its children's leases, which are larger than their use, and so on up: a lease per level ever
   * larger than the traffic under it.
   */
  private countDraw(name: string, amount: number, now: number): void {
    const lease = this.state.lease;
    if (!lease.drawn) lease.drawn = { start: now, counts: {}, previous: {} };
    const w = lease.drawn;
    if (now - w.start >= 1_000) {
      w.previous = now - w.start < 2_000 ? w.counts : {};
      w.start = now;
      w.counts = {};
    }
    w.counts[name] = (w.counts[name] ?? 0) + amount;
  }

  /** Units per second drawn from the lease for a pool, over about the last second. */
  private drawRate(name: string, now: number): number {
    const w = this.state.lease.drawn;
    if (!w) return 0;
    if (now - w.start >= 2_000) return 0;
    if (now - w.start >= 1_000) return Math.max(0, w.counts[name] ?? 0);
    const current = ((w.counts[name] ?? 0) * 1_000) / Math.max(100, now - w.start);
    return Math.max(0, w.previous[name] ?? 0, current);
  }

  /** Takes what the expired leases hold (positive back, negative as debt), oldest time first. */
  private expiredChunks(now: number) {
    const lease = this.state.lease;
    const sum: Record<string, number> = {};
    let returnedAt: number | undefined;
    const collect = (chunk: { balances: Record<string, number>; takenAt?: number }) => {
      for (const [n, v] of Object.entries(chunk.balances)) sum[n] = (sum[n] ?? 0) + v;
      if (chunk.takenAt !== undefined) returnedAt = Math.min(returnedAt ?? chunk.takenAt, chunk.takenAt);
    };
    if (lease.previous && lease.previous.expiresAt <= now) {
      collect(lease.previous);
      lease.previous = undefined;
    }
    if (lease.expiresAt <= now) {
      collect(lease);
      lease.balances = {};
      lease.asks = {};
    }
    return { ...splitBalances(sum), returnedAt };
  }

  private topUp(
    req: ExchangeRequest,
    names: string[],
    wantOf: (n: string) => number,
    needOf: (n: string) => number,
    now: number,
  ): Promise<void> {
    const run = this.topUpNow(req, names, wantOf, needOf, now).finally(() => {
      this.topping = undefined;
    });
    this.topping = run;
    return run;
  }

  private async topUpNow(
    req: ExchangeRequest,
    names: string[],
    wantOf: (n: string) => number,
    needOf: (n: string) => number,
    now: number,
  ): Promise<void> {
    const lease = this.state.lease;
    const ttl = this.opts.parentLeaseTtlMs;
    // Expired leases go back whole before a new one is taken.
    const { returned, extra, returnedAt } = this.expiredChunks(now);
    const previousLive = lease.previous !== undefined && lease.previous.expiresAt > now;
    // Near its end the lease is renewed: a new one beside it, which serves once it ends. Otherwise
    // (a burst within its life) the lease grows.
    const renew = !previousLive && lease.expiresAt - now < RENEW_AT_SHARE * ttl;
    const asks: Record<string, number> = renew ? {} : (lease.asks ?? {});
    // Near a pool's end: a lease's life of the draw and what this caller wants, nothing more.
    const lean = lease.scarceUntil !== undefined && lease.scarceUntil > now;
    const want: Partial<Record<Unit, number>> = {};
    const need: Partial<Record<Unit, number>> = {};
    const up = upstreamDims(req.chain, req.model);
    for (const name of names) {
      const unit = up.get(name) as Unit;
      const have = Math.max(0, this.live(name, now));
      // A lease's life of what was drawn in the last second, so the lease keeps its size across
      // renewals; within a lease's life, twice the last ask each time it runs dry (a burst asks
      // the parent O(log n) times); at least twice what this caller wants.
      const byRate = Math.ceil((this.drawRate(name, now) * ttl * (lean ? 1 : ASK_HEADROOM)) / 1_000);
      const target = lean
        ? Math.max(wantOf(name), byRate, 1)
        : Math.max(2 * wantOf(name), byRate, renew ? 0 : 2 * (lease.asks?.[name] ?? 0), 1);
      // What the lease still holds is spent first, renewing or not.
      const ask = Math.max(1, target - have);
      asks[name] = ask;
      want[unit] = Math.max(want[unit] ?? 0, ask);
      need[unit] = Math.max(need[unit] ?? 0, needOf(name) - have);
    }
    const result = await this.askParent({
      chain: req.chain.slice(0, -1),
      timeZone: req.timeZone,
      now,
      model: req.model,
      want,
      need,
      returned,
      returnedAt,
      extra,
    });
    if (!result.ok) {
      const ms = Math.min(PARENT_REFUSAL_MEMO_MS, result.refusal.retryAfterMs ?? ttl);
      this.parentRefusal = { result, until: Math.min(now + ms, result.refusal.resetAt ?? now + ms) };
      lease.scarceUntil = now + SCARCE_HOLD_MS;
      return;
    }
    this.parentRefusal = undefined;
    if (result.scarce) lease.scarceUntil = now + SCARCE_HOLD_MS;
    else if (lease.scarceUntil !== undefined && lease.scarceUntil <= now) lease.scarceUntil = undefined;
    if (renew) {
      if (Object.keys(lease.balances).length)
        lease.previous = { balances: lease.balances, expiresAt: lease.expiresAt, takenAt: lease.takenAt };
      lease.balances = { ...result.grant };
      lease.expiresAt = Math.min(now + ttl, quotaEnd(req.chain, req.timeZone, now));
      lease.takenAt = now;
    } else
      for (const [name, amount] of Object.entries(result.grant))
        lease.balances[name] = (lease.balances[name] ?? 0) + amount;
    lease.asks = asks;
  }

  private parentIdFor(chain: ChainLink[]): string {
    return chain.at(-2)?.id ?? chain.at(-1)?.id ?? 'unknown';
  }
}

/**
 * Near a pool's end, one caller gets at most a share of what is left (never less than its need):
 * a child or an isolate holding the whole remainder for a lease's life would refuse its siblings
 * while those units sit unused. Far from the end the share is above any want, so it changes nothing.
 */
export const SCARCE_SHARE = 1 / 8;
/** How long a scarce grant or a parent's refusal keeps a governor's asks lean. */
const SCARCE_HOLD_MS = 2_000;
const scarceShare = (avail: number, need: number) =>
  Math.min(avail, Math.max(SCARCE_FLOOR_NEEDS * need, Math.ceil(avail * SCARCE_SHARE)));
/** ...but a few requests' worth: the last units of a small quota need not go one by one. */
const SCARCE_FLOOR_NEEDS = 4;

function ownRefusal(
  accountId: string,
  limit: string,
  p: { spec: Parameters<typeof waitFor>[0]; state: PoolState },
  need: number,
  timeZone: string,
  now: number,
): Refusal {
  // Credit comes back with money, not with time: no wait, no reset, never "exceeds".
  if (p.spec.kind === 'credit') return { limit, accountId, retryAfterMs: null, resetAt: null, need };
  const capacity = p.spec.kind === 'bucket' ? p.spec.capacity : p.spec.limit;
  if (need > capacity)
    return { limit, accountId, retryAfterMs: null, resetAt: null, need, exceeds: { capacity } };
  const wait = waitFor(p.spec, p.state, Math.max(1, need));
  const resetAt = p.spec.kind === 'period' ? nextPeriodStart(p.spec.period, timeZone, now) : null;
  return { limit, accountId, retryAfterMs: wait, resetAt, need };
}

/** True when `name` is a daily or monthly quota on the chain and `at` lies in an earlier period. */
function ofEndedPeriod(
  chain: ChainLink[],
  name: string,
  timeZone: string,
  at: number | undefined,
  now: number,
): boolean {
  if (at === undefined) return false;
  for (const link of chain) {
    const spec = specFor(link.limits, name)?.spec;
    if (spec?.kind === 'period')
      return periodKey(spec.period, timeZone, at) < periodKey(spec.period, timeZone, now);
  }
  return false;
}

function splitBalances(balances: Record<string, number>) {
  const returned: Record<string, number> = {};
  const extra: Record<string, number> = {};
  for (const [name, v] of Object.entries(balances)) {
    if (v > 0) returned[name] = v;
    else if (v < 0) extra[name] = -v;
  }
  return { returned, extra };
}
