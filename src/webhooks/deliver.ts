// Webhook delivery (usage pipeline), at least once. Emitting an event writes one delivery row per subscribed
// endpoint of the event's account or an ancestor (an org receives its subtree's events), keyed by
// (event id, endpoint): emitting the same event twice delivers it once per endpoint. Deliveries are
// attempted at once and, until one is answered 2xx, again by the scheduled job with exponential
// backoff (1 min doubling to 6 h, 10 attempts). Every attempt sends the same body and event id, so
// a receiver de-duplicates by `switchyard-event-id`.
import { decryptSecret } from '../crypto/secrets';
import { type Clock, systemClock } from '../lib/clock';
import { keyRing } from '../state/keyring';
import { eventBody, type GatewayEvent } from './catalogue';
import { signatureHeader } from './signing';

export const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 6 * 3_600_000;
const TIMEOUT_MS = 10_000;

export function backoffMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

const EMIT = `INSERT OR IGNORE INTO webhook_deliveries
  (id, event_id, endpoint_id, type, body, status, attempts, next_attempt_at, created_at)
SELECT 'whd_' || lower(hex(randomblob(12))), ?1, e.id, ?2, ?3, 'pending', 0, ?4, ?4
FROM webhook_endpoints e JOIN accounts a ON a.id = e.account_id
WHERE e.status = 'active' AND substr(?5, 1, length(a.path)) = a.path
  AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value IN ('*', ?2))`;

/** Records the event's deliveries; returns how many endpoints it is new for. */
export async function emitEvent(db: D1Database, event: GatewayEvent): Promise<number> {
  const res = await db
    .prepare(EMIT)
    .bind(event.id, event.type, eventBody(event), event.at, event.accountPath)
    .run();
  return res.meta.changes ?? 0;
}

/**
 * Emits and attempts the new deliveries right away (the cron retries what fails). Never throws:
 * an event is a side effect of a change that already happened.
 */
export async function publish(env: Env, event: GatewayEvent): Promise<void> {
  try {
    if ((await emitEvent(env.DB, event)) > 0) await deliverDue(env, event.at, event.id);
  } catch (err) {
    console.error(
      JSON.stringify({ msg: 'webhook event not recorded', type: event.type, error: String(err) }),
    );
  }
}

/** Grants of active plans that end within this long get a `plan.expiring` event. */
export const EXPIRING_WITHIN_MS = 3 * 86_400_000;

interface DueRow {
  id: string;
  event_id: string;
  body: string;
  attempts: number;
  url: string;
  secret_ciphertext: string;
  kek_id: string;
  previous_secret_ciphertext: string | null;
  previous_kek_id: string | null;
  previous_expires_at: number | null;
}

/** Sends every pending delivery that is due (of one event, when `eventId` is given). */
export async function deliverDue(
  env: Env,
  now: number,
  eventId?: string,
  clock: Pick<Clock, 'now'> = systemClock,
): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT d.id, d.event_id, d.body, d.attempts, e.url, e.secret_ciphertext, e.kek_id,
       e.previous_secret_ciphertext, e.previous_kek_id, e.previous_expires_at
     FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND (?2 IS NULL OR d.event_id = ?2)
     ORDER BY d.next_attempt_at LIMIT 100`,
  )
    .bind(now, eventId ?? null)
    .all<DueRow>();
  let delivered = 0;
  for (const row of results) if (await attempt(env, row, now, clock)) delivered++;
  return delivered;
}

/** One delivery attempt; `clock` stamps the signature and the delivery (the send itself takes time). */
async function attempt(env: Env, row: DueRow, now: number, clock: Pick<Clock, 'now'>): Promise<boolean> {
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const ring = await keyRing(env);
    const secrets = [await decryptSecret(ring, row.secret_ciphertext, row.kek_id)];
    if (row.previous_secret_ciphertext && row.previous_kek_id && (row.previous_expires_at ?? 0) > now)
      secrets.push(await decryptSecret(ring, row.previous_secret_ciphertext, row.previous_kek_id));
    const timestamp = Math.floor(clock.now() / 1_000);
    const res = await fetch(row.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'switchyard-webhooks',
        'switchyard-event-id': row.event_id,
        'switchyard-timestamp': String(timestamp),
        'switchyard-signature': await signatureHeader(secrets, timestamp, row.body),
      },
      body: row.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    statusCode = res.status;
    await res.body?.cancel();
    if (!res.ok) error = `answered ${res.status}`;
  } catch (err) {
    // The URL may carry a token: keep the error's name and message, never the URL.
    error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'delivery failed';
  }
  const attempts = row.attempts + 1;
  const ok = error === null;
  await env.DB.prepare(
    `UPDATE webhook_deliveries SET attempts = ?2, last_status_code = ?3, last_error = ?4,
       status = ?5, next_attempt_at = ?6, delivered_at = ?7 WHERE id = ?1`,
  )
    .bind(
      row.id,
      attempts,
      statusCode,
      error,
      ok ? 'delivered' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      now + backoffMs(attempts),
      ok ? clock.now() : null,
    )
    .run();
  return ok;
}
