// One timer per request for its successive deadlines (the upstream's first byte, then a whole
// answer's idle limit). setTimeout and clearTimeout were ~5 % of a proxied request's CPU in the
// profile, for deadlines that almost never pass: here moving or dropping a deadline only writes
// fields, and the timer, when it fires early, arms itself again for what is left. A timer still
// pending when the request ends is cancelled by the runtime with it.
export class Deadline {
  private at = Number.POSITIVE_INFINITY;
  private action: (() => void) | undefined;
  /** When the pending timer fires (infinity: none pending). */
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `action` once `ms` have passed, unless `set` or `clear` is called before. */
  set(ms: number, action: () => void): void {
    this.at = this.now() + ms;
    this.action = action;
    if (this.at < this.armedFor) this.arm(ms);
  }

  clear(): void {
    this.action = undefined;
  }

  private arm(ms: number): void {
    this.armedFor = this.at;
    setTimeout(this.fire, ms);
  }

  private readonly fire = (): void => {
    this.armedFor = Number.POSITIVE_INFINITY;
    const action = this.action;
    if (!action) return;
    const left = this.at - this.now();
    // Fired for an earlier deadline than the one now set: wait for the rest.
    if (left > 1) {
      this.arm(left);
      return;
    }
    this.action = undefined;
    action();
  };
}
