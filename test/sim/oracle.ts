// The yardstick: one ideal, central limiter per account that sees every request at the instant it
// is admitted (and its actual usage when it ends), using the same pool math as the governors
// (durable-objects/pools.ts). Where the distributed system admitted more than this limiter's pools
// hold, that is overshoot; where it refused a request this limiter had room for, a false refusal.
import { dimsFor, type LimitSet, type Unit } from '../../durable-objects/dims';
import {
  available,
  current,
  giveBack,
  type PoolSpec,
  type PoolState,
  take,
} from '../../durable-objects/pools';

export interface OraclePool {
  name: string;
  unit: Unit;
  spec: PoolSpec;
  state: PoolState | undefined;
  /** Largest amount by which admissions exceeded the pool (units). */
  over: number;
}

export class Oracle {
  readonly pools: OraclePool[][];

  constructor(
    limits: LimitSet[],
    private readonly model: string,
    private readonly timeZone: string,
  ) {
    this.pools = limits.map((l) => this.build(l));
  }

  private build(limits: LimitSet): OraclePool[] {
    return dimsFor(limits, this.model).map((d) => ({
      name: d.name,
      unit: d.unit,
      spec: d.spec,
      state: undefined,
      over: 0,
    }));
  }

  /** An admin changed an account's limits: from now on the ideal limiter applies the new ones. */
  setLimits(account: number, limits: LimitSet, now: number): void {
    const old = this.pools[account] as OraclePool[];
    const next = this.build(limits);
    for (const p of next) {
      const before = old.find((o) => o.name === p.name);
      if (!before) continue;
      p.over = before.over;
      const s = current(before.spec, before.state, this.timeZone, now);
      // A lowered bucket holds at most its new capacity.
      p.state =
        s.kind === 'bucket' && p.spec.kind === 'bucket'
          ? { ...s, tokens: Math.min(s.tokens, p.spec.capacity) }
          : s;
    }
    this.pools[account] = next;
  }

  hasRoom(chain: readonly number[], need: Record<Unit, number>, now: number): boolean {
    for (const a of chain)
      for (const p of this.pools[a] as OraclePool[]) {
        p.state = current(p.spec, p.state, this.timeZone, now);
        if (available(p.spec, p.state) < need[p.unit]) return false;
      }
    return true;
  }

  admit(chain: readonly number[], reserved: Record<Unit, number>, now: number): void {
    for (const a of chain)
      for (const p of this.pools[a] as OraclePool[]) {
        const s = take(current(p.spec, p.state, this.timeZone, now), reserved[p.unit]);
        p.state = s;
        const over = s.kind === 'bucket' ? -s.tokens : s.used - (p.spec.kind === 'period' ? p.spec.limit : 0);
        if (over > p.over) p.over = over;
      }
  }

  /** Usage known: the difference from the reservation is given back or taken. */
  settle(chain: readonly number[], diff: Record<Unit, number>, now: number): void {
    for (const a of chain)
      for (const p of this.pools[a] as OraclePool[]) {
        const d = diff[p.unit];
        if (d === 0 || p.unit === 'requests') continue;
        const s = current(p.spec, p.state, this.timeZone, now);
        p.state = d > 0 ? take(s, d) : giveBack(p.spec, s, -d);
        const over =
          p.state.kind === 'bucket'
            ? -p.state.tokens
            : p.state.used - (p.spec.kind === 'period' ? p.spec.limit : 0);
        if (over > p.over) p.over = over;
      }
  }
}
