// The request log (analytics): GET /admin/v1/requests lists the raw usage events of the caller's subtree
// (filters, keyset pages, CSV/NDJSON export streamed); GET /admin/v1/requests/{request_id} is one
// event with its names, upstream key's last four, price and the retention period.
import { createRoute, z } from '@hono/zod-openapi';
import { readRequest } from '../../analytics/request-detail';
import { exportRequests } from '../../analytics/request-export';
import { statusClasses } from '../../analytics/request-plan';
import { listRequests } from '../../analytics/requests';
import { gatewayConfig } from '../../state/config';
import { usageRecordSchema } from '../../usage/record';
import { retentionDays } from '../../usage/retention';
import { adminContext, adminRouter, errorResponses, ok, security } from './openapi';
import { priceOut, priceSchema } from './prices';

const int = z.number().int();
const count = int.nonnegative();

export const requestEventSchema = z
  .object({
    request_id: z.string(),
    account_id: z.string(),
    account_path: z.string().openapi({ example: '/acme/eng/alice/' }),
    key_id: z.string().nullable().openapi({ description: 'Gateway key id' }),
    ts: int.openapi({ description: 'When the request started, ms since the epoch' }),
    day: z.string().openapi({ description: "Usage day in the root's time zone", example: '2026-10-01' }),
    endpoint: z.string().openapi({ example: '/v1/chat/completions' }),
    client_protocol: z.string().openapi({ example: 'openai' }),
    provider: z.string().nullable(),
    model_requested: z.string(),
    model: z.string().openapi({ description: 'The served model' }),
    level: int.nullable(),
    upstream_key_id: z.string().nullable(),
    status: int,
    error_code: z.string().nullable(),
    stream: z.boolean(),
    prompt_tokens: count,
    completion_tokens: count,
    cached_read_tokens: count,
    cache_write_tokens: count,
    reasoning_tokens: count,
    images: count,
    audio_seconds: count,
    audio_chars: count,
    web_search_calls: count,
    cost_micros: count.openapi({ description: 'Micro-units of the root currency (1 = 0.000001)' }),
    estimated: z.boolean().openapi({ description: 'Usage estimated by a tokenizer' }),
    unpriced: z.boolean().openapi({ description: 'No price was known: cost 0, flagged' }),
    latency_ms: count,
    ttft_ms: count.nullable(),
    retries: count,
    switched_over: z.boolean(),
  })
  .openapi('RequestEvent');

const requestDetailSchema = requestEventSchema
  .extend({
    account_name: z.string(),
    key_name: z.string().nullable(),
    key_prefix: z.string().nullable(),
    upstream_key_last4: z.string().nullable(),
    upstream_protocol: z.string().nullable().openapi({ description: 'Provider kind of the upstream key' }),
    // A union, not .nullable(): the document then says "Price or null" (anyOf), not allOf.
    price: z
      .union([priceSchema, z.null()])
      .openapi({ description: 'The price row in force for the model on `day`, or null' }),
    retention_days: int.openapi({ description: 'Days raw events are kept' }),
  })
  .openapi('RequestDetail');

const when = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .openapi({ description: "ISO-8601 date-time, or a date (midnight in the root's time zone)" });
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const text = z.string().min(1).max(200);

const query = z.object({
  from: when.optional().openapi({ description: 'Inclusive; default 24 hours before `to`' }),
  to: when.optional().openapi({ description: 'Exclusive; default now' }),
  account: text.optional().openapi({ description: "An account's subtree; default the caller's" }),
  key: text.optional().openapi({ description: 'Gateway key id' }),
  model: text.optional().openapi({ description: 'Served or requested model' }),
  status: z.enum(statusClasses).optional().openapi({ description: '`error` is every status ≥ 400' }),
  protocol: usageRecordSchema.shape['clientProtocol'].optional().openapi({ description: 'Client protocol' }),
  provider: text.optional(),
  level: z.coerce.number().int().optional(),
  estimated: flag.optional(),
  unpriced: flag.optional(),
  min_cost: z.coerce.number().int().nonnegative().optional().openapi({ description: 'Micro-units' }),
  min_latency: z.coerce.number().int().nonnegative().optional().openapi({ description: 'Milliseconds' }),
  request_id: text.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional().openapi({ description: '`next_cursor` of the previous page' }),
  format: z.enum(['json', 'csv', 'ndjson']).default('json'),
});

const tags = ['Request log'];

const list = createRoute({
  method: 'get',
  path: '/requests',
  tags,
  security,
  summary: 'Raw usage events of the subtree, newest first; CSV or NDJSON export with `format`',
  request: { query },
  responses: {
    200: {
      description: 'One page (JSON), or every matching event streamed (CSV, NDJSON; `limit` is ignored)',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(requestEventSchema), next_cursor: z.string().nullable() }),
        },
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

const detail = createRoute({
  method: 'get',
  path: '/requests/{request_id}',
  tags,
  security,
  summary: 'One request with its names, upstream key last 4, applied price and retention',
  request: {
    params: z.object({ request_id: text.openapi({ param: { name: 'request_id', in: 'path' } }) }),
  },
  responses: ok(requestDetailSchema, 'The request'),
});

export const requestsRoute = adminRouter()
  .openapi(list, async (c) => {
    const ctx = adminContext(c);
    const { format, limit, ...q } = c.req.valid('query');
    const { timezone } = await gatewayConfig(c.env, ctx.now);
    if (format !== 'json') {
      const out = await exportRequests(ctx, q, timezone, format);
      return c.body(out.body, 200, {
        'content-type': out.contentType,
        'content-disposition': `attachment; filename="${out.filename}"`,
        'cache-control': 'no-store',
      });
    }
    const page = await listRequests(ctx, q, timezone, limit);
    return c.json({ data: page.data, next_cursor: page.nextCursor }, 200);
  })
  .openapi(detail, async (c) => {
    const ctx = adminContext(c);
    const r = await readRequest(ctx, c.req.valid('param').request_id, retentionDays(c.env));
    return c.json({ ...r, price: r.price && priceOut(r.price) }, 200);
  });
