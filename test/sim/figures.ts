// The figures of a run: load at the busiest objects against the per-object budget, admitted
// against every limit (overshoot and its bound), false refusals, admission latency, and the
// scenario's own event (time for a lowered limit to bind, a burst, a partition).
import type { Unit } from '../../durable-objects/dims';
import { GRANT_TTL_MS, PARENT_LEASE_TTL_MS } from '../../durable-objects/lease-ttl';
import { LEVELS, type Level } from './tree';
import type { RunData } from './world';

export interface ObjectLoad {
  id: string;
  level: Level | 'relay' | 'config-epoch';
  /** Calls per second: the busiest 1 s window, and the 99th percentile of 1 s windows (100 ms steps). */
  peak: number;
  p99: number;
  mean: number;
  waitMaxMs: number;
  waitMeanMs: number;
}

export interface Overshoot {
  level: Level;
  pool: string;
  unit: Unit;
  accounts: number;
  /** Largest overshoot over the accounts of this level, in units and as a share of the limit. */
  maxOver: number;
  maxOverShare: number;
  /** For that account: the bound (see boundFor) and the worst ratio over/bound over all accounts. */
  worstRatio: number;
  violations: number;
}

export interface Figures {
  scenario: string;
  description: string;
  simulatedS: number;
  wallS: number;
  cpuS: number;
  requests: RunData['counts'] & { ratePerS: number };
  busiest: ObjectLoad;
  busiestByLevel: ObjectLoad[];
  budgetPerS: number;
  overBudgetObjects: number;
  latencyMs: { p50: number; p99: number; p999: number; fromMemory: number };
  /** Time from a request's arrival to its refusal. */
  refusalLatencyMs: { p50: number; p99: number };
  overshoot: Overshoot[];
  requestOvershootViolations: number;
  tokenOvershootViolations: number;
  falseRefusals: {
    count: number;
    shareOfRefusals: number;
    shareOfOffered: number;
    by: Record<string, number>;
  };
  refusals: Record<string, number>;
  event: Record<string, number | string>;
  network: { sent: number; lost: number };
}

function load(obj: RunData['epochs'][number], level: ObjectLoad['level'], fromBin: number): ObjectLoad {
  const b = obj.bins;
  const windows: number[] = [];
  let sum = 0;
  for (let i = fromBin; i < b.length - 1; i++) {
    sum += b[i] as number;
    if (i - fromBin >= 10) sum -= b[i - 10] as number;
    if (i - fromBin >= 9) windows.push(sum);
  }
  windows.sort((x, y) => x - y);
  const total = windows.length ? windows.reduce((x, y) => x + y, 0) / windows.length : 0;
  return {
    id: obj.id,
    level,
    peak: windows.at(-1) ?? 0,
    p99: windows[Math.floor(0.99 * (windows.length - 1))] ?? 0,
    mean: Math.round(total),
    waitMaxMs: round(obj.waitMax),
    waitMeanMs: round(obj.calls ? obj.waitSum / obj.calls : 0),
  };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function percentile(h: Uint32Array, q: number): number {
  let total = 0;
  for (const c of h) total += c;
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] as number;
    if (seen >= q * total) return i;
  }
  return h.length - 1;
}

/**
 * The bound in docs/scale.md for an account's pool. Request counts: 0 beyond what a bucket refills while
 * units are held between being taken from it and a request using them (a grant's life plus a
 * parent lease's life per level below the pool's). Tokens and cost: that, plus usage beyond the
 * reservations of requests in flight (at its peak) and beyond-reservation usage whose report was
 * lost (with a vanished isolate or a lost message).
 */
export function boundFor(
  run: RunData,
  account: number,
  pool: { unit: Unit; spec: { kind: string; capacity?: number; periodMs?: number } },
): number {
  const level = LEVELS.indexOf(run.tree.accounts[account]?.level ?? 'root');
  const holdMs = GRANT_TTL_MS + PARENT_LEASE_TTL_MS * (LEVELS.length - 1 - level);
  const refill =
    pool.spec.kind === 'bucket' ? ((pool.spec.capacity ?? 0) * holdMs) / (pool.spec.periodMs ?? 60_000) : 0;
  if (pool.unit === 'requests') return refill;
  const u = pool.unit;
  return refill + (run.peakInflightExcess[u][account] as number) + (run.lostExcess[u][account] as number);
}

