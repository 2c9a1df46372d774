// Responses conversation state for models served through another protocol (the gateway's own
// response store; src/proxy/responses-store.ts keeps the rows). Pure: ids, which stored rows a
// request refers to, and the request with those references replaced by the stored items.
//
// A stored response's id is `resp_sy<hex>`, and its output items' ids embed it
// (`msg_sy<hex>_<index>`, `fc_…`, `ctc_…`, `rs_…`), so an `item_reference` names the response that
// holds the item without an index table. A row holds the items its turn added: the request's input
// (item references expanded) followed by the answer's output. `previous_response_id` stands for the
// whole chain of rows before it, in order; `instructions` are not carried over (as at OpenAI).
import { isRecord, type JsonRecord, unsupported } from '../../bridge/read';

export const STORED_PREFIX = 'resp_sy';
const ITEM_ID = /^(?:msg|fc|ctc|rs)_(sy[0-9a-f]+)_\d+$/;

export function newStoredResponseId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${STORED_PREFIX}${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export const isStoredResponseId = (id: string): boolean => /^resp_sy[0-9a-f]+$/.test(id);

/** The stored response an item id belongs to, or null for any other id. */
export function responseOfItem(itemId: string): string | null {
  const m = ITEM_ID.exec(itemId);
  return m ? `resp_${m[1]}` : null;
}

/** The request's input as a list of items (a string input is one user message). */
export function inputItems(body: JsonRecord): unknown[] {
  const input = body['input'];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input : [];
}

export interface StoredRefs {
  /** `previous_response_id` when it names a stored response. */
  previous: string | null;
  /** Responses whose items `item_reference` entries name. */
  itemSources: string[];
}

/** The stored rows a request needs; none when it refers to nothing the gateway stored. */
export function storedRefs(body: JsonRecord): StoredRefs {
  const prev = typeof body['previous_response_id'] === 'string' ? body['previous_response_id'] : null;
  const sources = new Set<string>();
  for (const item of inputItems(body)) {
    if (isRecord(item) && item['type'] === 'item_reference' && typeof item['id'] === 'string') {
      const owner = responseOfItem(item['id']);
      if (owner) sources.add(owner);
    }
  }
  return { previous: prev && isStoredResponseId(prev) ? prev : null, itemSources: [...sources] };
}

export const hasStoredRefs = (refs: StoredRefs): boolean =>
  refs.previous !== null || refs.itemSources.length > 0;

/**
 * The request with stored state inlined: the previous chain's items, then this request's input with
 * each item reference replaced by the item. `turnItems` is this request's own input, expanded (what
 * its row will hold). A reference the store does not hold (expired, another account's, never
 * stored) is a 400 naming it.
 */
export function expandStored(
  body: JsonRecord,
  chain: unknown[] | null,
  items: Map<string, unknown[]>,
): { body: JsonRecord; turnItems: unknown[] } {
  const refs = storedRefs(body);
  if (refs.previous !== null && chain === null) {
    throw unsupported(
      'previous_response_id',
      `response "${refs.previous}" is not in the gateway's response store (expired, or made with another key's account)`,
    );
  }
  const turnItems = inputItems(body).map((item, i) => {
    if (!isRecord(item) || item['type'] !== 'item_reference' || typeof item['id'] !== 'string') return item;
    const owner = responseOfItem(item['id']);
    const found = owner ? items.get(owner)?.find((s) => isRecord(s) && s['id'] === item['id']) : undefined;
    if (found === undefined) {
      throw unsupported(
        `input[${i}].id`,
        `item "${item['id']}" is not in the gateway's response store (expired, never stored, or another account's)`,
      );
    }
    return found;
  });
  const { previous_response_id: _prev, ...rest } = body;
  const out: JsonRecord = {
    ...rest,
    input: [...(refs.previous !== null ? (chain ?? []) : []), ...turnItems],
  };
  if (refs.previous === null && body['previous_response_id'] !== undefined) {
    // Not ours: left for the decoder (a Responses upstream's own id, refused when translating).
    out['previous_response_id'] = body['previous_response_id'];
  }
  return { body: out, turnItems };
}

/** Whether the answer is kept: Responses stores by default (`store` absent means true). */
export const wantsStore = (body: JsonRecord): boolean => body['store'] !== false;
