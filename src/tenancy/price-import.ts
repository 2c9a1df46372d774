// Importing a price catalogue (metering and pricing): the diff of a LiteLLM catalogue against the global prices in
// force on the import's date (a dry run), and applying it — one new effective-dated row per added
// or changed model (or the same-date row replaced), each with its audit row, in one D1 batch.
import { eq, isNull } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { PriceRow } from '../billing/prices';
import { auditLog, modelPrices } from '../db/schema';
import { InvalidRequestError } from '../errors/gateway-error';
import { newId } from '../lib/ids';
import { assertRootCatalog } from './catalog';
import type { AdminContext } from './context';
import {
  type CatalogueDiff,
  diffCatalogue,
  inForceOn,
  type PriceChange,
  parseLiteLLMCatalogue,
  type Skipped,
} from './price-catalogue';
import { redact } from './redact';

/** One apply writes at most this many prices (filter the catalogue by provider for more). */
export const MAX_IMPORT_PRICES = 2000;
// D1 binds at most 100 parameters per statement: rows per multi-row insert.
const PRICE_ROWS_PER_INSERT = Math.floor(100 / 15);
const AUDIT_ROWS_PER_INSERT = Math.floor(100 / 12);

export interface ImportInput {
  catalogue: Record<string, unknown>;
  effectiveFrom: string;
  /** Only these models of the catalogue (all when absent). */
  models?: string[] | undefined;
  dryRun: boolean;
}

export interface ImportResult extends CatalogueDiff {
  effectiveFrom: string;
  skipped: Skipped[];
  applied: boolean;
  /** The rows written (ids of the new or replaced prices), in model order. */
  written: string[];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function rowOf(ctx: AdminContext, change: PriceChange, effectiveFrom: string): PriceRow {
  const { after, before } = change;
  return {
    // The same-date row is replaced; otherwise a new effective-dated row supersedes it.
    id: before && before.effectiveFrom === effectiveFrom ? before.id : newId('price'),
    model: after.model,
    accountId: null,
    effectiveFrom,
    inputPerMtok: after.inputPerMtok,
    outputPerMtok: after.outputPerMtok,
    cachedReadPerMtok: after.cachedReadPerMtok,
    cacheWritePerMtok: after.cacheWritePerMtok,
    reasoningPerMtok: after.reasoningPerMtok,
    perImage: after.perImage,
    perAudioSecond: after.perAudioSecond,
    perMillionChars: after.perMillionChars,
    perWebSearch: after.perWebSearch,
    // A catalogue has list prices: the operator's markup on the model stays.
    markupBps: before?.markupBps ?? 0,
    updatedAt: ctx.now,
  };
}

export async function importCatalogue(ctx: AdminContext, input: ImportInput): Promise<ImportResult> {
  assertRootCatalog(ctx, input.dryRun ? 'read' : 'catalog:write');
  const parsed = parseLiteLLMCatalogue(input.catalogue);
  const wanted = input.models ? new Set(input.models) : null;
  const incoming = wanted ? parsed.prices.filter((p) => wanted.has(p.model)) : parsed.prices;
  const stored = await ctx.db.select().from(modelPrices).where(isNull(modelPrices.accountId));
  const current = inForceOn(stored, input.effectiveFrom);
  const diff = diffCatalogue(incoming, (m) => current.get(m));
  const result: ImportResult = {
    ...diff,
    effectiveFrom: input.effectiveFrom,
    skipped: parsed.skipped,
    applied: false,
    written: [],
  };
  if (input.dryRun) return result;

  const writes = [...diff.added, ...diff.changed];
  if (writes.length > MAX_IMPORT_PRICES)
    throw new InvalidRequestError(
      'import_too_large',
      `The import would write ${writes.length} prices; at most ${MAX_IMPORT_PRICES} at once (choose fewer models).`,
      'models',
    );
  const rows = writes.map((c) => ({ change: c, row: rowOf(ctx, c, input.effectiveFrom) }));
  const replaced = rows.filter((r) => r.change.before?.id === r.row.id);
  const inserted = rows.filter((r) => r.change.before?.id !== r.row.id).map((r) => r.row);
  const statements: BatchItem<'sqlite'>[] = [
    ...replaced.map(({ row: { id, ...values } }) =>
      ctx.db.update(modelPrices).set(values).where(eq(modelPrices.id, id)),
    ),
    ...chunks(inserted, PRICE_ROWS_PER_INSERT).map((c) => ctx.db.insert(modelPrices).values(c)),
    ...chunks(rows, AUDIT_ROWS_PER_INSERT).map((c) =>
      ctx.db.insert(auditLog).values(
        c.map(({ change, row }) => ({
          id: newId('aud'),
          ts: ctx.now,
          actorType: ctx.actor.type,
          actorId: ctx.actor.id,
          accountPath: ctx.actor.accountPath,
          action: 'price.import',
          targetType: 'price',
          targetId: row.id,
          before: change.before ? redact(change.before) : null,
          after: redact(row),
          ip: ctx.ip,
          requestId: ctx.requestId,
        })),
      ),
    ),
  ];
  const [first, ...rest] = statements;
  if (first) await ctx.db.batch([first, ...rest]);
  return { ...result, applied: true, written: rows.map((r) => r.row.id) };
}
