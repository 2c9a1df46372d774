// GET /admin/v1/analytics/{view} (C10): every view of the caller's subtree (or of an account in
// it), served from daily rollups with one indexed range query, as JSON or CSV (`?format=csv`).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { quotaStatus } from '../../analytics/quota';
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
  toCsv,
  totals,
} from '../../analytics/views';
import type { AppEnv } from '../../app-env';
import { balanceOf } from '../../billing/ledger';
import { database } from '../../db/client';
import { InvalidRequestError } from '../../errors/gateway-error';
import { limitSetOf } from '../../governance/chain';
import { dayIn } from '../../lib/time';
import { gatewayConfig } from '../../state/config';
import { type AccountRow, accountInScope, loadChain, subtreeRange } from '../../tenancy/chain';
import type { AdminContext } from '../../tenancy/context';
import { inSubtree } from '../../tenancy/permissions';
import { periodRollups, subtreeRollups } from '../../usage/period-rollups';
import { adminContext, adminRouter, errorResponses, security } from './openapi';

/** How many raw events the latency view reads at most. */
const LATENCY_SAMPLE = 50_000;

const views = [
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
type View = (typeof views)[number];

const query = z.object({
  /** Defaults to the caller's own account. */
  account: z.string().min(1).optional(),
  /** Defaults to 29 days before `to`. */
  from: z.iso.date().optional(),
  /** Defaults to today in the root's time zone. */
  to: z.iso.date().optional(),
  /** The series view only: stack by model or by direct sub-account. */
  by: z.enum(['model', 'account']).default('model'),
  format: z.enum(['json', 'csv']).default('json'),
});

const int = z.number().int();
const totalsShape = {
  requests: int,
  errors: int,
  promptTokens: int,
  completionTokens: int,
  cachedReadTokens: int,
  cacheWriteTokens: int,
  reasoningTokens: int,
  images: int,
  webSearchCalls: int,
  costMicros: int.openapi({ description: 'Integer micro-units of the root currency' }),
};

/** Each view's row, so clients (the console) get real types from the OpenAPI document. */
const rowSchemas = {
  quota: z
    .object({
      item: z.enum([
        'rpd',
        'tpd',
        'daily_budget',
        'monthly_budget',
        'allowance',
        'addon',
        'cards',
        'balance',
      ]),
      account_id: z.string(),
      unit: z.enum(['requests', 'tokens', 'micros']),
      limit: int.nullable(),
      used: int.nullable(),
      remaining: int.nullable(),
      percent: int.nullable(),
    })
    .openapi('QuotaRow'),
  totals: z.object({ from: z.string(), to: z.string(), ...totalsShape }).openapi('TotalsRow'),
  models: z
    .object({
      model: z.string(),
      requests: int,
      costMicros: int,
      costShare: z.number(),
      requestShare: z.number(),
    })
    .openapi('ModelRow'),
  trend: z.object({ day: z.string(), ...totalsShape }).openapi('TrendRow'),
  series: z
    .object({
      day: z.string(),
      key: z.string().openapi({ description: 'The model, or the direct sub-account' }),
      requests: int,
      errors: int,
      costMicros: int,
    })
    .openapi('SeriesRow'),
  ranking: z
    .object({
      accountId: z.string(),
      requests: int,
      costMicros: int,
      share: z.number(),
      dominantModel: z.string().nullable(),
    })
    .openapi('RankingRow'),
  billing: z
    .object({
      day: z.string(),
      promptTokens: int,
      cachedReadTokens: int,
      cacheWriteTokens: int,
      completionTokens: int,
      reasoningTokens: int,
      costMicros: int,
      cacheShare: z.number(),
    })
    .openapi('BillingRow'),
  anomalies: z
    .object({
      accountId: z.string(),
      metric: z.enum(['costMicros', 'requests']),
      today: z.number(),
      baselineMean: z.number(),
      baselineStdDev: z.number(),
      zScore: z.number().nullable(),
    })
    .openapi('AnomalyRow'),
  latency: z
    .object({
      model: z.string(),
      requests: int,
      errorRate: z.number(),
      latencyP50: int.nullable(),
      latencyP95: int.nullable(),
      ttftP50: int.nullable(),
      ttftP95: int.nullable(),
    })
    .openapi('LatencyRow'),
} satisfies Record<View, z.ZodType>;

const summaries: Record<View, string> = {
  quota:
    "Today's quota: every daily and monthly limit on the account's chain, allowance, add-ons, cards, balance",
  totals: 'Totals over the range: cost, requests, errors, tokens by class, images, web searches',
  models: 'Cost and call distribution by model',
  trend: 'One point per day, zero-filled',
  series: 'Cost and requests per day, stacked by model or by direct sub-account (`by`)',
  ranking: 'Direct sub-accounts ranked by cost, with share and dominant model',
  billing: 'Per day: tokens by class, cost and cache share',
  anomalies: 'Accounts whose `to` day is far outside their trailing 14-day baseline',
  latency: `Per model: error rate and p50/p95 latency and time to first token, from the raw events (retention applies; the newest ${LATENCY_SAMPLE.toLocaleString('en')} in the range)`,
};

function viewRoute<V extends View>(view: V) {
  return createRoute({
    method: 'get',
    path: `/analytics/${view}`,
    tags: ['Analytics'],
    security,
    summary: summaries[view],
    request: { query },
    responses: {
      200: {
        description: 'JSON `{ data }`, or CSV with `?format=csv`',
        content: {
          'application/json': { schema: z.object({ data: z.array(rowSchemas[view]) }) },
          'text/csv': { schema: z.string() },
        },
      },
      ...errorResponses,
    },
  });
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

/** The raw events behind the latency view: the newest in the range, bounded so the view stays cheap. */
async function latencySamples(c: Context<AppEnv>, path: string, from: string, to: string) {
  const { lower, upper } = subtreeRange(path);
  const { results } = await c.env.DB.prepare(
    `SELECT model, status, latency_ms AS latencyMs, ttft_ms AS ttftMs FROM usage_events
     WHERE account_path >= ? AND account_path < ? AND day >= ? AND day <= ?
     ORDER BY ts DESC LIMIT ?`,
  )
    .bind(lower, upper, from, to, LATENCY_SAMPLE)
    .all<LatencySample>();
  return results;
}

async function serveView(c: Context<AppEnv>, view: View, q: z.infer<typeof query>) {
  const ctx = adminContext(c);
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
  } else if (view === 'latency') {
    data = latencyByModel(await latencySamples(c, path, from, to));
  } else {
    // Anomalies compare `to` with the 14 days before it, whatever `from` says.
    const rows = await rollups(c, path, view === 'anomalies' ? daysBefore(to, 14) : from, to);
    data = shape(view, rows, path, from, to, q.by);
  }
  if (q.format === 'csv') {
    return c.body(toCsv(data), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="switchyard-${view}-${from}-${to}.csv"`,
    });
  }
  return c.json({ data }, 200);
}

// One documented route per view (each with its row schema); any other view name is a 400.
const router = adminRouter();
for (const view of views)
  router.openapi(viewRoute(view), (c) => serveView(c, view, c.req.valid('query')) as never);
export const analyticsRoute = router.get('/analytics/:view', () => {
  throw new InvalidRequestError('invalid_request', `view: expected one of ${views.join(', ')}`, 'view');
});
