// Products (credits and plans): subscriptions (a daily allowance over a validity window), cards (prepaid
// value
// with an expiry) and add-ons (extra daily quota); grants of them to accounts; redemption codes
// (stored as hashes) that load a grant. Loading a card also credits the ledger (kind `card`, ref =
// grant id), so the balance stays derived from the ledger alone. The catalogue is the root's.
import { asc, desc, eq } from 'drizzle-orm';
import type { PlanKind } from '../db/schema';
import { ledgerEntries, planGrants, plans, redemptionCodes } from '../db/schema';
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors/gateway-error';
import { newId, randomToken, sha256Hex } from '../lib/ids';
import { assertRootCatalog } from '../tenancy/catalog';
import { type AccountRow, accountInScope } from '../tenancy/chain';
import {
  type AdminContext,
  auditIf,
  auditRow,
  isUniqueViolation,
  requireCapability,
  runBatch,
} from '../tenancy/context';
import { isRootLevel } from '../tenancy/permissions';
import { cardCreditIf, debitIfCovered, insertGrantIf } from './plan-statements';

export type PlanRow = typeof plans.$inferSelect;
export type GrantRow = typeof planGrants.$inferSelect;
export type CodeRow = typeof redemptionCodes.$inferSelect;

const DAY_MS = 86_400_000;

export interface PlanInput {
  id?: string;
  name: string;
  kind: PlanKind;
  daily_allowance?: number;
  amount?: number;
  validity_days: number;
  price: number;
}

/** The catalogue is readable by every tenant (it is what they can buy or redeem). */
export async function listPlans(ctx: AdminContext): Promise<PlanRow[]> {
  requireCapability(ctx.actor, 'read');
  return ctx.db.select().from(plans).orderBy(asc(plans.kind), asc(plans.name));
}

export async function createPlan(ctx: AdminContext, input: PlanInput): Promise<PlanRow> {
  assertRootCatalog(ctx, 'catalog:write');
  if (input.kind === 'card' && !input.amount)
    throw new InvalidRequestError('invalid_request', 'amount: a card needs an amount', 'amount');
  if (input.kind !== 'card' && !input.daily_allowance)
    throw new InvalidRequestError(
      'invalid_request',
      `daily_allowance: a ${input.kind} needs one`,
      'daily_allowance',
    );
  const row: PlanRow = {
    id: input.id ?? newId('plan'),
    name: input.name,
    kind: input.kind,
    dailyAllowance: input.daily_allowance ?? null,
    amount: input.amount ?? null,
    validityDays: input.validity_days,
    price: input.price,
    status: 'active',
    createdAt: ctx.now,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(plans).values(row),
      auditRow(ctx, {
        action: 'plan.create',
        targetType: 'plan',
        targetId: row.id,
        accountPath: ctx.actor.accountPath,
        after: row,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('plan_id_taken', `Plan "${row.id}" exists.`, 'id');
    throw err;
  }
  return row;
}

async function plan(ctx: AdminContext, id: string): Promise<PlanRow> {
  const [row] = await ctx.db.select().from(plans).where(eq(plans.id, id)).limit(1);
  if (!row) throw new NotFoundError('plan_not_found', `No plan "${id}".`);
  return row;
}

export async function updatePlan(
  ctx: AdminContext,
  id: string,
  input: { name?: string; status?: 'active' | 'retired' },
) {
  assertRootCatalog(ctx, 'catalog:write');
  const before = await plan(ctx, id);
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.status !== undefined && { status: input.status }),
  };
  const after = { ...before, ...changes };
  await runBatch(ctx.db, [
    ctx.db.update(plans).set(changes).where(eq(plans.id, id)),
    auditRow(ctx, {
      action: 'plan.update',
      targetType: 'plan',
      targetId: id,
      accountPath: ctx.actor.accountPath,
      before,
      after,
    }),
  ]);
  return after;
}

function grantOf(p: PlanRow, account: AccountRow, now: number): GrantRow {
  return {
    id: newId('grant'),
    accountId: account.id,
    planId: p.id,
    kind: p.kind,
    startsAt: now,
    expiresAt: now + p.validityDays * DAY_MS,
    dailyAllowance: p.dailyAllowance,
    remaining: p.kind === 'card' ? p.amount : null,
    status: 'active',
    createdAt: now,
    renew: null,
  };
}

