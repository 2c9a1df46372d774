// Analytics views (analytics) computed from daily rollups, pure: the caller reads the rollup rows of the
// caller's subtree (one indexed range query) and these functions shape them. Money stays integer
// micro-units; shares are fractions rounded to four places for display only.
import type { usageDaily } from '../db/schema';

export const TOTAL_FIELDS = [
  'requests',
  'errors',
  'promptTokens',
  'completionTokens',
  'cachedReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'images',
  'webSearchCalls',
  'costMicros',
] as const satisfies readonly (keyof UsageDailyRow)[];

type UsageDailyRow = typeof usageDaily.$inferSelect;
export type TotalField = (typeof TOTAL_FIELDS)[number];

/** The rollup columns the views read (types from the usage_daily table). */
export type RollupRow = Pick<UsageDailyRow, 'accountId' | 'accountPath' | 'day' | 'model' | TotalField>;

// A type alias, not an interface, so rows stay assignable to Record<string, unknown> (CSV).
export type Totals = Pick<UsageDailyRow, TotalField>;

export function emptyTotals(): Totals {
  return Object.fromEntries(TOTAL_FIELDS.map((f) => [f, 0])) as unknown as Totals;
}

export function addInto(into: Totals, row: Totals): Totals {
  for (const f of TOTAL_FIELDS) into[f] += row[f];
  return into;
}

export function totals(rows: readonly RollupRow[]): Totals {
  return rows.reduce((t, r) => addInto(t, r), emptyTotals());
}

const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

function groupBy<K extends string>(rows: readonly RollupRow[], key: (r: RollupRow) => K): Map<K, Totals> {
  const out = new Map<K, Totals>();
  for (const r of rows) {
    const k = key(r);
    out.set(k, addInto(out.get(k) ?? emptyTotals(), r));
  }
  return out;
}

/** Cost and call distribution by model, largest cost first. */
export function modelDistribution(rows: readonly RollupRow[]) {
  const all = totals(rows);
  return [...groupBy(rows, (r) => r.model)]
    .map(([model, t]) => ({
      model,
      requests: t.requests,
      costMicros: t.costMicros,
      costShare: share(t.costMicros, all.costMicros),
      requestShare: share(t.requests, all.requests),
    }))
    .sort((a, b) => b.costMicros - a.costMicros || b.requests - a.requests || a.model.localeCompare(b.model));
}

/** One point per day in [from, to], zero-filled. */
export function dailyTrend(rows: readonly RollupRow[], from: string, to: string) {
  const byDay = groupBy(rows, (r) => r.day);
  const out: ({ day: string } & Totals)[] = [];
  for (let d = from; d <= to; d = nextDay(d)) out.push({ day: d, ...(byDay.get(d) ?? emptyTotals()) });
  return out;
}

export function nextDay(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * Direct children of `parentPath`, each with its whole subtree's usage, ranked by cost: requests,
 * cost, share of the parent's cost and the dominant model (by cost).
 */
export function subAccountRanking(rows: readonly RollupRow[], parentPath: string) {
  const childOf = (path: string) => {
    if (!path.startsWith(parentPath) || path === parentPath) return undefined;
    return path.slice(parentPath.length).split('/')[0];
  };
  const all = totals(rows.filter((r) => childOf(r.accountPath) !== undefined));
  const byChild = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const child = childOf(r.accountPath);
    if (child) byChild.set(child, [...(byChild.get(child) ?? []), r]);
  }
  return [...byChild]
    .map(([accountId, own]) => {
      const t = totals(own);
      const dominant = modelDistribution(own)[0];
      return {
        accountId,
        requests: t.requests,
        costMicros: t.costMicros,
        share: share(t.costMicros, all.costMicros),
        dominantModel: dominant?.model ?? null,
      };
    })
    .sort(
      (a, b) =>
        b.costMicros - a.costMicros || b.requests - a.requests || a.accountId.localeCompare(b.accountId),
    );
}

/** Per day: tokens by class, cost, and the share of input tokens served from cache. */
export function billingBreakdown(rows: readonly RollupRow[]) {
  return [...groupBy(rows, (r) => r.day)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, t]) => ({
      day,
      promptTokens: t.promptTokens,
      cachedReadTokens: t.cachedReadTokens,
      cacheWriteTokens: t.cacheWriteTokens,
      completionTokens: t.completionTokens,
      reasoningTokens: t.reasoningTokens,
      costMicros: t.costMicros,
      cacheShare: share(t.cachedReadTokens, t.promptTokens),
    }));
}

export interface Anomaly {
  accountId: string;
  metric: 'costMicros' | 'requests';
  today: number;
  baselineMean: number;
  baselineStdDev: number;
  /** How many standard deviations today is from the baseline mean. */
  zScore: number;
}

/**
 * Accounts whose `today` is far outside their trailing baseline (the `baselineDays` days before
 * today, zero-filled): |today − mean| > max(threshold × σ, floor). The floor keeps a quiet account
 * (σ ≈ 0) from being flagged for a single request.
 */
