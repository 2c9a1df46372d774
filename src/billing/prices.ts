// The price table (metering and pricing): per model and token class, effective-dated, with per-account
// overrides.
// Writes are the root's; everyone reads the global rows and the overrides of their own subtree.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { accounts, modelPrices } from '../db/schema';
import { NotFoundError } from '../errors/gateway-error';
import { newId } from '../lib/ids';
import type { PriceFile } from '../policy/file-schema';
import { assertRootCatalog } from '../tenancy/catalog';
import { accountInScope } from '../tenancy/chain';
import { type AdminContext, auditRow, requireCapability, runBatch } from '../tenancy/context';
import { inSubtree } from '../tenancy/permissions';
import { ratesFromFile } from './price-fields';

export type PriceRow = typeof modelPrices.$inferSelect;

export async function listPrices(ctx: AdminContext) {
  requireCapability(ctx.actor, 'read');
  const rows = await ctx.db
    .select({ price: modelPrices, path: accounts.path })
    .from(modelPrices)
    .leftJoin(accounts, eq(accounts.id, modelPrices.accountId))
    .orderBy(asc(modelPrices.model), asc(modelPrices.effectiveFrom));
  return rows
    .filter(
      (r) => r.price.accountId === null || (r.path !== null && inSubtree(ctx.actor.accountPath, r.path)),
    )
    .map((r) => r.price);
}

/** Creates or replaces the row for (model, account, effective_from). */
export async function upsertPrice(ctx: AdminContext, input: PriceFile): Promise<PriceRow> {
  assertRootCatalog(ctx, 'catalog:write');
  if (input.account) await accountInScope(ctx, input.account, 'catalog:write');
  const accountId = input.account ?? null;
  const [before] = await ctx.db
    .select()
    .from(modelPrices)
    .where(
      and(
        eq(modelPrices.model, input.model),
        eq(modelPrices.effectiveFrom, input.effective_from),
        accountId === null ? isNull(modelPrices.accountId) : eq(modelPrices.accountId, accountId),
      ),
    )
    .limit(1);
  const row: PriceRow = {
    id: before?.id ?? newId('price'),
    model: input.model,
    accountId,
    effectiveFrom: input.effective_from,
    ...ratesFromFile(input),
    markupBps: input.markup_bps,
    updatedAt: ctx.now,
  };
  const { id, ...values } = row;
  await runBatch(ctx.db, [
    before
      ? ctx.db.update(modelPrices).set(values).where(eq(modelPrices.id, id))
      : ctx.db.insert(modelPrices).values(row),
    auditRow(ctx, {
      action: before ? 'price.update' : 'price.create',
      targetType: 'price',
      targetId: id,
      accountPath: ctx.actor.accountPath,
      before,
      after: row,
    }),
  ]);
  return row;
}

export async function deletePrice(ctx: AdminContext, id: string): Promise<void> {
  assertRootCatalog(ctx, 'catalog:write');
  const [before] = await ctx.db.select().from(modelPrices).where(eq(modelPrices.id, id)).limit(1);
  if (!before) throw new NotFoundError('price_not_found', `No price "${id}".`);
  await runBatch(ctx.db, [
    ctx.db.delete(modelPrices).where(sql`${modelPrices.id} = ${id}`),
    auditRow(ctx, {
      action: 'price.delete',
      targetType: 'price',
      targetId: id,
      accountPath: ctx.actor.accountPath,
      before,
    }),
  ]);
}
