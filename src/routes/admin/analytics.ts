// GET /admin/v1/analytics/{view} (analytics): every view of the caller's subtree (or of an account in
// it), served from daily rollups with one indexed range query, as JSON or CSV (`?format=csv`).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { analyticsView, LATENCY_SAMPLE, type View, views } from '../../analytics/serve';
import { TOTAL_FIELDS, type TotalField, toCsv } from '../../analytics/views';
import type { AppEnv } from '../../app-env';
import { InvalidRequestError } from '../../errors/gateway-error';
import { gatewayConfig } from '../../state/config';
import { adminContext, adminRouter, errorResponses, security } from './openapi';
import { usageDailyRowSchema } from './usage-daily';

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
const totalsMask = Object.fromEntries(TOTAL_FIELDS.map((f) => [f, true])) as Record<TotalField, true>;
/** The summed columns of usage_daily, typed from the table. */
const totalsShape = usageDailyRowSchema
  .pick(totalsMask)
  .extend({ costMicros: int.openapi({ description: 'Integer micro-units of the root currency' }) }).shape;

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

async function serveView(c: Context<AppEnv>, view: View, q: z.infer<typeof query>) {
  const ctx = adminContext(c);
  const { timezone } = await gatewayConfig(c.env, ctx.now);
  const { data, from, to } = await analyticsView(ctx, c.env.DB, timezone, view, q);
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
