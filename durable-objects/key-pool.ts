// KeyPool: one object per level (C7). Chooses upstream keys by smooth weighted round-robin over
// the healthy ones and keeps each key's sleep-on-error state. Isolates take picks in small batches
// (the order already weighted), so choosing a key rarely costs a round trip; errors come back
// asynchronously. The caller passes the level's keys, so the object never reads D1. Health and
// alerts are persisted; the round-robin cursor is not (losing it is harmless).
import { DurableObject } from 'cloudflare:workers';
import {
  applyOutcome,
  type Candidate,
  type KeyHealth,
  type Outcome,
  type PickState,
  pickKey,
} from './round-robin';

export interface PickRequest {
  candidates: Candidate[];
  /** Keys already tried by this request. */
  exclude?: string[];
  now: number;
}

export type PickResponse = { id: string } | { id: null; retryAfterMs: number };

export interface BatchResponse {
  ids: string[];
  /** How long the isolate may use the batch before asking again. */
  validMs: number;
  /** When `ids` is empty: how long until a key comes back from its cool-down. */
  retryAfterMs: number;
}

export interface KeyAlert {
  keyId: string;
  at: number;
  reason: string;
}

export const BATCH_VALID_MS = 1_000;
const MAX_ALERTS = 50;

export class KeyPool extends DurableObject<Env> {
  private state: PickState = { current: {} };
  private readonly healthById = new Map<string, KeyHealth>();
  private alerts: KeyAlert[];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const [key, value] of ctx.storage.kv.list<KeyHealth>({ prefix: 'health:' })) {
      this.healthById.set(key.slice('health:'.length), value);
    }
    this.alerts = ctx.storage.kv.get<KeyAlert[]>('alerts') ?? [];
  }

  pick(req: PickRequest): PickResponse {
    const result = pickKey(
      req.candidates,
      (id) => this.healthById.get(id),
      this.state,
      req.now,
      new Set(req.exclude),
    );
    this.state = result.state;
    return result.id === null ? { id: null, retryAfterMs: result.retryAfterMs } : { id: result.id };
  }

  /** The next `count` picks in weighted round-robin order over the keys healthy now. */
  pickBatch(req: PickRequest & { count: number }): BatchResponse {
    const ids: string[] = [];
    for (let i = 0; i < req.count; i++) {
      const result = pickKey(
        req.candidates,
        (id) => this.healthById.get(id),
        this.state,
        req.now,
        new Set(req.exclude),
      );
      if (result.id === null) return { ids, validMs: BATCH_VALID_MS, retryAfterMs: result.retryAfterMs };
      this.state = result.state;
      ids.push(result.id);
    }
    return { ids, validMs: BATCH_VALID_MS, retryAfterMs: 0 };
  }

  report(id: string, outcome: Outcome, now: number): void {
    const before = this.healthById.get(id);
    // A success on a healthy key changes nothing: skip the storage write.
    if (outcome.kind === 'ok' && (before === undefined || before.failures === 0)) return;
    const after = applyOutcome(before, outcome, now);
    this.healthById.set(id, after);
    this.ctx.storage.kv.put(`health:${id}`, after);
    if (after.disabled && !before?.disabled) {
      // A key the provider refuses needs an operator: record the alert and log it (never the key).
      const alert = { keyId: id, at: now, reason: after.lastError ?? 'disabled' };
      this.alerts = [alert, ...this.alerts].slice(0, MAX_ALERTS);
      this.ctx.storage.kv.put('alerts', this.alerts);
      console.error(JSON.stringify({ msg: 'upstream key disabled', ...alert }));
    }
  }

  /** An operator re-enables a disabled key (or clears a cool-down). */
  enable(id: string): boolean {
    const had = this.healthById.delete(id);
    this.ctx.storage.kv.delete(`health:${id}`);
    return had;
  }

  health(): { keys: Record<string, KeyHealth>; alerts: KeyAlert[] } {
    return { keys: Object.fromEntries(this.healthById), alerts: this.alerts };
  }
}