export function figures(run: RunData): Figures {
  const s = run.scenario;
  const fromBin = Math.floor(s.warmupS * 10);
  const levelOf = new Map(run.tree.accounts.map((a) => [a.id, a.level]));
  const loads: ObjectLoad[] = [...run.governors.values()].map((g) =>
    load(g.obj, levelOf.get(g.obj.id) ?? 'relay', fromBin),
  );
  for (const e of run.epochs) loads.push(load(e, 'config-epoch', fromBin));
  const byPeak = (a: ObjectLoad, b: ObjectLoad) => b.peak - a.peak || b.p99 - a.p99;
  loads.sort(byPeak);
  const busiestByLevel = [...LEVELS, 'relay' as const, 'config-epoch' as const].flatMap(
    (l) => loads.find((o) => o.level === l) ?? [],
  );
  const governed = loads.filter((o) => o.level !== 'config-epoch');

  const overshoot: Overshoot[] = [];
  for (const level of LEVELS) {
    const accounts = run.tree.accounts.filter((a) => a.level === level);
    const rows = new Map<string, Overshoot>();
    for (const a of accounts)
      for (const p of run.oracle.pools[a.index] ?? []) {
        let row = rows.get(p.name);
        if (!row) {
          row = {
            level,
            pool: p.name,
            unit: p.unit,
            accounts: 0,
            maxOver: 0,
            maxOverShare: 0,
            worstRatio: 0,
            violations: 0,
          };
          rows.set(p.name, row);
        }
        row.accounts++;
        // The simulated trees carry no prepaid wallets, so a credit pool never appears here.
        const limit =
          p.spec.kind === 'bucket'
            ? p.spec.capacity
            : p.spec.kind === 'period'
              ? p.spec.limit
              : Number.POSITIVE_INFINITY;
        const over = Math.max(0, p.over);
        const bound = boundFor(run, a.index, p);
        if (over > row.maxOver) {
          row.maxOver = round(over);
          row.maxOverShare = round(over / limit, 5);
        }
        if (over > 0)
          row.worstRatio = Math.max(row.worstRatio, round(bound > 0 ? over / bound : Infinity, 3));
        if (over > bound + 1e-9) row.violations++;
      }
    overshoot.push(...rows.values());
  }
  const c = run.counts;
  const refusals = Object.fromEntries([...run.refusalsBy].sort((a, b) => b[1] - a[1]));
  const ev: Record<string, number | string> = { kind: run.focus.kind, what: run.focus.label };
  if (run.lowered) {
    ev['limitBindsAfterMs'] = Math.round(run.lowered.lastOldAdmitMs - run.lowered.atMs);
    ev['lastStaleExchangeAfterMs'] = Math.round(run.lowered.lastStaleExchangeMs - run.lowered.atMs);
  }
  if (run.focus.kind !== 'none') {
    const t = run.timeline;
    let offered = 0;
    let admitted = 0;
    for (let i = fromBin; i < t.focusOffered.length; i++) {
      offered += t.focusOffered[i] as number;
      admitted += t.focusAdmitted[i] as number;
    }
    ev['focusOffered'] = offered;
    ev['focusAdmitted'] = admitted;
  }
  const measured = (s.durationS - s.warmupS) * 10;
  let errorsInWindow = 0;
  for (let i = fromBin; i < run.timeline.errors.length; i++)
    errorsInWindow += run.timeline.errors[i] as number;
  ev['errorsAfterWarmup'] = errorsInWindow;
  return {
    scenario: s.name,
    description: s.description,
    simulatedS: s.durationS,
    wallS: round(run.wallMs / 1_000, 1),
    cpuS: round(run.cpuMs / 1_000, 1),
    requests: { ...c, ratePerS: Math.round(c.offered / s.durationS) },
    busiest: governed[0] as ObjectLoad,
    busiestByLevel,
    budgetPerS: s.objects.budgetPerS,
    overBudgetObjects: loads.filter((o) => o.p99 > s.objects.budgetPerS).length,
    latencyMs: {
      p50: percentile(run.latency, 0.5),
      p99: percentile(run.latency, 0.99),
      p999: percentile(run.latency, 0.999),
      fromMemory: round(
        run.latency[0] ? (run.latency[0] as number) / run.latency.reduce((a, b) => a + b, 0) : 0,
        4,
      ),
    },
    refusalLatencyMs: { p50: percentile(run.refusalLatency, 0.5), p99: percentile(run.refusalLatency, 0.99) },
    overshoot,
    requestOvershootViolations: overshoot
      .filter((o) => o.unit === 'requests')
      .reduce((a, o) => a + o.violations, 0),
    tokenOvershootViolations: overshoot
      .filter((o) => o.unit !== 'requests')
      .reduce((a, o) => a + o.violations, 0),
    falseRefusals: {
      count: c.falseRefused,
      shareOfRefusals: round(c.refused ? c.falseRefused / c.refused : 0, 4),
      shareOfOffered: round(c.offered ? c.falseRefused / c.offered : 0, 5),
      by: Object.fromEntries(run.falseRefusalsBy),
    },
    refusals,
    event: { ...ev, measuredBins: measured },
    network: { sent: run.net.sent, lost: run.net.lost },
  };
}