function cardCredit(ctx: AdminContext, grant: GrantRow) {
  return {
    id: newId('led'),
    accountId: grant.accountId,
    kind: 'card' as const,
    amount: grant.remaining ?? 0,
    counterpartyAccountId: null,
    ref: grant.id,
    memo: `card ${grant.planId}`,
    createdAt: ctx.now,
    createdBy: ctx.actor.id ?? ctx.actor.type,
  };
}

export async function listGrants(ctx: AdminContext, accountId: string): Promise<GrantRow[]> {
  await accountInScope(ctx, accountId, 'read');
  return ctx.db
    .select()
    .from(planGrants)
    .where(eq(planGrants.accountId, accountId))
    .orderBy(desc(planGrants.createdAt));
}

/** Grants are free of charge, so only root-level principals give them (codes let tenants self-load). */
export async function grantPlan(ctx: AdminContext, accountId: string, planId: string): Promise<GrantRow> {
  const account = await accountInScope(ctx, accountId, 'ledger:write');
  if (!isRootLevel(ctx.actor))
    throw new PermissionDeniedError('root_required', 'Plans are granted by the root.');
  const p = await plan(ctx, planId);
  if (p.status !== 'active')
    throw new ConflictError('plan_retired', `Plan "${planId}" is retired.`, 'plan_id');
  const grant = grantOf(p, account, ctx.now);
  await runBatch(ctx.db, [
    ctx.db.insert(planGrants).values(grant),
    ...(grant.kind === 'card' ? [ctx.db.insert(ledgerEntries).values(cardCredit(ctx, grant))] : []),
    auditRow(ctx, {
      action: 'plan.grant',
      targetType: 'account',
      targetId: account.id,
      accountPath: account.path,
      after: grant,
    }),
  ]);
  return grant;
}

export async function createCodes(
  ctx: AdminContext,
  input: { plan_id: string; count: number; expires_at?: string },
): Promise<{ codes: string[]; rows: CodeRow[] }> {
  assertRootCatalog(ctx, 'catalog:write');
  const p = await plan(ctx, input.plan_id);
  if (p.status !== 'active') throw new ConflictError('plan_retired', `Plan "${p.id}" is retired.`, 'plan_id');
  const expiresAt = input.expires_at ? Date.parse(input.expires_at) : null;
  const codes = Array.from({ length: input.count }, () => `syr_${randomToken(18)}`);
  const rows: CodeRow[] = await Promise.all(
    codes.map(async (code) => ({
      codeHash: await sha256Hex(code),
      planId: p.id,
      createdByAccountId: ctx.actor.accountId ?? '',
      expiresAt,
      redeemedByAccountId: null,
      redeemedAt: null,
      createdAt: ctx.now,
    })),
  );
  await runBatch(ctx.db, [
    ...rows.map((r) => ctx.db.insert(redemptionCodes).values(r)),
    auditRow(ctx, {
      action: 'redemption_code.create',
      targetType: 'plan',
      targetId: p.id,
      accountPath: ctx.actor.accountPath,
      after: { plan_id: p.id, count: rows.length, expires_at: expiresAt },
    }),
  ]);
  return { codes, rows };
}

export async function listCodes(ctx: AdminContext): Promise<CodeRow[]> {
  assertRootCatalog(ctx, 'read');
  return ctx.db.select().from(redemptionCodes).orderBy(desc(redemptionCodes.createdAt));
}

/**
 * Loads the code's grant and marks the code used in one batch, so a code loads once even when it
 * is redeemed twice concurrently.
 */
export async function redeemCode(ctx: AdminContext, code: string, accountId: string): Promise<GrantRow> {
  const account = await accountInScope(ctx, accountId, 'redeem');
  const hash = await sha256Hex(code);
  const row = await redeemableCode(ctx, hash);
  const grant = grantOf(await plan(ctx, row.planId), account, ctx.now);
  // Raw D1 statements in one batch (one transaction, serialized against every other batch): the
  // grant is inserted only while the code is unused, and everything after only if it was.
  const d1 = ctx.db.$client;
  const granted = 'EXISTS (SELECT 1 FROM plan_grants WHERE id = ?)';
  const results = await d1.batch([
    insertGrantIf(
      d1,
      grant,
      'EXISTS (SELECT 1 FROM redemption_codes WHERE code_hash = ? AND redeemed_at IS NULL)',
      hash,
    ),
    d1
      .prepare(
        `UPDATE redemption_codes SET redeemed_by_account_id = ?, redeemed_at = ? WHERE code_hash = ? AND ${granted}`,
      )
      .bind(account.id, ctx.now, hash, grant.id),
    ...(grant.kind === 'card' ? [cardCreditIf(d1, cardCredit(ctx, grant), granted, grant.id)] : []),
    auditIf(
      d1,
      ctx,
      { accountPath: account.path, action: 'plan.redeem', targetId: account.id, after: grant },
      granted,
      grant.id,
    ),
  ]);
  if ((results[0]?.meta.changes ?? 0) === 0) throw invalidCode();
  return grant;
}

