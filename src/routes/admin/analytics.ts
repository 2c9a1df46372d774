// GET /admin/v1/analytics/{view} (C10): every view of the caller's subtree (or of an account in
// it), served from daily rollups with one indexed range query, as JSON or CSV (`?format=csv`).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { quotaStatus } from '../../analytics/quota';
import {
  anomalies,
  billingBreakdown,
  dailyTrend,
  modelDistribution,
  previousDay,
  type RollupRow,
  subAccountRanking,
  toCsv,
  totals,
} from '../../analytics/views';
import type { AppEnv } from '../../app-env';
import { database } from '../../db/client';
import { InvalidRequestError } from '../../errors/gateway-error';
import { limitSetOf } from '../../governance/chain';
import { dayIn } from '../../lib/time';
import { gatewayConfig } from '../../state/config';
import { type AccountRow, accountInScope, loadChain } from '../../tenancy/chain';
import type { AdminContext } from '../../tenancy/context';
import { balanceOf } from '../../tenancy/ledger';
import { inSubtree } from '../../tenancy/permissions';
import { periodRollups, subtreeRollups } from '../../usage/period-rollups';
import { adminContext, adminRouter, errorResponses, security } from './openapi';

const views = ['quota', 'totals', 'models', 'trend', 'ranking', 'billing', 'anomalies'] as const;
type View = (typeof views)[number];

const query = z.object({
  /** Defaults to the caller's own account. */
  account: z.string().min(1).optional(),
  /** Defaults to 29 days before `to`. */
  from: z.iso.date().optional(),
  /** Defaults to today in the root's time zone. */
  to: z.iso.date().optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

const route = createRoute({
  method: 'get',
  path: '/analytics/{view}',
  tags: ['Analytics'],
  security,
  summary:
    "Today's quota status, totals, model distribution, daily trend, sub-account ranking, billing breakdown or anomaly flags",
  request: {
    params: z.object({ view: z.enum(views).openapi({ param: { name: 'view', in: 'path' } }) }),
    query,
  },
  responses: {
    200: {
      description: 'JSON `{ data }`, or CSV with `?format=csv`',
      content: {
        'application/json': { schema: z.object({ data: z.unknown() }) },
        'text/csv': { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

function daysBefore(day: string, n: number): string {
  let d = day;
  for (let i = 0; i < n; i++) d = previousDay(d);
  return d;
}

function shape(
  view: Exclude<View, 'quota'>,
  rows: RollupRow[],
  path: string,
  from: string,
  to: string,
): Record<string, unknown>[] {
  switch (view) {
    case 'totals':
      return [{ from, to, ...totals(rows) }];
    case 'models':
      return modelDistribution(rows);
    case 'trend':
      return dailyTrend(rows, from, to);
    case 'ranking':
      return subAccountRanking(rows, path);
    case 'billing':
      return billingBreakdown(rows);
    case 'anomalies':
      return anomalies(rows, to).map((a) => ({ ...a, zScore: Number.isFinite(a.zScore) ? a.zScore : null }));
  }
}

async function rollups(c: Context<AppEnv>, path: string, from: string, to: string): Promise<RollupRow[]> {
  return subtreeRollups(database(c.env.DB), path, from, to);
}

/** Limits on the account's chain (usage shown where the caller may see it) and its credit today. */
async function quotaView(c: Context<AppEnv>, ctx: AdminContext, account: AccountRow, today: string) {
  const chain = (await loadChain(ctx.db, account.path)).map((l) => ({
    id: l.account.id,
    path: l.account.path,
    limits: limitSetOf(l.policy),
    visible: inSubtree(ctx.actor.accountPath, l.account.path),
  }));
  const top = chain.find((l) => l.visible)?.path ?? account.path;
  const [usage, grants, balance] = await Promise.all([
    periodRollups(c.env.DB, top, today),
    c.env.DB.prepare(
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

export const analyticsRoute = adminRouter().openapi(route, async (c) => {
  const ctx = adminContext(c);
  const q = c.req.valid('query');
  const { view } = c.req.valid('param');
  const accountId = q.account ?? ctx.actor.accountId;
  const account = accountId ? await accountInScope(ctx, accountId, 'usage:read') : undefined;
  const path = account?.path ?? ctx.actor.accountPath;
  const today = dayIn((await gatewayConfig(c.env, ctx.now)).timezone, ctx.now);
  const to = view === 'quota' ? today : (q.to ?? today);
  const from = view === 'quota' ? today : (q.from ?? daysBefore(to, 29));
  let data: Record<string, unknown>[];
  if (view === 'quota') {
    if (!account)
      throw new InvalidRequestError('invalid_request', 'account: required for the quota view', 'account');
    data = await quotaView(c, ctx, account, today);
  } else {
    // Anomalies compare `to` with the 14 days before it, whatever `from` says.
    const rows = await rollups(c, path, view === 'anomalies' ? daysBefore(to, 14) : from, to);
    data = shape(view, rows, path, from, to);
  }
  if (q.format === 'csv') {
    return c.body(toCsv(data), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="switchyard-${view}-${from}-${to}.csv"`,
    });
  }
  return c.json({ data }, 200);
});
