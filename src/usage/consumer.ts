// Usage queue consumer (usage pipeline). Each message is validated on its own; the valid messages of a
// delivered
// batch are written in one D1 transaction: the raw event is inserted if new (keyed by request id),
// and only when it is new is the daily rollup incremented and the cost charged (credits and plans) — so a
// redelivered message changes nothing. Poison messages go to the dead-letter queue with the reason;
// when the write fails, the batch's valid messages are retried.

import { getTableColumns } from 'drizzle-orm';
import { chargeStatements } from '../billing/charging';
import { usageDaily, usageEvents } from '../db/schema';
import { creditChanged } from '../governance/credit';
import { fastCheckFor } from '../lib/fast-validate';
import {
  EVENT_COLUMNS,
  EVENT_FIELDS,
  type EventColumn,
  type UsageMessage,
  type UsageRecord,
  usageMessageSchema,
} from './record';

// The counters a rollup sums: every usage_daily column that usage_events also has, but the group key.
const GROUP_KEY = new Set(['accountId', 'day', 'model', 'accountPath']);
const eventColumns = getTableColumns(usageEvents);
const SUMMED = Object.entries(getTableColumns(usageDaily))
  .filter(([key]) => key in eventColumns && !GROUP_KEY.has(key))
  .map(([, column]) => column.name);

// Records travel to D1 as JSON arrays of value rows (`eventValues`), unpacked by SQLite: a few
// statements per delivered batch instead of two per record. D1 is single-threaded, so statements
// per request are what bound the pipeline's throughput.
function col(c: EventColumn): string {
  const at = EVENT_COLUMNS.indexOf(c);
  if (at < 0) throw new Error(`usage_events has no column ${c}`);
  return `json_extract(value, '$[${at}]')`;
}

// The records whose request id has no event yet are new: they get a pending row, which marks them
// for the rollup and charging statements after it; `usage_pending` is empty outside this
// transaction (D1 runs batches one at a time), so a redelivered message finds nothing new.
// Its account is the wallet charged (an ancestor's, for `wallet: inherit`), the value row's last
// element after the event columns.
const WALLET = `COALESCE(json_extract(value, '$[${EVENT_COLUMNS.length}]'), ${col('account_id')})`;
const MARK_PENDING = `INSERT OR IGNORE INTO usage_pending (request_id, account_id, day, ts, cost)
SELECT ${col('request_id')}, ${WALLET}, ${(['day', 'ts', 'cost_micros'] as const).map(col).join(', ')}
FROM json_each(?1) WHERE NOT EXISTS (SELECT 1 FROM usage_events e WHERE e.request_id = ${col('request_id')})`;

const INSERT_EVENTS = `INSERT OR IGNORE INTO usage_events (${EVENT_COLUMNS.join(', ')})
SELECT ${EVENT_COLUMNS.map(col).join(', ')} FROM json_each(?1)`;
const CLEAR_PENDING = 'DELETE FROM usage_pending';

// The message's new events, summed per account × day × model into the rollups in one statement.
const ADD_ROLLUPS = `INSERT INTO usage_daily (account_id, day, model, account_path, requests, errors, ${SUMMED.join(', ')}, estimated_requests, unpriced_requests)
SELECT e.account_id, e.day, e.model, MAX(e.account_path), COUNT(*), SUM(e.status >= 400),
  ${SUMMED.map((c) => `SUM(e.${c})`).join(', ')}, SUM(e.estimated), SUM(e.unpriced)
FROM usage_pending p JOIN usage_events e ON e.request_id = p.request_id
WHERE true
GROUP BY e.account_id, e.day, e.model
ON CONFLICT (account_id, day, model) DO UPDATE SET requests = requests + excluded.requests,
errors = errors + excluded.errors, ${SUMMED.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
estimated_requests = estimated_requests + excluded.estimated_requests, unpriced_requests = unpriced_requests + excluded.unpriced_requests`;

function eventValues(r: UsageRecord): (string | number | null)[] {
  const values = EVENT_FIELDS.map((f) => {
    const v = r[f];
    return typeof v === 'boolean' ? (v ? 1 : 0) : v;
  });
  return [...values, r['walletAccountId'] ?? null];
}

/** Records per bound JSON array: a few hundred KB, well under D1's 2 MB limit on one value. */
const RECORDS_PER_STATEMENT = 500;

/** One D1 transaction: events, then rollups and charges of the ones that were new. */
export async function writeUsage(db: D1Database, records: UsageRecord[]): Promise<void> {
  const charged = new Map<string, [string, string]>();
  for (const r of records) {
    const wallet = r['walletAccountId'] ?? r['accountId'];
    if (r['costMicros'] > 0) charged.set(`${wallet} ${r['day']}`, [wallet, r['day']]);
  }
  const events: D1PreparedStatement[] = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_STATEMENT) {
    const rows = JSON.stringify(records.slice(i, i + RECORDS_PER_STATEMENT).map(eventValues));
    events.push(db.prepare(MARK_PENDING).bind(rows), db.prepare(INSERT_EVENTS).bind(rows));
  }
  await db.batch([
    ...events,
    db.prepare(ADD_ROLLUPS),
    ...[...charged.values()].flatMap(([account, day]) => chargeStatements(db, account, day)),
    db.prepare(CLEAR_PENDING),
  ]);
}

// The precompiled check passes what zod would pass unchanged; zod still explains a refusal.
const fastCheck = fastCheckFor(usageMessageSchema);
const validMessage = (body: unknown): body is UsageMessage => fastCheck?.(body) ?? false;

export async function handleUsageBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: { message: Message<unknown>; records: UsageRecord[] }[] = [];
  for (const message of batch.messages) {
    if (validMessage(message.body)) {
      valid.push({ message, records: message.body.records });
      continue;
    }
    const parsed = usageMessageSchema.safeParse(message.body);
    if (parsed.success) {
      valid.push({ message, records: parsed.data.records });
      continue;
    }
    // Retrying cannot fix a malformed message: park it, with the reason, where an operator can look.
    await env.USAGE_DLQ.send(
      { reason: parsed.error.issues.slice(0, 5), body: message.body },
      { contentType: 'json' },
    );
    console.error(
      JSON.stringify({ msg: 'usage message rejected', id: message.id, issues: parsed.error.issues.length }),
    );
    message.ack();
  }
  if (valid.length === 0) return;
  try {
    await writeUsage(
      env.DB,
      valid.flatMap((v) => v.records),
    );
    for (const { message } of valid) message.ack();
  } catch (err) {
    retryAll(valid, err);
    return;
  }
  // Prepaid wallets reconcile with what was just charged (off every request's path).
  const wallets = new Set<string>();
  for (const { records } of valid)
    for (const r of records) if (r['costMicros'] > 0) wallets.add(r['walletAccountId'] ?? r['accountId']);
  await creditChanged(env, wallets);
}

function retryAll(valid: { message: Message<unknown> }[], err: unknown): void {
  for (const { message } of valid) {
    console.error(
      JSON.stringify({
        msg: 'usage write failed; retrying',
        id: message.id,
        attempt: message.attempts,
        error: String(err),
      }),
    );
    message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
  }
}
