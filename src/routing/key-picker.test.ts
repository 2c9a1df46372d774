import { describe, expect, it } from 'vitest';
import { applyOutcome, type KeyHealth, type PickState, pickKey } from '../../durable-objects/round-robin';
import { KeyPicker, type PoolClient } from './key-picker';

/** A KeyPool's logic in memory, counting round trips. */
function fakePool() {
  let state: PickState = { current: {} };
  const health = new Map<string, KeyHealth>();
  const calls = { batch: 0, pick: 0, report: 0, counts: [] as number[] };
  const client: PoolClient = {
    async pickBatch({ candidates, count, now }) {
      calls.batch++;
      calls.counts.push(count);
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = pickKey(candidates, (id) => health.get(id), state, now);
        if (r.id === null) return { ids, validMs: 1_000, retryAfterMs: r.retryAfterMs };
        state = r.state;
        ids.push(r.id);
      }
      return { ids, validMs: 1_000, retryAfterMs: 0 };
    },
    async pick({ candidates, exclude, now }) {
      calls.pick++;
      const r = pickKey(candidates, (id) => health.get(id), state, now, new Set(exclude));
      state = r.state;
      return r.id === null ? { id: null, retryAfterMs: r.retryAfterMs } : { id: r.id };
    },
    async report(id, outcome, now) {
      calls.report++;
      health.set(id, applyOutcome(health.get(id), outcome, now));
    },
  };
  return { client, calls, health };
}

const keys = [
  { id: 'a', weight: 1 },
  { id: 'b', weight: 1 },
];

describe('key picker', () => {
  it('serves many concurrent picks from a few weighted batches', async () => {
    const pool = fakePool();
    const picker = new KeyPicker(() => pool.client);
    const picks = await Promise.all(Array.from({ length: 100 }, () => picker.pick(1, keys, new Set(), 0)));
    expect(picks.every((p) => p.id !== null)).toBe(true);
    expect(picks.filter((p) => p.id === 'a')).toHaveLength(50);
    expect(pool.calls.batch).toBeLessThanOrEqual(3);
  });

  it('doubles a batch spent before it expired, and starts small again after a quiet spell', async () => {
    const pool = fakePool();
    const picker = new KeyPicker(() => pool.client);
    // Sequential picks within one batch lifetime (validMs 1 s): 16, 32, 64, … up to the cap.
    for (let i = 0; i < 100; i++) await picker.pick(1, keys, new Set(), 100);
    expect(pool.calls.counts).toEqual([16, 32, 64]);
    // The batch held expired unspent: the next one is small again.
    await picker.pick(1, keys, new Set(), 5_000);
    expect(pool.calls.counts.at(-1)).toBe(16);
    expect(picker.pickHeld(1, 5_000)).toEqual({ id: expect.any(String) });
    expect(picker.pickHeld(1, 6_001)).toBeUndefined();
  });

  it('fails the pick when the pool cannot be asked, instead of asking again without end', async () => {
    const pool = fakePool();
    let calls = 0;
    const picker = new KeyPicker(() => ({
      ...pool.client,
      pickBatch: async () => {
        calls++;
        throw new Error('pool unreachable');
      },
    }));
    await expect(picker.pick(1, keys, new Set(), 0)).rejects.toThrow('pool unreachable');
    expect(calls).toBe(1);
  });

  it('sleeps a failing key here at once, before the pool hears of it', async () => {
    const pool = fakePool();
    const picker = new KeyPicker(() => pool.client);
    const sent: Promise<unknown>[] = [];
    await picker.pick(1, keys, new Set(), 0);
    picker.report(1, 'a', { kind: 'rate_limited', retryAfterMs: 30_000 }, 0, (p) => sent.push(p));
    const next = await Promise.all(Array.from({ length: 10 }, () => picker.pick(1, keys, new Set(), 10)));
    expect(next.map((p) => p.id)).toEqual(Array(10).fill('b'));
    await Promise.all(sent);
    expect(pool.health.get('a')?.coolUntil).toBe(30_000);
  });

  it('reports no key, with the shortest cool-down, when every key sleeps', async () => {
    const pool = fakePool();
    pool.health.set('a', { coolUntil: 5_000, disabled: false, failures: 1 });
    pool.health.set('b', { coolUntil: 0, disabled: true, failures: 1 });
    const picker = new KeyPicker(() => pool.client);
    expect(await picker.pick(1, keys, new Set(), 1_000)).toEqual({ id: null, retryAfterMs: 4_000 });
  });

  it('asks the pool directly for a retry that excludes the keys already tried', async () => {
    const pool = fakePool();
    const picker = new KeyPicker(() => pool.client);
    expect(await picker.pick(1, keys, new Set(['a']), 0)).toEqual({ id: 'b' });
    expect(pool.calls.pick).toBe(1);
  });

  it('tells the pool a key served again only when this isolate holds a failure against it', async () => {
    const { client, calls } = fakePool();
    const picker = new KeyPicker(() => client);
    const sent: Promise<unknown>[] = [];
    picker.served(1, 'a', 0, (p) => sent.push(p));
    expect(sent).toHaveLength(0);
    picker.report(1, 'a', { kind: 'server_error', suspect: true }, 0, (p) => sent.push(p));
    picker.served(1, 'a', 10, (p) => sent.push(p));
    await Promise.all(sent);
    expect(calls.report).toBe(2);
    // The suspicion is cleared: the next success sends nothing.
    picker.served(1, 'a', 20, (p) => sent.push(p));
    expect(sent).toHaveLength(2);
  });
});
