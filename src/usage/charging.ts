// Charging a usage record (C6), as D1 statements that run inside the consumer's batch for the
// record. Consumption order: today's subscription allowance, then add-ons, then cards (earliest
// expiry first), then the plain balance; a ledger entry for each part, `ref` = `<request>:<grant>`
// or `<request>:balance`.
//
// Why SQL and not a split computed in the Worker: every amount is computed from the rows as the
// batch sees them, and D1 runs a batch as one serialized transaction, so two consumer invocations
// charging the same account can never both spend the same allowance or card value. Every statement
// reads the record's `usage_pending` row, which exists only while the record is written for the
// first time, so a redelivered record charges nothing.
//
// The balance may go below zero: money is charged after the fact; budgets (C5) are what stop
// traffic before it is spent. Usage of an account deleted before its record arrived is not charged
// (its ledger went with it).

/** Ledger entries that are money: everything except usage drawn from allowances and add-ons. */
export const MONEY_ENTRY = "(source IS NULL OR source NOT IN ('allowance', 'addon'))";

const LEDGER_INSERT = `INSERT INTO ledger_entries
  (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by, source, grant_id, day)`;

const NEW_ID = "'led_' || lower(hex(randomblob(12)))";

// The account's grants usable at the record's time, in consumption order, with what each still
// covers: a subscription or add-on its daily allowance less today's charges to it, a card its
// remaining value. `prior` is what the grants before it cover.
const SOURCES = `
SELECT a.*, COALESCE(SUM(a.available) OVER (
    ORDER BY a.tier, a.expires_at, a.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prior
FROM (
  SELECT g.id, g.expires_at,
    CASE g.kind WHEN 'subscription' THEN 0 WHEN 'addon' THEN 1 ELSE 2 END AS tier,
    CASE g.kind WHEN 'subscription' THEN 'allowance' ELSE g.kind END AS source,
    CASE WHEN g.kind = 'card' THEN COALESCE(g.remaining, 0)
      ELSE COALESCE(g.daily_allowance, 0) + COALESCE((SELECT SUM(l.amount) FROM ledger_entries l
        WHERE l.grant_id = g.id AND l.day = q.day AND l.kind = 'usage'), 0)
    END AS available
  FROM usage_pending q JOIN plan_grants g ON g.account_id = q.account_id
  WHERE q.request_id = ?1 AND g.status = 'active' AND g.starts_at <= q.ts AND g.expires_at > q.ts
) a
WHERE a.available > 0`;

/** The record's usage entries so far, by the `ref` prefix (one range on the unique ref index). */
const OWN_ENTRIES = `l.account_id = p.account_id AND l.kind = 'usage'
  AND l.ref >= p.request_id || ':' AND l.ref < p.request_id || ';'`;

const CHARGE_GRANTS = `${LEDGER_INSERT}
SELECT ${NEW_ID}, p.account_id, 'usage', -MIN(s.available, p.cost - s.prior), NULL,
  p.request_id || ':' || s.id, NULL, p.ts, 'system', s.source, s.id, p.day
FROM usage_pending p JOIN (${SOURCES}) s
WHERE p.request_id = ?1 AND s.prior < p.cost`;

const DRAW_CARDS = `UPDATE plan_grants
SET remaining = remaining + (SELECT l.amount FROM ledger_entries l
  WHERE l.account_id = plan_grants.account_id AND l.kind = 'usage' AND l.ref = ?1 || ':' || plan_grants.id)
WHERE id IN (SELECT l.grant_id FROM usage_pending p JOIN ledger_entries l ON ${OWN_ENTRIES}
  WHERE p.request_id = ?1 AND l.source = 'card')`;

const CHARGE_BALANCE = `${LEDGER_INSERT}
SELECT ${NEW_ID}, r.account_id, 'usage', -r.rest, NULL, r.request_id || ':balance', NULL, r.ts, 'system',
  'balance', NULL, r.day
FROM (
  SELECT p.*, p.cost + COALESCE((SELECT SUM(l.amount) FROM ledger_entries l WHERE ${OWN_ENTRIES}), 0) AS rest
  FROM usage_pending p WHERE p.request_id = ?1
) r
WHERE r.rest > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.account_id)`;

/** Statements that charge a record's cost; run after its `usage_pending` row was inserted. */
export function chargeStatements(db: D1Database, requestId: string): D1PreparedStatement[] {
  return [CHARGE_GRANTS, DRAW_CARDS, CHARGE_BALANCE].map((sql) => db.prepare(sql).bind(requestId));
}
