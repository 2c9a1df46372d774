// ConfigEpoch: one object for the whole gateway holding a counter that every admin write affecting
// request handling bumps (account tree and identity). Isolates compare it with the epoch their caches were
// filled under,
// at most every half second, so a revocation, suspension or policy change reaches every isolate
// within a second while warm requests still read no D1.
import { DurableObject } from 'cloudflare:workers';

export class ConfigEpoch extends DurableObject<Env> {
  private epoch: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.epoch = ctx.storage.kv.get<number>('epoch') ?? 0;
  }

  current(): number {
    return this.epoch;
  }

  bump(): number {
    this.epoch++;
    this.ctx.storage.kv.put('epoch', this.epoch);
    return this.epoch;
  }
}