const invalidCode = () =>
  new InvalidRequestError('invalid_code', 'The code is invalid, expired or already used.', 'code');

/** The code with this hash while it can still be redeemed (unused, not expired), or invalid_code. */
async function redeemableCode(ctx: AdminContext, hash: string): Promise<CodeRow> {
  const [row] = await ctx.db
    .select()
    .from(redemptionCodes)
    .where(eq(redemptionCodes.codeHash, hash))
    .limit(1);
  if (!row || row.redeemedAt !== null || (row.expiresAt !== null && row.expiresAt <= ctx.now))
    throw invalidCode();
  return row;
}

export interface Purchase {
  grant: GrantRow;
  /** The price debited (from the account, or its parent), then a card's credit: one ref. */
  entries: (typeof ledgerEntries.$inferSelect)[];
}

/**
 * Buys a plan (credits and plans): the price is debited from the account's balance — or its parent's, when
 * the
 * parent pays (`paidBy: 'parent'`, by a caller who may move the parent's money) — and the plan is
 * granted in the same D1 batch. The debit is inserted only while the payer's balance covers the
 * price (one statement: check and write), and everything after only if it was, so concurrent
 * purchases can never overdraw. The debit and a card's credit share the grant id as their ref.
 */
export async function purchasePlan(
  ctx: AdminContext,
  accountId: string,
  planId: string,
  paidBy: 'account' | 'parent',
  autoRenew = false,
): Promise<Purchase> {
  const account =
    paidBy === 'parent'
      ? await accountInScope(ctx, accountId, 'ledger:write', 'descendant')
      : await accountInScope(ctx, accountId, 'redeem');
  const payer = paidBy === 'parent' ? account.parentId : account.id;
  if (!payer)
    throw new InvalidRequestError('invalid_request', 'paid_by: the root account has no parent', 'paid_by');
  const p = purchasable(await plan(ctx, planId), autoRenew);
  const grant = { ...grantOf(p, account, ctx.now), renew: autoRenew ? paidBy : null };
  const debit = purchaseDebit(ctx, p, grant, payer);
  const credit =
    grant.kind === 'card' ? { ...cardCredit(ctx, grant), source: null, grantId: null, day: null } : null;
  const d1 = ctx.db.$client;
  const paid = 'EXISTS (SELECT 1 FROM ledger_entries WHERE id = ?)';
  const results = await d1.batch([
    debitIfCovered(d1, debit, p.price),
    insertGrantIf(d1, grant, paid, debit.id),
    ...(credit ? [cardCreditIf(d1, credit, paid, debit.id)] : []),
    auditIf(
      d1,
      ctx,
      {
        accountPath: account.path,
        action: 'plan.purchase',
        targetId: account.id,
        after: { grant, paid_by: payer, price: p.price },
      },
      paid,
      debit.id,
    ),
  ]);
  if ((results[0]?.meta.changes ?? 0) === 0)
    throw new ConflictError(
      'insufficient_balance',
      `The balance of account "${payer}" does not cover the price of plan "${p.id}".`,
      'plan_id',
    );
  return { grant, entries: credit ? [debit, credit] : [debit] };
}

/** The plan, when it can be bought as asked: active, and renewing only if it is not a card. */
function purchasable(p: PlanRow, autoRenew: boolean): PlanRow {
  if (p.status !== 'active') throw new ConflictError('plan_retired', `Plan "${p.id}" is retired.`, 'plan_id');
  if (autoRenew && p.kind === 'card')
    throw new InvalidRequestError('invalid_request', 'auto_renew: cards do not renew', 'auto_renew');
  return p;
}

/** The ledger entry that pays for a grant: the price, debited from the payer. */
function purchaseDebit(ctx: AdminContext, p: PlanRow, grant: GrantRow, payer: string) {
  return {
    id: newId('led'),
    accountId: payer,
    kind: 'purchase' as const,
    amount: -p.price,
    counterpartyAccountId: payer === grant.accountId ? null : grant.accountId,
    ref: grant.id,
    memo: `plan ${p.id}`,
    createdAt: ctx.now,
    createdBy: ctx.actor.id ?? ctx.actor.type,
    source: null,
    grantId: grant.id,
    day: null,
  };
}
