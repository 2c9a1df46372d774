// Charging usage (credits and plans), as D1 statements that run inside the consumer's transaction for one
// delivered
// batch. The batch's new records of one account and day are charged together (requests at most a
// few seconds apart), in the consumption order: today's subscription allowance, then add-ons, then
// cards (earliest expiry first), then the plain balance.
// Each part is a ledger entry; `ref` = `<batch>:<grant id>` or `<batch>:balance`, where the batch
// is the smallest request id among the records charged (unique: a request is new only once).
//
// Why SQL and not a split computed in the Worker: every amount is computed from the rows as the
// transaction sees them, and D1 runs a batch as one serialized transaction, so two consumer
// invocations charging the same account can never both spend the same allowance or card value.
// The statements read the records' `usage_pending` rows, which exist only while the records are
// written for the first time, so a redelivered message charges nothing.
//
// The balance may go below zero: money is charged after the fact; budgets (limits and quotas) are what stop
// traffic before it is spent. Usage of an account deleted before its record arrived is not charged
// (its ledger went with it).

/** Ledger entries that are money: everything except usage drawn from allowances and add-ons. */
export const MONEY_ENTRY = "(source IS NULL OR source NOT IN ('allowance', 'addon'))";

const LEDGER_INSERT = `INSERT INTO ledger_entries
  (id, account_id, kind, amount, counterparty_account_id, ref, memo, created_at, created_by, source, grant_id, day)`;

/** A new ledger entry id, made by SQLite for entries written by a statement. */
export const NEW_LEDGER_ID = "'led_' || lower(hex(randomblob(12)))";

/** The batch: the new records of account ?1 on day ?2 in this transaction. */
const BATCH = `(SELECT account_id, day, MAX(ts) AS ts, SUM(cost) AS cost, MIN(request_id) AS batch,
  COUNT(*) AS requests
  FROM usage_pending WHERE account_id = ?1 AND day = ?2 AND cost > 0 GROUP BY account_id, day)`;

// The account's grants usable at the batch's time, in consumption order, with what each still
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
  FROM ${BATCH} q JOIN plan_grants g ON g.account_id = q.account_id
  WHERE g.status = 'active' AND g.starts_at <= q.ts AND g.expires_at > q.ts
) a
WHERE a.available > 0`;

/** The batch's usage entries so far, by the `ref` prefix (one range on the unique ref index). */
const OWN_ENTRIES = `l.account_id = p.account_id AND l.kind = 'usage'
  AND l.ref >= p.batch || ':' AND l.ref < p.batch || ';'`;

const MEMO = "'usage of ' || p.requests || CASE p.requests WHEN 1 THEN ' request' ELSE ' requests' END";

const CHARGE_GRANTS = `${LEDGER_INSERT}
SELECT ${NEW_LEDGER_ID}, p.account_id, 'usage', -MIN(s.available, p.cost - s.prior), NULL,
  p.batch || ':' || s.id, ${MEMO}, p.ts, 'system', s.source, s.id, p.day
FROM ${BATCH} p JOIN (${SOURCES}) s
WHERE s.prior < p.cost`;

const DRAW_CARDS = `UPDATE plan_grants
SET remaining = remaining + (SELECT l.amount FROM ${BATCH} p JOIN ledger_entries l
  ON l.account_id = p.account_id AND l.kind = 'usage' AND l.ref = p.batch || ':' || plan_grants.id)
WHERE id IN (SELECT l.grant_id FROM ${BATCH} p JOIN ledger_entries l ON ${OWN_ENTRIES}
  WHERE l.source = 'card')`;

const CHARGE_BALANCE = `${LEDGER_INSERT}
SELECT ${NEW_LEDGER_ID}, p.account_id, 'usage', -p.rest, NULL, p.batch || ':balance', ${MEMO}, p.ts, 'system',
  'balance', NULL, p.day
FROM (
  SELECT p.*, p.cost + COALESCE((SELECT SUM(l.amount) FROM ledger_entries l WHERE ${OWN_ENTRIES}), 0) AS rest
  FROM ${BATCH} p
) p
WHERE p.rest > 0 AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = p.account_id)`;

/** Statements that charge the new records of `accountId` on `day`; run after their pending rows. */
export function chargeStatements(db: D1Database, accountId: string, day: string): D1PreparedStatement[] {
  return [CHARGE_GRANTS, DRAW_CARDS, CHARGE_BALANCE].map((sql) => db.prepare(sql).bind(accountId, day));
}
