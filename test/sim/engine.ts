// The discrete-event core: one simulated clock, a heap of timed events, and a run loop that lets
// the real (async) governance code run between events. Time is in milliseconds as a float; the
// clock the code reads is whole milliseconds, as Date.now() is. Events of one millisecond run
// together, then every promise continuation they caused runs (a macrotask boundary) before the
// clock moves on, so a continuation never sees a later time than the event that woke it.
import type { Clock } from '../../src/lib/clock';

interface Event {
  at: number;
  seq: number;
  fn: () => void;
  cancelled?: boolean;
}

export class Sim {
  time = 0;
  private heap: Event[] = [];
  private seq = 0;
  events = 0;

  constructor(readonly start: number) {}

  /** Epoch milliseconds, as the code under test sees them. */
  now(): number {
    return this.start + Math.floor(this.time);
  }

  at(time: number, fn: () => void): Event {
    const ev: Event = { at: Math.max(time, this.time), seq: this.seq++, fn };
    this.push(ev);
    return ev;
  }

  after(ms: number, fn: () => void): Event {
    return this.at(this.time + Math.max(0, ms), fn);
  }

  /** A Clock for the code under test; `alive` false drops its timers (a vanished isolate's). */
  clock(alive: () => boolean = () => true): Clock {
    return {
      now: () => this.now(),
      setTimeout: (fn, ms) =>
        this.after(ms, () => {
          if (alive()) fn();
        }),
      clearTimeout: (h) => {
        if (h) (h as Event).cancelled = true;
      },
    };
  }

  async run(until: number, onMillisecond?: (ms: number) => void): Promise<void> {
    let lastMs = -1;
    while (this.heap.length) {
      const head = this.heap[0] as Event;
      if (head.at > until) break;
      const ms = Math.floor(head.at);
      if (ms !== lastMs) {
        lastMs = ms;
        onMillisecond?.(ms);
      }
      while (this.heap.length && Math.floor((this.heap[0] as Event).at) === ms) {
        const ev = this.pop();
        if (ev.cancelled) continue;
        this.time = Math.max(this.time, ev.at);
        this.events++;
        ev.fn();
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    this.time = Math.max(this.time, until);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(ev, h[p] as Event)) break;
      h[i] = h[p] as Event;
      i = p;
    }
    h[i] = ev;
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0] as Event;
    const last = h.pop() as Event;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r] as Event, h[l] as Event) ? r : l;
        if (!before(h[c] as Event, last)) break;
        h[i] = h[c] as Event;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

const before = (a: Event, b: Event) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Seeded PRNG (sfc32, seeded through splitmix32): the same seed gives the same run. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.float();
  }

  /** Uniform in [0, 1). */
  float(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Log-normal with the given median and sigma (of the log). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  fork(salt: number): Rng {
    return new Rng((this.int(2 ** 31) ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

/** Walker's alias table: O(1) draws from a fixed discrete distribution. */
export class Alias {
  private prob: Float64Array;
  private alias: Int32Array;

  constructor(weights: number[]) {
    const n = weights.length;
    const sum = weights.reduce((a, b) => a + b, 0);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / sum);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((w, i) => {
      (w < 1 ? small : large).push(i);
    });
    while (small.length && large.length) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }

  draw(rng: Rng): number {
    const i = rng.int(this.prob.length);
    return rng.float() < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }
}

/** Zipf weights 1/k^s for k = 1..n. */
export const zipf = (n: number, s: number) => Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
