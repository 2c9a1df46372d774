// Auto-renewal of bought plans (credits and plans), by the scheduled job: a grant bought with `auto_renew`
// that
// ends within the next hour is bought again from the same payer — a new grant from the old one's
// expiry, the price debited — in one D1 batch whose debit is written only while the payer's
// balance covers the price and the old grant still carries its renewal (which the batch then
// clears), so overlapping runs renew once. A payer short of money is tried again on each run
// until the grant has expired; a retired plan does not renew.
import { MONEY_ENTRY } from './charging';

const AHEAD_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface DueGrant {
  id: string;
  account_id: string;
  parent_id: string | null;
  path: string;
  plan_id: string;
  kind: string;
  expires_at: number;
  daily_allowance: number | null;
  renew: 'account' | 'parent';
  price: number;
  validity_days: number;
}

export async function renewPlans(db: D1Database, now: number): Promise<{ renewed: number; short: number }> {
  const { results } = await db
    .prepare(
      `SELECT g.id, g.account_id, a.parent_id, a.path, g.plan_id, g.kind, g.expires_at, p.daily_allowance,
         g.renew, p.price, p.validity_days
       FROM plan_grants g JOIN accounts a ON a.id = g.account_id JOIN plans p ON p.id = g.plan_id
       WHERE g.renew IS NOT NULL AND g.status = 'active' AND g.expires_at > ?1 AND g.expires_at <= ?2
         AND p.status = 'active' AND g.kind != 'card'`,
    )
    .bind(now, now + AHEAD_MS)
    .all<DueGrant>();
  let renewed = 0;
  let short = 0;
  for (const g of results) {
    const payer = g.renew === 'parent' ? g.parent_id : g.account_id;
    if (!payer) continue;
    const newGrant = `grant_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const debit = `led_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const paid = 'EXISTS (SELECT 1 FROM ledger_entries WHERE id = ?)';
    const [first] = await db.batch([
      db
        .prepare(
          `INSERT INTO ledger_entries (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by, grant_id)
           SELECT ?1, ?2, 'purchase', -?3, ?4, ?5, 'renewal of plan ' || ?6, ?7, 'system', ?5
           WHERE (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account_id = ?2 AND ${MONEY_ENTRY}) >= ?3
             AND EXISTS (SELECT 1 FROM plan_grants WHERE id = ?8 AND renew IS NOT NULL)`,
        )
        .bind(
          debit,
          payer,
          g.price,
          payer === g.account_id ? null : g.account_id,
          newGrant,
          g.plan_id,
          now,
          g.id,
        ),
      db.prepare(`UPDATE plan_grants SET renew = NULL WHERE id = ? AND ${paid}`).bind(g.id, debit),
      db
        .prepare(
          `INSERT INTO plan_grants (id, account_id, plan_id, kind, starts_at, expires_at, daily_allowance, remaining, status, created_at, renew)
           SELECT ?, ?, ?, ?, ?, ?, ?, NULL, 'active', ?, ? WHERE ${paid}`,
        )
        .bind(
          newGrant,
          g.account_id,
          g.plan_id,
          g.kind,
          g.expires_at,
          g.expires_at + g.validity_days * DAY_MS,
          g.daily_allowance,
          now,
          g.renew,
          debit,
        ),
      db
        .prepare(
          `INSERT INTO audit_log (id, ts, actor_type, actor_id, account_path, action, target_type, target_id, before, after, ip, request_id)
           SELECT 'aud_' || lower(hex(randomblob(12))), ?, 'system', 'renewals', ?, 'plan.renew', 'account', ?, ?, ?, NULL, NULL WHERE ${paid}`,
        )
        .bind(
          now,
          g.path,
          g.account_id,
          JSON.stringify({ grant: g.id }),
          JSON.stringify({ grant: newGrant, paid_by: payer, price: g.price }),
          debit,
        ),
    ]);
    if ((first?.meta.changes ?? 0) > 0) renewed++;
    else short++;
  }
  return { renewed, short };
}
