// AccountGovernor: the strongly consistent limits of one account (or of a key with limits of its
// own), addressed by name (C5). The decision logic is GovernorCore; this class adds what only a
// Durable Object can: SQLite storage that survives eviction, RPC to the parent's governor, and an
// alarm that hands an expired parent lease back even when no request comes.
import { DurableObject } from 'cloudflare:workers';
import type { ChainLink, LimitSet } from './dims';
import {
  type ExchangeRequest,
  type ExchangeResult,
  emptyState,
  GovernorCore,
  type GovernorState,
} from './governor-core';
import { GRANT_TTL_MS, PARENT_LEASE_TTL_MS } from './lease-ttl';
import { capAtPeriodEnd } from './period-end';
import { CallRate, type HintedResult, isRelay, RELAY_ABOVE_PER_S } from './relay';

export { GRANT_TTL_MS, PARENT_LEASE_TTL_MS };

interface Context {
  chain: ChainLink[];
  timeZone: string;
}

export interface GovernorSnapshot {
  state: GovernorState;
  inFlight: number;
}

export class AccountGovernor extends DurableObject<Env> {
  private readonly core: GovernorCore;
  private inFlight: number;
  private readonly rate = new CallRate();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const state = ctx.storage.kv.get<GovernorState>('state') ?? emptyState();
    this.inFlight = ctx.storage.kv.get<number>('inFlight') ?? 0;
    this.core = new GovernorCore(state, (req) => this.parent(req), {
      grantTtlMs: GRANT_TTL_MS,
      parentLeaseTtlMs: PARENT_LEASE_TTL_MS,
      now: () => Date.now(),
    });
  }

  async exchange(req: ExchangeRequest): Promise<HintedResult> {
    const busy = this.rate.hit(Date.now()) > RELAY_ABOVE_PER_S && !isRelay(req.chain.at(-1)?.id ?? '');
    // The period (day, month) is decided by this object's clock, not the caller's: a request sent
    // before midnight and served after it counts in the new day.
    const result = capAtPeriodEnd<HintedResult>(
      await this.core.exchange({ ...req, now: Date.now() }),
      this.core.state,
      req.chain,
      req.timeZone,
      Date.now(),
    );
    this.ctx.storage.kv.put('state', this.core.state);
    if (req.chain.length > 1) {
      this.ctx.storage.kv.put<Context>('context', { chain: req.chain, timeZone: req.timeZone });
      const expiresAt = this.core.state.lease.expiresAt;
      if (expiresAt > 0 && (await this.ctx.storage.getAlarm()) === null)
        await this.ctx.storage.setAlarm(expiresAt);
    }
    // Too busy: its callers should come through relays (durable-objects/relay.ts), refused or not
    // (a hot tenant over its limit is refused as often as it is served).
    return busy ? { ...result, busy: true } : result;
  }

  override async alarm(): Promise<void> {
    const context = this.ctx.storage.kv.get<Context>('context');
    if (!context) return;
    const now = Date.now();
    const { expiresAt } = this.core.state.lease;
    if (expiresAt > now) {
      await this.ctx.storage.setAlarm(expiresAt);
      return;
    }
    await this.core.releaseParentLease(context.chain, context.timeZone, now);
    this.ctx.storage.kv.put('state', this.core.state);
  }

  /** The scheduled job's reconciliation with the rollups (C9); returns what each counter rose by. */
  async reconcile(req: {
    limits: LimitSet;
    actual: Record<string, number>;
    timeZone: string;
    now: number;
  }): Promise<Record<string, number>> {
    const raised = await this.core.reconcile(req.limits, req.actual, req.timeZone, req.now);
    this.ctx.storage.kv.put('state', this.core.state);
    return raised;
  }

  /** Concurrency (C4 `limits.concurrency`): a slot per in-flight request, at the key's account. */
  acquireSlot(limit: number): { ok: boolean; inFlight: number } {
    if (this.inFlight >= limit) return { ok: false, inFlight: this.inFlight };
    this.inFlight++;
    this.ctx.storage.kv.put('inFlight', this.inFlight);
    return { ok: true, inFlight: this.inFlight };
  }

  releaseSlot(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.ctx.storage.kv.put('inFlight', this.inFlight);
  }

  snapshot(): GovernorSnapshot {
    return { state: this.core.state, inFlight: this.inFlight };
  }

  private parent(req: ExchangeRequest): Promise<ExchangeResult> {
    const id = req.chain.at(-1)?.id;
    if (!id) throw new Error('no parent in chain');
    return this.env.ACCOUNT_GOVERNOR.get(this.env.ACCOUNT_GOVERNOR.idFromName(id)).exchange(req);
  }
}
