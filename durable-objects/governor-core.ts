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
import { available, current, giveBack, nextPeriodStart, type PoolState, take, waitFor } from './pools';

export interface GovernorState {
  pools: Record<string, PoolState>;
  /** What this governor holds from its parent, per pool name; negative is debt. */
  lease: { balances: Record<string, number>; expiresAt: number; asks?: Record<string, number> };
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
}

export type ExchangeResult =
  | { ok: true; grant: Record<string, number>; ttlMs: number }
  | { ok: false; refusal: Refusal };

export interface CoreOptions {
  /** Lifetime of grants this governor hands out. */
  grantTtlMs: number;
  /** Lifetime of the lease it takes from its parent. */
  parentLeaseTtlMs: number;
}

export const emptyState = (): GovernorState => ({ pools: {}, lease: { balances: {}, expiresAt: 0 } });

export class GovernorCore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly state: GovernorState,
    private readonly askParent: (req: ExchangeRequest) => Promise<ExchangeResult>,
    private readonly opts: CoreOptions,
  ) {}

  /** Exchanges run one at a time: each reads and writes pools around an awaited parent call. */
  exchange(req: ExchangeRequest): Promise<ExchangeResult> {
    const run = this.queue.then(() => this.exchangeNow(req));
    this.queue = run.catch(() => {});
    return run;
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
      const before = this.state.pools.credit;
      if (onlyIfSeeded && before?.kind !== 'credit') return null;
      const ledger = await read();
      const next =
        before?.kind === 'credit' && before.day === ledger.day
          ? { ...ledger, used: Math.max(before.used, ledger.used) }
          : ledger;
      this.state.pools.credit = { kind: 'credit', ...next };
      return next;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Gives the parent back what is left of an expired lease (and reports debt). */
  releaseParentLease(chain: ChainLink[], timeZone: string, now: number): Promise<void> {
    const run = this.queue.then(async () => {
      if (chain.length < 2 || this.state.lease.expiresAt > now) return;
      const { returned, extra } = splitBalances(this.state.lease.balances);
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
    const { now, timeZone } = req;
    const pool = (name: string) => {
      const found = specFor(self.limits, name);
      if (!found) return undefined;
      const state = current(found.spec, this.state.pools[name], timeZone, now);
      this.state.pools[name] = state;
      return { ...found, state };
    };
    const lease = this.state.lease;

    for (const [name, amount] of Object.entries(req.returned ?? {})) {
      const p = pool(name);
      if (p) this.state.pools[name] = giveBack(p.spec, p.state, amount);
      if (req.chain.length > 1) lease.balances[name] = (lease.balances[name] ?? 0) + amount;
    }
    for (const [name, amount] of Object.entries(req.extra ?? {})) {
      const p = pool(name);
      if (p) this.state.pools[name] = take(p.state, amount);
      if (req.chain.length > 1) lease.balances[name] = (lease.balances[name] ?? 0) - amount;
    }
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
        return { ok: false, refusal: ownRefusal(self.id, name, p, need, timeZone, now) };
    }

    // Top up the parent lease when it cannot cover what is wanted.
    const short = [...up.keys()].filter(
      (n) => lease.expiresAt <= now || (lease.balances[n] ?? 0) < wantOf(n),
    );
    if (short.length) {
      const refused = await this.topUp(req, short, wantOf, needOf);
      if (refused) return refused;
    }

    const grant: Record<string, number> = {};
    for (const name of names) {
      const p = own.has(name) ? pool(name) : undefined;
      const ownAvail = p ? available(p.spec, p.state) : Number.POSITIVE_INFINITY;
      const upAvail = up.has(name)
        ? Math.max(0, Math.floor(lease.balances[name] ?? 0))
        : Number.POSITIVE_INFINITY;
      const need = needOf(name);
      const amount = Math.min(wantOf(name), ownAvail, upAvail);
      if (amount < need || (need === 0 && Math.min(ownAvail, upAvail) <= 0)) {
        if (p && ownAvail <= upAvail)
          return { ok: false, refusal: ownRefusal(self.id, name, p, need, timeZone, now) };
        return {
          ok: false,
          refusal: {
            limit: name,
            accountId: this.parentIdFor(req.chain),
            retryAfterMs: 1_000,
            resetAt: null,
            need,
          },
        };
      }
      grant[name] = amount;
    }
    for (const [name, amount] of Object.entries(grant)) {
      const p = own.has(name) ? pool(name) : undefined;
      if (p) this.state.pools[name] = take(p.state, amount);
      if (up.has(name)) lease.balances[name] = (lease.balances[name] ?? 0) - amount;
    }
    return { ok: true, grant, ttlMs: this.opts.grantTtlMs };
  }

  private async topUp(
    req: ExchangeRequest,
    short: string[],
    wantOf: (n: string) => number,
    needOf: (n: string) => number,
  ): Promise<ExchangeResult | undefined> {
    const lease = this.state.lease;
    const expired = lease.expiresAt <= req.now;
    // An expired lease goes back whole before a new one is taken.
    const { returned, extra } = expired ? splitBalances(lease.balances) : { returned: {}, extra: {} };
    if (expired) {
      lease.balances = {};
      lease.asks = {};
    }
    const asks = lease.asks ?? {};
    const want: Partial<Record<Unit, number>> = {};
    const need: Partial<Record<Unit, number>> = {};
    const up = upstreamDims(req.chain, req.model);
    for (const name of short) {
      const unit = up.get(name) as Unit;
      const have = Math.max(0, lease.balances[name] ?? 0);
      // Ask for twice what this caller wants, and double the ask each time a live lease runs dry:
      // under a burst the parent is asked O(log n) times, while a quiet child holds little. At
      // least one unit: a request that needs none of a pool (an unpriced model against a budget)
      // is refused only when the pool is used up, and a lease of one unit is what shows it is not.
      const ask = Math.max(2 * wantOf(name), 2 * (asks[name] ?? 0), 1) - have;
      asks[name] = ask;
      want[unit] = Math.max(want[unit] ?? 0, ask);
      need[unit] = Math.max(need[unit] ?? 0, needOf(name) - have);
    }
    const result = await this.askParent({
      chain: req.chain.slice(0, -1),
      timeZone: req.timeZone,
      now: req.now,
      model: req.model,
      want,
      need,
      returned,
      extra,
    });
    if (!result.ok) {
      const covered = short.every((n) => (lease.balances[n] ?? 0) >= needOf(n));
      // The parent was asked for the need less what the lease held; the caller's need is whole.
      return covered
        ? undefined
        : { ok: false, refusal: { ...result.refusal, need: needOf(result.refusal.limit) } };
    }
    for (const [name, amount] of Object.entries(result.grant))
      lease.balances[name] = (lease.balances[name] ?? 0) + amount;
    lease.asks = asks;
    if (expired) lease.expiresAt = req.now + this.opts.parentLeaseTtlMs;
    return undefined;
  }

  private parentIdFor(chain: ChainLink[]): string {
    return chain.at(-2)?.id ?? chain.at(-1)?.id ?? 'unknown';
  }
}

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

function splitBalances(balances: Record<string, number>) {
  const returned: Record<string, number> = {};
  const extra: Record<string, number> = {};
  for (const [name, v] of Object.entries(balances)) {
    if (v > 0) returned[name] = v;
    else if (v < 0) extra[name] = -v;
  }
  return { returned, extra };
}
