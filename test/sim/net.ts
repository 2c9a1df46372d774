// The simulated edge network and Durable Objects. Colos sit on a plane; a one-way latency is the
// round trip their distance gives, halved, times a log-normal jitter. A message may be lost (at
// random, or because a partition cuts its colo off); the call then fails `rpcErrorMs` after it was
// sent, as an RPC to an unreachable object throws. An object runs one call at a time for a fixed
// service time, so calls beyond its capacity queue and wait, as they do on a real object.
import type { Rng, Sim } from './engine';
import type { Scenario } from './scenario';

export class SimObject {
  busyUntil = 0;
  calls = 0;
  waitMax = 0;
  waitSum = 0;
  /** Calls received per 100 ms bin. */
  readonly bins: Uint32Array;

  constructor(
    readonly id: string,
    readonly colo: number,
    private readonly sim: Sim,
    private readonly serviceMs: number,
    horizonMs: number,
  ) {
    this.bins = new Uint32Array(Math.ceil(horizonMs / 100) + 1);
  }

  /** Runs `fn` once the object has served everything queued before it, plus its service time. */
  enqueue(fn: () => void): void {
    const t = this.sim.time;
    const start = Math.max(t, this.busyUntil);
    this.busyUntil = start + this.serviceMs;
    this.calls++;
    const bin = Math.floor(t / 100);
    if (bin < this.bins.length) this.bins[bin] = (this.bins[bin] as number) + 1;
    this.waitMax = Math.max(this.waitMax, start - t);
    this.waitSum += start - t;
    this.sim.at(this.busyUntil, fn);
  }
}

export class RpcLost extends Error {
  constructor() {
    super('simulated RPC failure: message lost');
  }
}

export class Network {
  private readonly xy: { x: number; y: number }[];
  private readonly cuts: { colo: number; from: number; to: number }[] = [];
  lost = 0;
  sent = 0;

  constructor(
    private readonly sim: Sim,
    private readonly rng: Rng,
    private readonly cfg: Scenario['colos'] & Scenario['network'],
  ) {
    // Points in a unit disk: the farthest pair is about the diameter apart.
    this.xy = Array.from({ length: cfg.count }, () => {
      const r = Math.sqrt(rng.float());
      const a = rng.float() * 2 * Math.PI;
      return { x: r * Math.cos(a), y: r * Math.sin(a) };
    });
  }

  /** Seven regions (a continent each): a central disk and six sectors around it. */
  region(colo: number): string {
    const p = this.xy[colo] as { x: number; y: number };
    if (Math.hypot(p.x, p.y) < 0.35) return 'R0';
    return `R${1 + (Math.floor(((Math.atan2(p.y, p.x) + Math.PI) / (2 * Math.PI)) * 6) % 6)}`;
  }

  /** One-way latency in ms, with jitter. */
  latency(a: number, b: number): number {
    const c = this.cfg;
    if (a === b) return (c.rttMs.localMs / 2) * Math.exp(c.jitterSigma * this.rng.normal());
    const p = this.xy[a] as { x: number; y: number };
    const q = this.xy[b] as { x: number; y: number };
    const d = Math.hypot(p.x - q.x, p.y - q.y) / 2;
    const rtt = c.rttMs.min + (c.rttMs.max - c.rttMs.min) * d;
    return (rtt / 2) * Math.exp(c.jitterSigma * this.rng.normal());
  }

  partition(colo: number, fromMs: number, toMs: number): void {
    this.cuts.push({ colo, from: fromMs, to: toMs });
  }

  private delivered(a: number, b: number): boolean {
    this.sent++;
    const t = this.sim.time;
    for (const cut of this.cuts)
      if (t >= cut.from && t < cut.to && (a === cut.colo) !== (b === cut.colo)) {
        this.lost++;
        return false;
      }
    if (this.cfg.loss > 0 && this.rng.float() < this.cfg.loss) {
      this.lost++;
      return false;
    }
    return true;
  }

  /**
   * A call from `colo` to `obj`: the request travels, queues at the object, runs `handler`, and the
   * answer travels back. `alive` false (the caller's isolate vanished) drops the answer.
   */
  call<T>(
    colo: number,
    alive: () => boolean,
    obj: SimObject,
    handler: () => Promise<T>,
    onRequestLost?: () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const sentAt = this.sim.time;
      const fail = () =>
        this.sim.at(sentAt + this.cfg.rpcErrorMs, () => {
          if (alive()) reject(new RpcLost());
        });
      if (!this.delivered(colo, obj.colo)) {
        onRequestLost?.();
        fail();
        return;
      }
      this.sim.after(this.latency(colo, obj.colo), () =>
        obj.enqueue(() => {
          const answer = (settle: () => void) => {
            if (!this.delivered(obj.colo, colo)) {
              fail();
              return;
            }
            this.sim.after(this.latency(obj.colo, colo), () => {
              if (alive()) settle();
            });
          };
          handler().then(
            (v) => answer(() => resolve(v)),
            (err: unknown) => answer(() => reject(err)),
          );
        }),
      );
    });
  }
}
