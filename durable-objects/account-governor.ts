// AccountGovernor: the strongly consistent limits of one account (or of a key with limits of its
// own), addressed by name (limits and quotas). The decision logic is GovernorCore; this class adds what only
// a
// Durable Object can: SQLite storage that survives eviction, RPC to the parent's governor, and an
// alarm that hands an expired parent lease back even when no request comes.
import { DurableObject } from 'cloudflare:workers';
import { ledgerCredit } from '../src/billing/credit';
import { dayIn } from '../src/lib/time';
import { publish } from '../src/webhooks/deliver';
import { creditExhausted, creditLow } from '../src/webhooks/events';
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
    const self = req.chain.at(-1);
    // A prepaid wallet seeds its credit from the ledger once, and again each allowance day; every
    // other exchange is answered from the pool (D1 stays off the request path).
    if (self?.limits.credit) {
      const pool = this.core.state.pools['credit'];
      if (pool?.kind !== 'credit' || pool.day !== dayIn(req.timeZone, Date.now())) {
        const wallet = { accountId: self.id, timeZone: req.timeZone };
        this.ctx.storage.kv.put('wallet', wallet);
        await this.core.refreshCredit(
          () => ledgerCredit(this.env.DB, wallet.accountId, wallet.timeZone, Date.now()),
          false,
        );
      }
    }
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
    if (self?.limits.credit) this.watchCredit(self.id, result, req.now);
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

  /** The scheduled job's reconciliation with the rollups (usage pipeline); returns what each counter rose by. */
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

  /**
   * The ledger changed for this account (money arrived, usage was charged, the cron's pass): read
   * the available credit again. Nothing to do for an account that is not a prepaid wallet.
   */
  async refreshCredit(): Promise<{ funds: number; used: number; day: string } | null> {
    const wallet = this.ctx.storage.kv.get<{ accountId: string; timeZone: string }>('wallet');
    if (!wallet) return null;
    const result = await this.core.refreshCredit(
      () => ledgerCredit(this.env.DB, wallet.accountId, wallet.timeZone, Date.now()),
      true,
    );
    this.ctx.storage.kv.put('state', this.core.state);
    return result;
  }

  /**
   * `credit.low` (under a tenth of the funds left) and `credit.exhausted` (a request refused for
   * credit), each once per funding level (the event id carries it), off the exchange's path.
   */
  private watchCredit(accountId: string, result: ExchangeResult, now: number): void {
    const pool = this.core.state.pools['credit'];
    if (pool?.kind !== 'credit') return;
    const left = pool.funds - pool.used;
    const exhausted =
      !result.ok && result.refusal.limit === 'credit' && result.refusal.accountId === accountId;
    const kind = exhausted ? 'exhausted' : left < pool.funds / 10 ? 'low' : null;
    if (!kind || this.ctx.storage.kv.get<number>(`credit.${kind}`) === pool.funds) return;
    this.ctx.storage.kv.put(`credit.${kind}`, pool.funds);
    const funds = pool.funds;
    this.ctx.waitUntil(
      (async () => {
        const row = await this.env.DB.prepare('SELECT path FROM accounts WHERE id = ?')
          .bind(accountId)
          .first<{ path: string }>();
        if (!row) return;
        const account = { id: accountId, path: row.path };
        await publish(
          this.env,
          kind === 'exhausted' ? creditExhausted(account, funds, now) : creditLow(account, funds, left, now),
        );
      })().catch(() => {}),
    );
  }

  /** Concurrency (the policy's `limits.concurrency`): a slot per in-flight request, at the key's account. */
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
