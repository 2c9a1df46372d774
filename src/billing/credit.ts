// A prepaid wallet's available credit as the ledger defines it (credits and plans), read by the wallet's
// governor
// when it seeds or refreshes its credit pool — never by a request. Available credit is today's
// plan allowances and add-ons not yet drawn on, plus the balance (which holds card value):
//
//   funds = money that came in or left other than by usage (top-ups, allocations, cards, debits,
//           expiries) + today's daily allowance of every active subscription and add-on
//   used  = usage charged to money (balance, cards) ever + usage charged to allowances today
//
// so funds − used = balance + what today's allowances still cover. Usage entries carry the usage
// day in the root's time zone, which is the day the allowances are counted for.
import { dayIn } from '../lib/time';
import { MONEY_ENTRY } from './charging';

export interface LedgerCredit {
  funds: number;
  used: number;
  day: string;
}

const CREDIT = `SELECT
  (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries
    WHERE account_id = ?1 AND kind != 'usage' AND ${MONEY_ENTRY}) +
  (SELECT COALESCE(SUM(daily_allowance), 0) FROM plan_grants
    WHERE account_id = ?1 AND status = 'active' AND kind IN ('subscription', 'addon')
      AND starts_at <= ?2 AND expires_at > ?2) AS funds,
  (SELECT COALESCE(-SUM(amount), 0) FROM ledger_entries
    WHERE account_id = ?1 AND kind = 'usage' AND (${MONEY_ENTRY} OR day = ?3)) AS used`;

export async function ledgerCredit(
  db: D1Database,
  accountId: string,
  timeZone: string,
  now: number,
): Promise<LedgerCredit> {
  const day = dayIn(timeZone, now);
  const row = await db.prepare(CREDIT).bind(accountId, now, day).first<{ funds: number; used: number }>();
  return { funds: Number(row?.funds ?? 0), used: Number(row?.used ?? 0), day };
}
