import { describe, expect, it } from 'vitest';
import { applyOutcome, type KeyHealth, type PickState, pickKey } from './round-robin';

function picks(
  n: number,
  candidates: { id: string; weight: number }[],
  health: Record<string, KeyHealth> = {},
  now = 0,
) {
  let state: PickState = { current: {} };
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const r = pickKey(candidates, (id) => health[id], state, now);
    state = r.state;
    out.push(r.id);
  }
  return out;
}

describe('smooth weighted round-robin', () => {
  it('rotates evenly over equal weights', () => {
    expect(
      picks(6, [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 1 },
      ]),
    ).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('honours weights without bursts', () => {
    const seq = picks(7, [
      { id: 'a', weight: 5 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ]);
    expect(seq).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('skips cooling and disabled keys, and reports the shortest wait when none is left', () => {
    const health: Record<string, KeyHealth> = {
      a: { coolUntil: 5_000, disabled: false, failures: 1 },
      b: { coolUntil: 0, disabled: true, failures: 1 },
    };
    expect(
      picks(
        3,
        [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
          { id: 'c', weight: 1 },
        ],
        health,
        1_000,
      ),
    ).toEqual(['c', 'c', 'c']);
    const none = pickKey(
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
      ],
      (id) => health[id],
      { current: {} },
      1_000,
    );
    expect(none).toMatchObject({ id: null, retryAfterMs: 4_000 });
  });

  it('excludes keys this request already tried', () => {
    const r = pickKey(
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
      ],
      () => undefined,
      { current: {} },
      0,
      new Set(['a']),
    );
    expect(r.id).toBe('b');
  });
});

describe('sleep on error', () => {
  it('cools a rate-limited key for Retry-After, else backs off exponentially', () => {
    expect(applyOutcome(undefined, { kind: 'rate_limited', retryAfterMs: 7_000 }, 100).coolUntil).toBe(7_100);
    const once = applyOutcome(undefined, { kind: 'rate_limited' }, 0);
    expect(once.coolUntil).toBe(1_000);
    expect(applyOutcome(once, { kind: 'rate_limited' }, 0).coolUntil).toBe(2_000);
  });

  it('cools briefly on 5xx and timeouts, disables on auth failures, heals on success', () => {
    expect(applyOutcome(undefined, { kind: 'server_error' }, 0).coolUntil).toBe(2_000);
    expect(applyOutcome(undefined, { kind: 'timeout' }, 0).coolUntil).toBe(2_000);
    const dead = applyOutcome(undefined, { kind: 'auth_failed', status: 401 }, 0);
    expect(dead).toMatchObject({ disabled: true, lastError: 'auth_failed_401' });
    expect(applyOutcome({ coolUntil: 9, disabled: false, failures: 3 }, { kind: 'ok' }, 0)).toMatchObject({
      failures: 0,
      coolUntil: 0,
    });
  });

  it('cools a key on a suspect 5xx only when it already failed another request since serving one', () => {
    const suspect = { kind: 'server_error', suspect: true } as const;
    const once = applyOutcome(undefined, suspect, 0);
    expect(once).toMatchObject({ coolUntil: 0, failures: 0, suspectAt: 0, lastError: 'server_error' });
    // A success in between clears the suspicion: the next suspect 5xx is again only noted.
    const served = applyOutcome(once, { kind: 'ok' }, 10);
    expect(served.suspectAt).toBeUndefined();
    expect(applyOutcome(served, suspect, 20).coolUntil).toBe(0);
    // A second failed request with no success between: evidence, the key cools.
    expect(applyOutcome(once, suspect, 100).coolUntil).toBe(2_100);
    // A confirmed 5xx (another key served the same request) cools at once.
    expect(applyOutcome(undefined, { kind: 'server_error' }, 0).coolUntil).toBe(2_000);
  });
});
