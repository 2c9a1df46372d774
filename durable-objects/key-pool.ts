// KeyPool: one object per level (C7). Chooses the next healthy upstream key by smooth weighted
// round-robin and keeps each key's sleep-on-error state. The caller passes the level's keys, so the
// object never reads D1; health is persisted, the round-robin cursor is not (losing it is harmless).
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

export class KeyPool extends DurableObject<Env> {
  private state: PickState = { current: {} };
  private readonly healthById = new Map<string, KeyHealth>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    for (const [key, value] of ctx.storage.kv.list<KeyHealth>({ prefix: 'health:' })) {
      this.healthById.set(key.slice('health:'.length), value);
    }
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

  report(id: string, outcome: Outcome, now: number): void {
    const before = this.healthById.get(id);
    // A success on a healthy key changes nothing: skip the storage write on the hot path.
    if (outcome.kind === 'ok' && (before === undefined || before.failures === 0)) return;
    const after = applyOutcome(before, outcome, now);
    this.healthById.set(id, after);
    this.ctx.storage.kv.put(`health:${id}`, after);
  }

  health(): Record<string, KeyHealth> {
    return Object.fromEntries(this.healthById);
  }
}