export function anomalies(
  rows: readonly RollupRow[],
  today: string,
  opts: { baselineDays: number; threshold: number; floor: { costMicros: number; requests: number } } = {
    baselineDays: 14,
    threshold: 3,
    floor: { costMicros: 1_000_000, requests: 50 },
  },
): Anomaly[] {
  const days: string[] = [];
  let d = today;
  for (let i = 0; i < opts.baselineDays; i++) {
    d = previousDay(d);
    days.unshift(d);
  }
  const byAccountDay = new Map<string, Map<string, Totals>>();
  for (const r of rows) {
    const perDay = byAccountDay.get(r.accountId) ?? new Map<string, Totals>();
    perDay.set(r.day, addInto(perDay.get(r.day) ?? emptyTotals(), r));
    byAccountDay.set(r.accountId, perDay);
  }
  const out: Anomaly[] = [];
  for (const [accountId, perDay] of byAccountDay) {
    for (const metric of ['costMicros', 'requests'] as const) {
      const series = days.map((day) => perDay.get(day)?.[metric] ?? 0);
      const mean = series.reduce((a, b) => a + b, 0) / series.length;
      const sd = Math.sqrt(series.reduce((a, b) => a + (b - mean) ** 2, 0) / series.length);
      const value = perDay.get(today)?.[metric] ?? 0;
      if (Math.abs(value - mean) > Math.max(opts.threshold * sd, opts.floor[metric])) {
        out.push({
          accountId,
          metric,
          today: value,
          baselineMean: Math.round(mean * 100) / 100,
          baselineStdDev: Math.round(sd * 100) / 100,
          zScore: sd > 0 ? Math.round(((value - mean) / sd) * 100) / 100 : Number.POSITIVE_INFINITY,
        });
      }
    }
  }
  return out.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.metric.localeCompare(b.metric));
}

export function previousDay(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** RFC 4180 CSV of uniform objects: header from the first row's keys, fields quoted when needed. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const first = rows[0];
  if (!first) return '';
  const keys = Object.keys(first);
  return [keys, ...rows.map((r) => keys.map((k) => r[k]))].map(csvLine).join('');
}

/** One RFC 4180 CSV record with its CRLF; null and undefined are empty fields. */
export function csvLine(values: readonly unknown[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${values.map(cell).join(',')}\r\n`;
}

/** Which way the over-time series are stacked: by model, or by direct child of the subtree's root. */
export type StackBy = 'model' | 'account';

/**
 * Cost and requests per day and per stack key (model, or the direct child account whose subtree the
 * row belongs to; the root's own usage is keyed by the root), zero-filled over [from, to] for every
 * key seen, keys ordered by total cost. Flat rows, so the view exports to CSV like the others.
 */
export function stackedTrend(
  rows: readonly RollupRow[],
  from: string,
  to: string,
  by: StackBy,
  parentPath: string,
) {
  const keyOf = (r: RollupRow) => {
    if (by === 'model') return r.model;
    const rest = r.accountPath.startsWith(parentPath) ? r.accountPath.slice(parentPath.length) : '';
    return rest.split('/')[0] || r.accountId;
  };
  const cells = new Map<string, Totals>();
  const keyCost = new Map<string, number>();
  for (const r of rows) {
    const key = keyOf(r);
    const cell = `${r.day}\n${key}`;
    cells.set(cell, addInto(cells.get(cell) ?? emptyTotals(), r));
    keyCost.set(key, (keyCost.get(key) ?? 0) + r.costMicros);
  }
  const keys = [...keyCost].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const out: { day: string; key: string; requests: number; errors: number; costMicros: number }[] = [];
  for (let d = from; d <= to; d = nextDay(d))
    for (const key of keys) {
      const t = cells.get(`${d}\n${key}`);
      out.push({
        day: d,
        key,
        requests: t?.requests ?? 0,
        errors: t?.errors ?? 0,
        costMicros: t?.costMicros ?? 0,
      });
    }
  return out;
}

/** One raw request, as much of it as the latency view needs. */
export interface LatencySample {
  model: string;
  status: number;
  latencyMs: number;
  ttftMs: number | null;
}

/** Nearest-rank percentile of an ascending array (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/**
 * Per model: requests, error rate (status ≥ 400), p50/p95 latency and p50/p95 time to first token
 * (streams only report one). Busiest model first.
 */
export function latencyByModel(samples: readonly LatencySample[]) {
  const byModel = new Map<string, { latency: number[]; ttft: number[]; errors: number }>();
  for (const s of samples) {
    const m = byModel.get(s.model) ?? { latency: [], ttft: [], errors: 0 };
    m.latency.push(s.latencyMs);
    if (s.ttftMs !== null) m.ttft.push(s.ttftMs);
    if (s.status >= 400) m.errors++;
    byModel.set(s.model, m);
  }
  const asc = (a: number, b: number) => a - b;
  return [...byModel]
    .map(([model, m]) => {
      const latency = m.latency.sort(asc);
      const ttft = m.ttft.sort(asc);
      return {
        model,
        requests: latency.length,
        errorRate: share(m.errors, latency.length),
        latencyP50: percentile(latency, 50),
        latencyP95: percentile(latency, 95),
        ttftP50: percentile(ttft, 50),
        ttftP95: percentile(ttft, 95),
      };
    })
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}
