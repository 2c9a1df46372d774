// Token-bucket math (C5), pure: state and `now` in, decision and new state out.

export interface Bucket {
  /** Tokens available at `at`. */
  tokens: number;
  at: number;
}

export interface BucketDecision {
  ok: boolean;
  bucket: Bucket;
  /** When refused: milliseconds until `cost` tokens are available. */
  retryAfterMs: number;
}

/** A bucket of `capacity` refilling fully over `periodMs` (RPM: capacity per 60 000 ms). */
export function take(
  bucket: Bucket | undefined,
  capacity: number,
  periodMs: number,
  cost: number,
  now: number,
): BucketDecision {
  const ratePerMs = capacity / periodMs;
  const start = bucket ?? { tokens: capacity, at: now };
  const elapsed = Math.max(0, now - start.at);
  const tokens = Math.min(capacity, start.tokens + elapsed * ratePerMs);
  if (tokens >= cost) return { ok: true, bucket: { tokens: tokens - cost, at: now }, retryAfterMs: 0 };
  const retryAfterMs = ratePerMs > 0 ? Math.ceil((cost - tokens) / ratePerMs) : Number.POSITIVE_INFINITY;
  return { ok: false, bucket: { tokens, at: now }, retryAfterMs };
}
