// GET /admin/v1/analytics/{view} (C10): every view of the caller's subtree (or of an account in
// it), served from daily rollups with one indexed range query, as JSON or CSV (`?format=csv`).
import { createRoute, z } from '@hono/zod-openapi';
import { and, gte, lt, lte } from 'drizzle-orm';
import type { Context } from 'hono';
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
import { usageDaily } from '../../db/schema';
import { dayIn } from '../../lib/time';
import { gatewayConfig } from '../../state/config';
import { accountInScope, subtreeRange } from '../../tenancy/chain';
import { adminContext, adminRouter, errorResponses, security } from './openapi';

const views = ['totals', 'models', 'trend', 'ranking', 'billing', 'anomalies'] as const;
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
  summary: 'Totals, model distribution, daily trend, sub-account ranking, billing breakdown or anomaly flags',
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
  view: View,
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
  const { lower, upper } = subtreeRange(path);
  return database(c.env.DB)
    .select()
    .from(usageDaily)
    .where(
      and(
        gte(usageDaily.accountPath, lower),
        lt(usageDaily.accountPath, upper),
        gte(usageDaily.day, from),
        lte(usageDaily.day, to),
      ),
    );
}

export const analyticsRoute = adminRouter().openapi(route, async (c) => {
  const ctx = adminContext(c);
  const q = c.req.valid('query');
  const { view } = c.req.valid('param');
  const accountId = q.account ?? ctx.actor.accountId;
  const account = accountId ? await accountInScope(ctx, accountId, 'usage:read') : undefined;
  const path = account?.path ?? ctx.actor.accountPath;
  const today = dayIn((await gatewayConfig(c.env, ctx.now)).timezone, ctx.now);
  const to = q.to ?? today;
  const from = q.from ?? daysBefore(to, 29);
  // Anomalies compare `to` with the 14 days before it, whatever `from` says.
  const rows = await rollups(c, path, view === 'anomalies' ? daysBefore(to, 14) : from, to);
  const data = shape(view, rows, path, from, to);
  if (q.format === 'csv') {
    return c.body(toCsv(data), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="switchyard-${view}-${from}-${to}.csv"`,
    });
  }
  return c.json({ data }, 200);
});
