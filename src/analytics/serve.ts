// The analytics views' reads (analytics): which rows each view needs from D1 — the subtree's daily
// rollups, for quota the account's chain, grants and balance, for latency a bounded sample of raw
// events — handed to the pure view functions (views.ts, quota.ts).
import { balanceOf } from '../billing/ledger';
import { InvalidRequestError } from '../errors/gateway-error';
import { limitSetOf } from '../governance/chain';
import { dayIn } from '../lib/time';
import { type AccountRow, accountInScope, loadChain, subtreeRange } from '../tenancy/chain';
import type { AdminContext } from '../tenancy/context';
import { inSubtree } from '../tenancy/permissions';
import { periodRollups, subtreeRollups } from '../usage/period-rollups';
import { quotaStatus } from './quota';
import {
  anomalies,
  billingBreakdown,
  dailyTrend,
  type LatencySample,
  latencyByModel,
  modelDistribution,
  previousDay,
  type RollupRow,
  type StackBy,
  stackedTrend,
  subAccountRanking,
  totals,
} from './views';

/** How many raw events the latency view reads at most. */
export const LATENCY_SAMPLE = 50_000;

export const views = [
  'quota',
  'totals',
  'models',
  'trend',
  'series',
  'ranking',
  'billing',
  'anomalies',
  'latency',
] as const;
export type View = (typeof views)[number];

export interface ViewQuery {
  account?: string;
  from?: string;
  to?: string;
  by: StackBy;
}

function daysBefore(day: string, n: number): string {
  let d = day;
  for (let i = 0; i < n; i++) d = previousDay(d);
  return d;
}

function shape(
  view: Exclude<View, 'quota' | 'latency'>,
  rows: RollupRow[],
  path: string,
  from: string,
  to: string,
  by: StackBy,
): Record<string, unknown>[] {
  switch (view) {
    case 'totals':
      return [{ from, to, ...totals(rows) }];
    case 'models':
      return modelDistribution(rows);
    case 'trend':
      return dailyTrend(rows, from, to);
    case 'series':
      return stackedTrend(rows, from, to, by, path);
    case 'ranking':
      return subAccountRanking(rows, path);
    case 'billing':
      return billingBreakdown(rows);
    case 'anomalies':
      return anomalies(rows, to).map((a) => ({ ...a, zScore: Number.isFinite(a.zScore) ? a.zScore : null }));
  }
}

async function rollups(ctx: AdminContext, path: string, from: string, to: string): Promise<RollupRow[]> {
  return subtreeRollups(ctx.db, path, from, to);
}

/** Limits on the account's chain (usage shown where the caller may see it) and its credit today. */
async function quotaView(ctx: AdminContext, d1: D1Database, account: AccountRow, today: string) {
  const chain = (await loadChain(ctx.db, account.path)).map((l) => ({
    id: l.account.id,
    path: l.account.path,
    limits: limitSetOf(l.policy),
    visible: inSubtree(ctx.actor.accountPath, l.account.path),
  }));
  const top = chain.find((l) => l.visible)?.path ?? account.path;
  const [usage, grants, balance] = await Promise.all([
    periodRollups(d1, top, today),
    d1
      .prepare(
        `SELECT g.kind, g.daily_allowance, g.remaining, (SELECT -SUM(l.amount) FROM ledger_entries l
         WHERE l.grant_id = g.id AND l.day = ? AND l.kind = 'usage') AS used_today
       FROM plan_grants g
       WHERE g.account_id = ? AND g.status = 'active' AND g.starts_at <= ? AND g.expires_at > ?`,
      )
      .bind(today, account.id, ctx.now, ctx.now)
      .all<{
        kind: string;
        daily_allowance: number | null;
        remaining: number | null;
        used_today: number | null;
      }>(),
    balanceOf(ctx.db, account.id),
  ]);
  const credit = { allowance: { total: 0, used: 0 }, addon: { total: 0, used: 0 }, cards: 0, balance };
  for (const g of grants.results) {
    if (g.kind === 'card') credit.cards += g.remaining ?? 0;
    const into = g.kind === 'subscription' ? credit.allowance : g.kind === 'addon' ? credit.addon : null;
    if (into) {
      into.total += g.daily_allowance ?? 0;
      into.used += g.used_today ?? 0;
    }
  }
  return quotaStatus(account.id, chain, usage, credit);
}

/** The raw events behind the latency view: the newest in the range, bounded so the view stays cheap. */
async function latencySamples(d1: D1Database, path: string, from: string, to: string) {
  const { lower, upper } = subtreeRange(path);
  const { results } = await d1
    .prepare(
      `SELECT model, status, latency_ms AS latencyMs, ttft_ms AS ttftMs FROM usage_events
     WHERE account_path >= ? AND account_path < ? AND day >= ? AND day <= ?
     ORDER BY ts DESC LIMIT ?`,
    )
    .bind(lower, upper, from, to, LATENCY_SAMPLE)
    .all<LatencySample>();
  return results;
}

/** One view's rows for the caller's subtree (or an account in it), and the day range they cover. */
export async function analyticsView(
  ctx: AdminContext,
  d1: D1Database,
  timezone: string,
  view: View,
  q: ViewQuery,
): Promise<{ data: Record<string, unknown>[]; from: string; to: string }> {
  const accountId = q.account ?? ctx.actor.accountId;
  const account = accountId ? await accountInScope(ctx, accountId, 'usage:read') : undefined;
  const path = account?.path ?? ctx.actor.accountPath;
  const today = dayIn(timezone, ctx.now);
  const to = view === 'quota' ? today : (q.to ?? today);
  const from = view === 'quota' ? today : (q.from ?? daysBefore(to, 29));
  if (view === 'quota') {
    if (!account)
      throw new InvalidRequestError('invalid_request', 'account: required for the quota view', 'account');
    return { data: await quotaView(ctx, d1, account, today), from, to };
  }
  if (view === 'latency') return { data: latencyByModel(await latencySamples(d1, path, from, to)), from, to };
  // Anomalies compare `to` with the 14 days before it, whatever `from` says.
  const rows = await rollups(ctx, path, view === 'anomalies' ? daysBefore(to, 14) : from, to);
  return { data: shape(view, rows, path, from, to, q.by), from, to };
}
