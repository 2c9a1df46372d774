// The isolate's side of key choice (routing and key pools): picks come from a small batch the level's
// KeyPool handed
// out (already in weighted round-robin order), so a request rarely waits on a round trip. A key
// that fails here is put to sleep locally at once — the same schedule the pool applies when the
// asynchronous report arrives — so this isolate sends it nothing more in the meantime.
import type { BatchResponse, PickResponse } from '../../durable-objects/key-pool';
import {
  applyOutcome,
  type Candidate,
  type KeyHealth,
  type Outcome,
} from '../../durable-objects/round-robin';
import { SHARED_WAIT_MS, settlesWithin } from '../lib/shared-wait';

export interface PoolClient {
  pickBatch(req: {
    candidates: Candidate[];
    count: number;
    exclude?: string[];
    now: number;
  }): Promise<BatchResponse>;
  pick(req: { candidates: Candidate[]; exclude?: string[]; now: number }): Promise<PickResponse>;
  report(id: string, outcome: Outcome, now: number): Promise<void>;
}

interface LevelPicks {
  queue: string[];
  expiresAt: number;
  fetching?: Promise<void>;
  retryAfterMs: number;
  /** The last batch came back empty: every key is cooling down or disabled. */
  empty: boolean;
  /** Requests waiting for the batch being fetched; the next batch is sized for them. */
  waiting: number;
  /** Size of the last batch asked for; doubled when a batch runs dry before it expires. */
  lastBatch: number;
  health: Map<string, KeyHealth>;
}

export const BATCH_SIZE = 16;
/** Cap on one batch: at a busy isolate's rate a batch of 16 meant a pool call every 16 requests. */
export const MAX_BATCH_SIZE = 256;

export class KeyPicker {
  private readonly levels = new Map<number, LevelPicks>();

  constructor(private readonly pool: (levelId: number) => PoolClient) {}

  /**
   * The next key of the batch held here, without waiting (the common case): undefined when the
   * batch is spent or expired and `pick` must fetch one.
   */
  pickHeld(levelId: number, now: number): PickResponse | undefined {
    const level = this.level(levelId);
    if (level.expiresAt <= now) return undefined;
    while (level.queue.length) {
      const id = level.queue.shift() as string;
      const h = level.health.get(id);
      if (!h || (!h.disabled && h.coolUntil <= now)) return { id };
    }
    return undefined;
  }

  async pick(
    levelId: number,
    candidates: Candidate[],
    exclude: ReadonlySet<string>,
    now: number,
  ): Promise<PickResponse> {
    const level = this.level(levelId);
    const usable = (id: string) => {
      const h = level.health.get(id);
      return !exclude.has(id) && !(h?.disabled ?? false) && (h?.coolUntil ?? 0) <= now;
    };
    while (exclude.size === 0) {
      const held = this.pickHeld(levelId, now);
      if (held) return held;
      level.fetching ??= this.fetch(levelId, level, candidates, now).finally(() => {
        level.fetching = undefined;
      });
      level.waiting++;
      const fetching = level.fetching;
      let failure: { error: unknown } | undefined;
      const settled = await settlesWithin(
        fetching.catch((error: unknown) => {
          failure = { error };
        }),
        SHARED_WAIT_MS,
      );
      level.waiting--;
      // The pool could not be asked: fail this request rather than ask again at once, forever.
      if (failure) throw failure.error;
      // Another request's fetch that never settles (that request went away): fetch our own.
      if (!settled && level.fetching === fetching) level.fetching = undefined;
      if (level.empty) return { id: null, retryAfterMs: level.retryAfterMs };
    }
    // Retries within one request (keys excluded) ask the pool directly: rare, and exact.
    const healthyHere = candidates.filter((c) => usable(c.id));
    if (healthyHere.length === 0) return { id: null, retryAfterMs: this.localWait(level, now) };
    return this.pool(levelId).pick({ candidates: healthyHere, exclude: [...exclude], now });
  }

  /**
   * A key served a request. Only news when this isolate saw it fail (a suspect 5xx waiting for
   * evidence, a backoff to reset): then the pool hears of it, otherwise nothing is sent.
   */
  served(levelId: number, keyId: string, now: number, send: (p: Promise<unknown>) => void): void {
    const h = this.level(levelId).health.get(keyId);
    if (!h || (h.failures === 0 && h.suspectAt === undefined)) return;
    this.report(levelId, keyId, { kind: 'ok' }, now, send);
  }

  /** Sleeps the key here at once; the pool hears of it asynchronously through `send`. */
  report(
    levelId: number,
    keyId: string,
    outcome: Outcome,
    now: number,
    send: (p: Promise<unknown>) => void,
  ): void {
    const level = this.level(levelId);
    level.health.set(keyId, applyOutcome(level.health.get(keyId), outcome, now));
    if (outcome.kind !== 'ok') level.queue = level.queue.filter((id) => id !== keyId);
    send(
      this.pool(levelId)
        .report(keyId, outcome, now)
        .catch(() => {}),
    );
  }

  private level(levelId: number): LevelPicks {
    let level = this.levels.get(levelId);
    if (!level) {
      level = {
        queue: [],
        expiresAt: 0,
        retryAfterMs: 0,
        empty: false,
        waiting: 0,
        lastBatch: 0,
        health: new Map(),
      };
      this.levels.set(levelId, level);
    }
    return level;
  }

  private async fetch(
    levelId: number,
    level: LevelPicks,
    candidates: Candidate[],
    now: number,
  ): Promise<void> {
    // A batch spent before it expired asks for twice as many next time; one that expired unspent
    // (a quiet isolate) starts over small, so picks stay close to the pool's current view.
    const count = Math.min(
      MAX_BATCH_SIZE,
      Math.max(BATCH_SIZE, level.waiting + 1, level.expiresAt > now ? 2 * level.lastBatch : 0),
    );
    level.lastBatch = count;
    const batch = await this.pool(levelId).pickBatch({ candidates, count, now });
    level.queue = batch.ids;
    level.empty = batch.ids.length === 0;
    level.expiresAt = now + batch.validMs;
    level.retryAfterMs = batch.retryAfterMs;
    // The pool's view is newer: a key it hands out (re-enabled by an operator, say) is healthy, and
    // a local cool-down that has ended is over.
    for (const id of batch.ids) level.health.delete(id);
    for (const [id, h] of level.health) if (!h.disabled && h.coolUntil <= now) level.health.delete(id);
  }

  private localWait(level: LevelPicks, now: number): number {
    const waits = [...level.health.values()]
      .filter((h) => !h.disabled && h.coolUntil > now)
      .map((h) => h.coolUntil - now);
    return waits.length ? Math.min(...waits) : 0;
  }
}
