// The gateway's response store ("Responses state works whichever provider serves the model"):
// `store: true` answers of Responses requests translated for another provider are kept in D1, so
// `previous_response_id`, `item_reference` and `GET /v1/responses/{id}` work for them too.
//
// Why D1: a conversation is a chain of rows read together, which one recursive query returns in
// order; rows are scoped by account with a plain WHERE; expiry is an indexed DELETE in the
// scheduled job. Limits: a D1 row holds at most 2 MB, so a turn whose items and response together
// exceed STORE_MAX_BYTES is not stored (it is logged; a later reference to it is a clear 400); a
// conversation is read whole on every turn that continues it, like the upstream reads it.
// Writes happen after the answer is complete, in the request's waitUntil task, off the client's
// path. Nothing here is metered: the turn that used stored items is metered once, as the upstream
// reported it.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { IRRequest, IRResponse } from '../bridge/ir';
import type { JsonRecord } from '../bridge/read';
import { itemFromIR, namingOf, responsesResponseFromIR } from '../providers/openai-responses/response';
import {
  expandStored,
  hasStoredRefs,
  inputItems,
  newStoredResponseId,
  storedRefs,
  wantsStore,
} from '../providers/openai-responses/state';

export const DEFAULT_TTL_DAYS = 30;
/** Below D1's 2 MB row limit, with room for the other columns. */
export const STORE_MAX_BYTES = 1_900_000;

/** Writes in flight in this isolate, by response id (a continuation waits for its row). */
const pendingWrites = new Map<string, Promise<void>>();
/** Retries for a referenced row written by another isolate a moment ago (about 0.6 s in all). */
const WRITE_GRACE_MS = [100, 200, 300];

export interface PreparedTurn {
  /** The body to send: stored references inlined when there were any, else the client's. */
  body: JsonRecord;
  /** The turn's own input items, references expanded. */
  turnItems: unknown[];
  /** The stored response this turn continues. */
  previousId: string | null;
}

/** The response store as one request of one account sees it. */
export interface Conversation {
  prepare(body: JsonRecord): Promise<PreparedTurn>;
  /** The id to answer under when the answer will be stored (a translated `store` request), else null. */
  storedId(body: JsonRecord): string | null;
  /** Keeps a completed answer (in the background). */
  save(turn: PreparedTurn, id: string, request: IRRequest, answer: IRResponse): void;
}

export function responsesConversation(c: Context<AppEnv>): Conversation {
  const db = c.env.DB;
  const accountId = c.get('auth').accountId;
  const ttlDays = Number(c.env.RESPONSE_STORE_TTL_DAYS) || DEFAULT_TTL_DAYS;
  let id: string | undefined;
  return {
    async prepare(body) {
      const refs = storedRefs(body);
      const previousId = refs.previous;
      if (!hasStoredRefs(refs)) return { body, turnItems: inputItems(body), previousId };
      const wanted = [...(previousId ? [previousId] : []), ...refs.itemSources];
      const load = async () => {
        const now = Date.now();
        return Promise.all([
          previousId ? loadChain(db, accountId, previousId, now) : Promise.resolve(null),
          loadItems(db, accountId, refs.itemSources, now),
        ]);
      };
      // A client may continue the moment the answer ended, before its row is written: wait for a
      // write this isolate is doing, then give one made elsewhere a moment.
      await Promise.all(wanted.map((w) => pendingWrites.get(w)));
      let [chain, items] = await load();
      for (const delay of WRITE_GRACE_MS) {
        const missing =
          (previousId !== null && chain === null) || refs.itemSources.some((r) => !items.has(r));
        if (!missing) break;
        await new Promise((r) => setTimeout(r, delay));
        [chain, items] = await load();
      }
      const expanded = expandStored(body, chain, items);
      return { body: expanded.body, turnItems: expanded.turnItems, previousId };
    },
    storedId(body) {
      if (!wantsStore(body)) return null;
      id ??= newStoredResponseId();
      return id;
    },
    save(turn, responseId, request, answer) {
      if (answer.stopReason === 'error') return;
      const now = Date.now();
      const naming = namingOf({ request, responseId });
      const output = answer.content.map((p, i) => itemFromIR(p, i, naming));
      const response = {
        ...responsesResponseFromIR(answer, { now: () => now, request, responseId }),
        store: true,
        previous_response_id: turn.previousId,
      };
      const row = {
        id: responseId,
        accountId,
        previousId: turn.previousId,
        model: answer.model || request.model,
        items: JSON.stringify([...turn.turnItems, ...output]),
        response: JSON.stringify(response),
        createdAt: now,
        expiresAt: now + ttlDays * 86_400_000,
      };
      if (row.items.length + row.response.length > STORE_MAX_BYTES) {
        console.warn(JSON.stringify({ msg: 'response too large to store', id: responseId }));
        return;
      }
      const write = saveRow(db, row)
        .catch((err: unknown) =>
          console.error(
            JSON.stringify({ msg: 'response store write failed', id: responseId, error: String(err) }),
          ),
        )
        .finally(() => pendingWrites.delete(responseId));
      pendingWrites.set(responseId, write);
      c.executionCtx.waitUntil(write);
    },
  };
}

