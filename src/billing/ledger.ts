// The money ledger (credits and plans): append-only signed micro-units; a balance is the sum of an account's
// money entries (usage drawn from allowances and add-ons is listed but is not money). An allocation moves money from a parent to a child in one D1 batch whose first insert
// only happens when the parent's derived balance covers it, so concurrent allocations cannot
// overdraw: D1 runs a batch as one transaction, and the check and the write are one statement.
import { and, desc, eq, lt, or, sql, sum } from 'drizzle-orm';
import type { Database } from '../db/client';
import { type ChargeSource, type LedgerKind, ledgerEntries } from '../db/schema';
import { ConflictError, InvalidRequestError, PermissionDeniedError } from '../errors/gateway-error';
import { newId } from '../lib/ids';
import { type AccountRow, accountInScope } from '../tenancy/chain';
import { type AdminContext, auditRow, runBatch } from '../tenancy/context';
import { decodeCursor, encodeCursor } from '../tenancy/paging';
import { isRootLevel } from '../tenancy/permissions';
import { redact } from '../tenancy/redact';
import { MONEY_ENTRY } from './charging';

export type LedgerRow = typeof ledgerEntries.$inferSelect;

export async function balanceOf(db: Database, accountId: string): Promise<number> {
  const [row] = await db
    .select({ total: sum(ledgerEntries.amount) })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.accountId, accountId), sql.raw(MONEY_ENTRY)));
  return Number(row?.total ?? 0);
}

export async function readBalance(ctx: AdminContext, accountId: string): Promise<number> {
  const account = await accountInScope(ctx, accountId, 'read');
  return balanceOf(ctx.db, account.id);
}

export async function listLedger(
  ctx: AdminContext,
  accountId: string,
  q: { cursor?: string; limit: number; kind?: LedgerKind; source?: ChargeSource },
) {
  await accountInScope(ctx, accountId, 'read');
  const [ts, id] = q.cursor ? (decodeCursor(q.cursor) ?? []) : [];
  if (q.cursor && (typeof ts !== 'number' || typeof id !== 'string'))
    throw new InvalidRequestError('invalid_request', 'cursor: not a cursor from this API', 'cursor');
  const [rows, balance] = await Promise.all([
    ctx.db
      .select()
      .from(ledgerEntries)
      .where(
        and(
          eq(ledgerEntries.accountId, accountId),
          q.kind ? eq(ledgerEntries.kind, q.kind) : undefined,
          q.source ? eq(ledgerEntries.source, q.source) : undefined,
          typeof ts === 'number' && typeof id === 'string'
            ? or(
                lt(ledgerEntries.createdAt, ts),
                and(eq(ledgerEntries.createdAt, ts), lt(ledgerEntries.id, id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(ledgerEntries.createdAt), desc(ledgerEntries.id))
      .limit(q.limit + 1),
    balanceOf(ctx.db, accountId),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > q.limit && last ? encodeCursor([last.createdAt, last.id]) : null;
  return { data: page, balance, nextCursor };
}

function entry(
  ctx: AdminContext,
  account: AccountRow,
  kind: LedgerKind,
  amount: number,
  memo?: string,
): LedgerRow {
  return {
    id: newId('led'),
    accountId: account.id,
    kind,
    amount,
    counterpartyAccountId: null,
    ref: null,
    memo: memo ?? null,
    createdAt: ctx.now,
    createdBy: ctx.actor.id ?? ctx.actor.type,
    source: null,
    grantId: null,
    day: null,
  };
}

async function append(ctx: AdminContext, account: AccountRow, row: LedgerRow): Promise<LedgerRow> {
  await runBatch(ctx.db, [
    ctx.db.insert(ledgerEntries).values(row),
    auditRow(ctx, {
      action: `ledger.${row.kind}`,
      targetType: 'account',
      targetId: account.id,
      accountPath: account.path,
      after: row,
    }),
  ]);
  return row;
}

/** Money enters the tree only at the root. */
export async function topUp(ctx: AdminContext, accountId: string, amount: number, memo?: string) {
  const account = await accountInScope(ctx, accountId, 'ledger:write');
  if (account.parentId !== null || !isRootLevel(ctx.actor)) {
    throw new PermissionDeniedError(
      'root_required',
      'Top-ups go to the root account, by a root-level admin.',
    );
  }
  return append(ctx, account, entry(ctx, account, 'topup', amount, memo));
}

/** A manual charge (corrections, offline usage); it may take a balance below zero. */
export async function debit(ctx: AdminContext, accountId: string, amount: number, memo?: string) {
  const account = await accountInScope(ctx, accountId, 'ledger:write', 'below');
  return append(ctx, account, entry(ctx, account, 'debit', -amount, memo));
}

export async function allocate(ctx: AdminContext, childId: string, amount: number, memo?: string) {
  const child = await accountInScope(ctx, childId, 'ledger:write', 'descendant');
  const parentId = child.parentId as string; // strictly below the caller, so it has a parent
  const ref = newId('alloc');
  const out = {
    ...entry(ctx, child, 'allocate_out', -amount, memo),
    accountId: parentId,
    counterpartyAccountId: child.id,
    ref,
  };
  const into = { ...entry(ctx, child, 'allocate_in', amount, memo), counterpartyAccountId: parentId, ref };
  const audit = {
    id: newId('aud'),
    after: JSON.stringify(redact({ from: parentId, to: child.id, amount, ref, memo: memo ?? null })),
  };
  // Raw D1 statements: the conditional INSERT … SELECT … WHERE is the whole point here.
  const d1 = ctx.db.$client;
  const insert = `INSERT INTO ledger_entries (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by)`;
  const claimed = 'EXISTS (SELECT 1 FROM ledger_entries WHERE id = ?)';
  const results = await d1.batch([
    d1
      .prepare(
        `${insert} SELECT ?, ?, 'allocate_out', ?, ?, ?, ?, ?, ?
         WHERE (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ? AND ${MONEY_ENTRY}) >= ?`,
      )
      .bind(out.id, parentId, out.amount, child.id, ref, out.memo, ctx.now, out.createdBy, parentId, amount),
    d1
      .prepare(`${insert} SELECT ?, ?, 'allocate_in', ?, ?, ?, ?, ?, ? WHERE ${claimed}`)
      .bind(into.id, child.id, amount, parentId, ref, into.memo, ctx.now, into.createdBy, out.id),
    d1
      .prepare(
        `INSERT INTO audit_log (id, ts, actor_type, actor_id, account_path, action, target_type, target_id, before, after, ip, request_id)
         SELECT ?, ?, ?, ?, ?, 'ledger.allocate', 'account', ?, NULL, ?, ?, ? WHERE ${claimed}`,
      )
      .bind(
        audit.id,
        ctx.now,
        ctx.actor.type,
        ctx.actor.id,
        child.path,
        child.id,
        audit.after,
        ctx.ip,
        ctx.requestId,
        out.id,
      ),
  ]);
  const created = results[0]?.meta.changes ?? 0;
  if (created === 0) {
    throw new ConflictError(
      'insufficient_balance',
      `The parent account "${parentId}" does not hold enough balance for this allocation.`,
      'amount',
    );
  }
  return { from: out as LedgerRow, to: into as LedgerRow };
}
