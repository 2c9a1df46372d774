// The price table (metering and pricing): /admin/v1/prices. Writes are the root's; the body is the policy
// file's
// price entry (decimal amounts per million tokens), validated by the same schema.
import { createRoute, z } from '@hono/zod-openapi';
import { ratesToApi } from '../../billing/price-fields';
import { deletePrice, listPrices, type PriceRow, upsertPrice } from '../../billing/prices';
import { priceFileSchema } from '../../policy/file-schema';
import { notifyConfigChange } from '../../state/propagation';
import { formatMicros } from '../../tenancy/paging';
import { adminContext, adminRouter, body, deleted, idParam, iso, OK, ok, security } from './openapi';

const amount = z.string().nullable();
export const priceSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    account_id: z.string().nullable(),
    effective_from: z.string(),
    input: z.string().openapi({ description: 'Per million tokens' }),
    output: z.string(),
    cached_read: amount,
    cache_write: amount,
    reasoning: amount,
    per_image: amount,
    per_audio_second: amount,
    per_million_chars: amount,
    per_web_search: amount,
    markup_bps: z.number().int(),
    updated_at: z.string(),
  })
  .openapi('Price');

export function priceOut(p: PriceRow): z.infer<typeof priceSchema> {
  return {
    id: p.id,
    model: p.model,
    account_id: p.accountId,
    effective_from: p.effectiveFrom,
    ...ratesToApi(p, formatMicros),
    markup_bps: p.markupBps,
    updated_at: iso(p.updatedAt) as string,
  };
}

const tags = ['Prices'];

const list = createRoute({
  method: 'get',
  path: '/prices',
  tags,
  security,
  summary: "Global prices and the overrides of the caller's subtree",
  responses: ok(z.object({ data: z.array(priceSchema) }), 'Prices'),
});

const upsert = createRoute({
  method: 'put',
  path: '/prices',
  tags,
  security,
  summary: 'Create or replace the price of (model, account, effective_from); root only',
  request: { body: body(priceFileSchema) },
  responses: ok(priceSchema, 'The stored price'),
});

const remove = createRoute({
  method: 'delete',
  path: '/prices/{id}',
  tags,
  security,
  request: { params: idParam },
  responses: deleted,
});

export const pricesRoute = adminRouter()
  .openapi(list, async (c) => c.json({ data: (await listPrices(adminContext(c))).map(priceOut) }, 200))
  .openapi(upsert, async (c) => {
    const row = await upsertPrice(adminContext(c), c.req.valid('json'));
    await notifyConfigChange(c.env);
    return c.json(priceOut(row), 200);
  })
  .openapi(remove, async (c) => {
    await deletePrice(adminContext(c), c.req.valid('param').id);
    await notifyConfigChange(c.env);
    return c.json(OK, 200);
  });
