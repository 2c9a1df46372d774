// The conditional D1 statements a redemption and a purchase write in one batch (raw SQL: a
// `WHERE` on another row of the same batch is what makes them all-or-nothing). Each takes the
// condition and its parameter, so both flows share one statement per row kind.
import { MONEY_ENTRY } from './charging';
import type { GrantRow } from './plans';

/** The grant, inserted only where `condition` (one `?`, bound to `param`) holds. */
export function insertGrantIf(d1: D1Database, grant: GrantRow, condition: string, param: string) {
  return d1
    .prepare(
      `INSERT INTO plan_grants (id, account_id, plan_id, kind, starts_at, expires_at, daily_allowance, remaining, status, created_at, renew)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ? WHERE ${condition}`,
    )
    .bind(
      grant.id,
      grant.accountId,
      grant.planId,
      grant.kind,
      grant.startsAt,
      grant.expiresAt,
      grant.dailyAllowance,
      grant.remaining,
      grant.createdAt,
      grant.renew,
      param,
    );
}

interface CardCredit {
  id: string;
  accountId: string;
  amount: number;
  ref: string;
  memo: string;
  createdAt: number;
  createdBy: string;
}

/** A card's value credited to its account, only where `condition` holds. */
export function cardCreditIf(d1: D1Database, credit: CardCredit, condition: string, param: string) {
  return d1
    .prepare(
      `INSERT INTO ledger_entries (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by)
       SELECT ?, ?, 'card', ?, NULL, ?, ?, ?, ? WHERE ${condition}`,
    )
    .bind(
      credit.id,
      credit.accountId,
      credit.amount,
      credit.ref,
      credit.memo,
      credit.createdAt,
      credit.createdBy,
      param,
    );
}

interface PurchaseDebit extends CardCredit {
  counterpartyAccountId: string | null;
  grantId: string;
}

/** The purchase debit, written only while the payer's derived balance covers `price`. */
export function debitIfCovered(d1: D1Database, debit: PurchaseDebit, price: number) {
  return d1
    .prepare(
      `INSERT INTO ledger_entries (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by, grant_id)
       SELECT ?, ?, 'purchase', ?, ?, ?, ?, ?, ?, ?
       WHERE (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ? AND ${MONEY_ENTRY}) >= ?`,
    )
    .bind(
      debit.id,
      debit.accountId,
      debit.amount,
      debit.counterpartyAccountId,
      debit.ref,
      debit.memo,
      debit.createdAt,
      debit.createdBy,
      debit.grantId,
      debit.accountId,
      price,
    );
}
