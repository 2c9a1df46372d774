// AccountGovernor: the hot, strongly consistent counters of one account (C5). One object per
// account, addressed by account id. State lives in the object's SQLite storage (sync KV API), so it
// survives eviction and restarts.
import { DurableObject } from 'cloudflare:workers';
import { type Bucket, take } from './token-bucket';

export interface AdmitRequest {
  /** Effective requests-per-minute limit of the caller; absent means unlimited. */
  rpm?: number;
  now: number;
}

export type AdmitResult = { ok: true } | { ok: false; limit: 'rpm'; retryAfterMs: number };

export class AccountGovernor extends DurableObject<Env> {
  private rpmBucket: Bucket | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rpmBucket = ctx.storage.kv.get<Bucket>('bucket:rpm');
  }

  admit(req: AdmitRequest): AdmitResult {
    if (req.rpm === undefined) return { ok: true };
    const decision = take(this.rpmBucket, req.rpm, 60_000, 1, req.now);
    this.rpmBucket = decision.bucket;
    this.ctx.storage.kv.put('bucket:rpm', decision.bucket);
    return decision.ok ? { ok: true } : { ok: false, limit: 'rpm', retryAfterMs: decision.retryAfterMs };
  }
}