interface Row {
  id: string;
  accountId: string;
  previousId: string | null;
  model: string;
  items: string;
  response: string;
  createdAt: number;
  expiresAt: number;
}

async function saveRow(db: D1Database, r: Row): Promise<void> {
  await db
    .prepare(
      `INSERT OR REPLACE INTO stored_responses (id, account_id, previous_id, model, items, response, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(r.id, r.accountId, r.previousId, r.model, r.items, r.response, r.createdAt, r.expiresAt)
    .run();
}

/** Every item of the conversation ending at `id`, oldest turn first; null when `id` is not stored. */
export async function loadChain(
  db: D1Database,
  accountId: string,
  id: string,
  now: number,
): Promise<unknown[] | null> {
  const { results } = await db
    .prepare(
      `WITH RECURSIVE chain(id, previous_id, items, depth) AS (
         SELECT id, previous_id, items, 0 FROM stored_responses WHERE id = ?1 AND account_id = ?2 AND expires_at > ?3
         UNION ALL
         SELECT s.id, s.previous_id, s.items, chain.depth + 1 FROM stored_responses s
         JOIN chain ON s.id = chain.previous_id WHERE s.account_id = ?2 AND s.expires_at > ?3
       )
       SELECT items FROM chain ORDER BY depth DESC`,
    )
    .bind(id, accountId, now)
    .all<{ items: string }>();
  if (results.length === 0) return null;
  return results.flatMap((r) => JSON.parse(r.items) as unknown[]);
}

async function loadItems(
  db: D1Database,
  accountId: string,
  ids: string[],
  now: number,
): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  if (ids.length === 0) return out;
  const { results } = await db
    .prepare(
      `SELECT id, items FROM stored_responses WHERE account_id = ? AND expires_at > ? AND id IN (${ids.map(() => '?').join(', ')})`,
    )
    .bind(accountId, now, ...ids)
    .all<{ id: string; items: string }>();
  for (const r of results) out.set(r.id, JSON.parse(r.items) as unknown[]);
  return out;
}

/** The stored response object, or null (unknown, expired or another account's). */
export async function storedResponse(
  db: D1Database,
  accountId: string,
  id: string,
  now: number,
): Promise<JsonRecord | null> {
  const row = await db
    .prepare('SELECT response FROM stored_responses WHERE id = ? AND account_id = ? AND expires_at > ?')
    .bind(id, accountId, now)
    .first<{ response: string }>();
  return row ? (JSON.parse(row.response) as JsonRecord) : null;
}

/** Deletes one stored response of the account; whether it existed. */
export async function deleteStoredResponse(db: D1Database, accountId: string, id: string): Promise<boolean> {
  const r = await db
    .prepare('DELETE FROM stored_responses WHERE id = ? AND account_id = ?')
    .bind(id, accountId)
    .run();
  return (r.meta.changes ?? 0) > 0;
}

/** Scheduled job: stored responses past their expiry are deleted. */
export async function expireStoredResponses(db: D1Database, now: number): Promise<number> {
  const r = await db.prepare('DELETE FROM stored_responses WHERE expires_at <= ?').bind(now).run();
  return r.meta.changes ?? 0;
}
