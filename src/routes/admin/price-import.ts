// POST /admin/v1/prices/import — a price catalogue in LiteLLM's model_prices_and_context_window.json
// format, previewed as a diff against the prices in force (dry_run, the default) or applied; root only.
import { createRoute, z } from '@hono/zod-openapi';
import { RATE_NAMES } from '../../billing/price-fields';
import { notifyConfigChange } from '../../state/propagation';
import { formatMicros } from '../../tenancy/paging';
import type { CataloguePrice, PriceAmounts, PriceChange } from '../../tenancy/price-catalogue';
import { importCatalogue } from '../../tenancy/price-import';
import { adminContext, adminRouter, body, errorResponses, json, security } from './openapi';

const importBody = z
  .object({
    format: z.literal('litellm').default('litellm'),
    catalogue: z.record(z.string(), z.unknown()).openapi({
      description:
        "The file's object, keyed by model: `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`, `cache_creation_input_token_cost`, `output_cost_per_reasoning_token`, … in USD per token.",
    }),
    effective_from: z.iso.date().openapi({ description: 'The day the imported prices take effect' }),
    models: z.array(z.string().min(1).max(200)).max(10_000).optional().openapi({
      description: 'Import only these models of the catalogue',
    }),
    dry_run: z.boolean().default(true),
  })
  .strict()
  .openapi('PriceImport');

const amount = z.string().nullable();
const amountsSchema = z
  .object({
    input: z.string().openapi({ description: 'Per million tokens, exact decimal of micro-units' }),
    output: z.string(),
    cached_read: amount,
    cache_write: amount,
    reasoning: amount,
    per_image: amount,
    per_audio_second: amount,
    per_million_chars: amount,
    per_web_search: amount,
  })
  .openapi('PriceAmounts');

// The API names of the rates, from the one map of them (a rate added to the table breaks the build
// here until the schema above names it too).
const fieldNames = RATE_NAMES satisfies Record<keyof PriceAmounts, keyof z.infer<typeof amountsSchema>>;
const fieldName = z.enum(Object.values(fieldNames) as [string, ...string[]]);

const changeSchema = z
  .object({
    model: z.string(),
    provider: z.string().nullable().openapi({ description: "The catalogue's `litellm_provider`" }),
    mode: z.string().nullable(),
    before: amountsSchema
      .extend({ id: z.string(), effective_from: z.string() })
      .nullable()
      .openapi({ description: 'The global price in force on effective_from; null when none' }),
    after: amountsSchema,
    fields: z.array(fieldName).openapi({ description: 'The amounts that differ' }),
    inexact: z.array(fieldName).openapi({ description: 'Finer than a micro-unit: rounded half up' }),
  })
  .openapi('PriceChange');

const resultSchema = z
  .object({
    effective_from: z.string(),
    added: z.array(changeSchema),
    changed: z.array(changeSchema),
    unchanged: z.array(changeSchema),
    skipped: z.array(z.object({ model: z.string(), reason: z.string() })),
    applied: z.boolean(),
    written: z.array(z.string()).openapi({ description: 'Ids of the prices written' }),
  })
  .openapi('PriceImportResult');

const opt = (v: number | null) => (v === null ? null : formatMicros(v));
function amountsOut(p: PriceAmounts): z.infer<typeof amountsSchema> {
  return {
    input: formatMicros(p.inputPerMtok),
    output: formatMicros(p.outputPerMtok),
    cached_read: opt(p.cachedReadPerMtok),
    cache_write: opt(p.cacheWritePerMtok),
    reasoning: opt(p.reasoningPerMtok),
    per_image: opt(p.perImage),
    per_audio_second: opt(p.perAudioSecond),
    per_million_chars: opt(p.perMillionChars),
    per_web_search: opt(p.perWebSearch),
  };
}

const names = (fields: (keyof PriceAmounts)[]) => fields.map((f) => fieldNames[f]);
function changeOut(c: PriceChange): z.infer<typeof changeSchema> {
  const after: CataloguePrice = c.after;
  return {
    model: c.model,
    provider: c.provider,
    mode: c.mode,
    before: c.before
      ? { ...amountsOut(c.before), id: c.before.id, effective_from: c.before.effectiveFrom }
      : null,
    after: amountsOut(after),
    fields: names(c.fields),
    inexact: names(after.inexact),
  };
}

const route = createRoute({
  method: 'post',
  path: '/prices/import',
  tags: ['Prices'],
  security,
  summary: 'Preview (dry_run) or apply a LiteLLM price catalogue as effective-dated global prices; root only',
  request: { body: body(importBody) },
  responses: { 200: json(resultSchema, 'The diff, and whether it was applied'), ...errorResponses },
});

export const priceImportRoute = adminRouter().openapi(route, async (c) => {
  const q = c.req.valid('json');
  const r = await importCatalogue(adminContext(c), {
    catalogue: q.catalogue,
    effectiveFrom: q.effective_from,
    models: q.models,
    dryRun: q.dry_run,
  });
  if (r.applied) await notifyConfigChange(c.env);
  return c.json(
    {
      effective_from: r.effectiveFrom,
      added: r.added.map(changeOut),
      changed: r.changed.map(changeOut),
      unchanged: r.unchanged.map(changeOut),
      skipped: r.skipped,
      applied: r.applied,
      written: r.written,
    },
    200,
  );
});
