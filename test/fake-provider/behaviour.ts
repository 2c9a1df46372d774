// Fault-injection behaviours for the fake provider, and how they are chosen for a request.
// Pure: no I/O, so the parser and the script queues are unit tested directly.

/** What the fake does with one request. An empty object is a normal, successful answer. */
export interface Behaviour {
  /** Non-2xx answers with that provider's error shape; 2xx sets the success status. */
  status?: number;
  /** Seconds, sent as the Retry-After header on an error answer. */
  retryAfter?: number;
  /** Wait this long before sending the status line and headers. */
  firstByteDelayMs?: number;
  /** Wait this long before every stream event after the first. */
  chunkDelayMs?: number;
  /** Streaming only: destroy the socket once this many SSE events were written. */
  cutAfterChunks?: number;
  /** Assistant text to return instead of the default echo. */
  text?: string;
  /**
   * When the model would call a tool: call this one (it must be among the request's tools) with
   * these arguments, instead of the first tool with sample arguments.
   */
  tool?: { name: string; args: Record<string, unknown> };
  /** Answer in text even when the request offers tools (a one-shot turn of an agent). */
  noTools?: boolean;
  /** Extra token classes to report on top of the word-count usage. */
  usage?: {
    cachedTokens?: number;
    cacheWriteTokens?: number;
    reasoningTokens?: number;
    webSearches?: number;
  };
  /** Split the reply text into this many content deltas (default: one per word). */
  chunks?: number;
  /** OpenAI chat: report no usage at all, like servers that ignore `stream_options.include_usage`. */
  noUsage?: boolean;
}

export class BehaviourKeyError extends Error {
  override name = 'BehaviourKeyError';
}

const NON_NEGATIVE_INT = /^\d+$/;

function intAfter(tokens: string[], i: number, key: string, what: string): number {
  const raw = tokens[i + 1];
  if (raw === undefined || !NON_NEGATIVE_INT.test(raw)) {
    throw new BehaviourKeyError(`fake provider: '${key}' needs a number after '${what}'`);
  }
  return Number(raw);
}

/**
 * Reads the behaviour a credential asks for.
 *
 * Keys not starting with `fake-` are ordinary keys and get the default behaviour. A `fake-` key is a
 * dash-separated list of tokens, so behaviours compose (`fake-slow-200-cut-3`):
 *   ok            default
 *   NNN           that HTTP status (400..599); 429 also gets Retry-After 1 unless `raN` follows
 *   raN           Retry-After N seconds
 *   slow-N        firstByteDelayMs N
 *   drip-N        chunkDelayMs N
 *   cut-N         cutAfterChunks N
 *   chunks-N      split the reply into N deltas
 *   nousage       OpenAI chat answers carry no usage (streamed or not)
 * Any other `fake-` key throws: a typo must not silently behave like `fake-ok` (fakes fail closed).
 */
export function parseBehaviourKey(key: string): Behaviour {
  if (!key.startsWith('fake-')) return {};
  const tokens = key.slice('fake-'.length).split('-');
  const b: Behaviour = {};
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (t === 'ok') continue;
    if (t === 'nousage') {
      b.noUsage = true;
      continue;
    }
    if (/^\d{3}$/.test(t)) {
      const status = Number(t);
      if (status < 400 || status > 599) {
        throw new BehaviourKeyError(`fake provider: '${key}' status must be 400..599`);
      }
      b.status = status;
      if (status === 429 && b.retryAfter === undefined) b.retryAfter = 1;
      continue;
    }
    const ra = /^ra(\d+)$/.exec(t);
    if (ra) {
      b.retryAfter = Number(ra[1]);
      continue;
    }
    if (t === 'slow' || t === 'drip' || t === 'cut' || t === 'chunks') {
      const n = intAfter(tokens, i, key, t);
      i++;
      if (t === 'slow') b.firstByteDelayMs = n;
      else if (t === 'drip') b.chunkDelayMs = n;
      else if (t === 'cut') b.cutAfterChunks = n;
      else b.chunks = Math.max(1, n);
      continue;
    }
    throw new BehaviourKeyError(`fake provider: unrecognised behaviour key '${key}' (token '${t}')`);
  }
  return b;
}

type Check = (v: unknown) => boolean;
const isCount: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const FIELDS: Record<string, Check> = {
  status: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599,
  retryAfter: isCount,
  firstByteDelayMs: isCount,
  chunkDelayMs: isCount,
  cutAfterChunks: isCount,
  text: (v) => typeof v === 'string',
  tool: (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { name?: unknown }).name === 'string' &&
    typeof (v as { args?: unknown }).args === 'object' &&
    (v as { args?: unknown }).args !== null,
  chunks: (v) => isCount(v) && (v as number) >= 1,
  noUsage: (v) => typeof v === 'boolean',
  noTools: (v) => typeof v === 'boolean',
  usage: (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(v).every(
      ([k, n]) =>
        ['cachedTokens', 'cacheWriteTokens', 'reasoningTokens', 'webSearches'].includes(k) && isCount(n),
    ),
};

/** Validates a behaviour sent over HTTP (`POST /__fake/script`); returns an error message or null. */
export function validateBehaviour(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'behaviour must be an object';
  for (const [k, val] of Object.entries(v)) {
    const check = FIELDS[k];
    if (!check) return `unknown behaviour field '${k}'`;
    if (!check(val)) return `invalid value for behaviour field '${k}'`;
  }
  return null;
}

/**
 * Per-key queues of scripted behaviours. Each request takes the next behaviour; the last one is
 * never removed, so it repeats forever (a script of [429, ok] is "fail once, then succeed").
 */
export class ScriptBook {
  readonly #queues = new Map<string, Behaviour[]>();

  /** Replaces the script of `key`; an empty list removes it (the key is parsed again). */
  set(key: string, behaviours: Behaviour[]): void {
    if (behaviours.length === 0) this.#queues.delete(key);
    else
      this.#queues.set(
        key,
        behaviours.map((b) => ({ ...b })),
      );
  }

  /** The behaviour for the next request with `key`, or undefined when `key` has no script. */
  take(key: string): Behaviour | undefined {
    const q = this.#queues.get(key);
    if (!q) return undefined;
    const b = q.length > 1 ? q.shift() : q[0];
    return b ? { ...b } : undefined;
  }

  clear(): void {
    this.#queues.clear();
  }
}

/** Script first, else the key itself. Throws BehaviourKeyError for an unrecognised `fake-` key. */
export function resolveBehaviour(book: ScriptBook, key: string): Behaviour {
  return book.take(key) ?? parseBehaviourKey(key);
}
