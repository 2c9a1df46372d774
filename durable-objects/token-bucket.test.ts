import { describe, expect, it } from 'vitest';
import { take } from './token-bucket';

describe('token bucket', () => {
  it('admits exactly capacity requests at one instant, then refuses with the refill wait', () => {
    let bucket: ReturnType<typeof take>['bucket'] | undefined;
    let admitted = 0;
    let last: ReturnType<typeof take> | undefined;
    for (let i = 0; i < 80; i++) {
      last = take(bucket, 50, 60_000, 1, 1_000);
      bucket = last.bucket;
      if (last.ok) admitted++;
    }
    expect(admitted).toBe(50);
    expect(last?.ok).toBe(false);
    // One token refills every 60 000 / 50 = 1 200 ms.
    expect(last?.retryAfterMs).toBe(1_200);
  });

  it('refills in proportion to elapsed time and never above capacity', () => {
    const empty = { tokens: 0, at: 0 };
    expect(take(empty, 60, 60_000, 1, 999).ok).toBe(false);
    expect(take(empty, 60, 60_000, 1, 1_000).ok).toBe(true);
    expect(take(empty, 60, 60_000, 1, 10 * 60_000).bucket.tokens).toBe(59);
  });

  it('clamps a stored bucket to a lowered capacity', () => {
    const full = { tokens: 100, at: 0 };
    const d = take(full, 10, 60_000, 1, 0);
    expect(d.bucket.tokens).toBe(9);
  });
});
