// Token estimates with a tokenizer (metering and pricing), for counts no provider reports: count_tokens
// answered for
// a provider without such an endpoint, embeddings and generations whose provider reports no usage. Always
// cl100k_base (gpt-tokenizer): the exact count differs per model family, so callers flag results
// as estimates. Loaded on first use, so the large BPE table costs nothing on the hot path.
//
// Bounded in time for any input (performance): cl100k's BPE is super-linear on a long run without a
// pre-tokenizer split (one character repeated: 10k chars 70 ms, 80k 4 s), and the isolate serves
// every tenant. So text is counted in pieces of at most PIECE_CHARS (cut at whitespace when there is
// some), and only the first EXACT_CHARS of a request's texts are counted at all; the rest counts one
// token per UTF-8 byte. A cl100k token is never shorter than one byte, so that part is an
// over-estimate, never an under-count.
/** Framing tokens per message a chat model adds around each turn (OpenAI's documented 3). */
export const TOKENS_PER_MESSAGE = 3;

/** Characters of a request's texts counted with the tokenizer; beyond, one token per UTF-8 byte. */
export const EXACT_CHARS = 64 * 1024;
/** The tokenizer never sees more than this at once, so its cost per piece is bounded. */
export const PIECE_CHARS = 1024;

type Count = (text: string) => number;
let loaded: Promise<Count> | undefined;

function tokenizer(): Promise<Count> {
  loaded ??= Promise.all([
    import('gpt-tokenizer/GptEncoding'),
    import('gpt-tokenizer/data/cl100k_base.tiktoken'),
  ]).then(([{ GptEncoding }, table]) => {
    const ranks = bpeRanks(table.default);
    const api = GptEncoding.getEncodingApi('cl100k_base', () => ranks);
    return (text: string) => api.countTokens(text);
  });
  return loaded;
}

/**
 * A `.tiktoken` table (one `base64-token rank` per line) as gpt-tokenizer's rank list: the token
 * as a string where its bytes are valid UTF-8, else its bytes — the shape of the package's own
 * JS table, which the bundle no longer carries (wrangler.toml says why).
 */
export function bpeRanks(table: string): (string | number[])[] {
  const ranks: (string | number[])[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for (const line of table.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const binary = atob(line.slice(0, space));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    // Bytes where they are not valid UTF-8, or start with a byte-order mark (which a decoder
    // strips): as in the package's table.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    let token: string | number[];
    try {
      token = bom ? [...bytes] : utf8.decode(bytes);
    } catch {
      token = [...bytes];
    }
    ranks[Number(line.slice(space + 1))] = token;
  }
  return ranks;
}

/** UTF-8 length without encoding (a surrogate pair is 4 bytes, its halves 2 each). */
export function utf8Bytes(text: string, from = 0): number {
  let bytes = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return bytes;
}

/** Where to end a piece starting at `start`: after the last whitespace in range, never mid-pair. */
function pieceEnd(text: string, start: number): number {
  const limit = start + PIECE_CHARS;
  if (limit >= text.length) return text.length;
  for (let i = limit; i > start + PIECE_CHARS / 2; i--) {
    const c = text.charCodeAt(i - 1);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) return i;
  }
  const c = text.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

/** A counter bound to the loaded tokenizer (sync, for code that must count inside a sync step). */
export type TokenCounter = (texts: readonly string[], perItem?: number) => number;

function counterOf(count: Count): TokenCounter {
  return (texts, perItem = 0) => {
    let budget = EXACT_CHARS;
    let total = 0;
    for (const text of texts) {
      total += perItem;
      let at = 0;
      while (at < text.length && budget > 0) {
        const end = Math.min(pieceEnd(text, at), at + budget);
        total += count(text.slice(at, end));
        budget -= end - at;
        at = end;
      }
      if (at < text.length) total += utf8Bytes(text, at);
    }
    return total;
  };
}

/** Loads the tokenizer (once per isolate) and returns the bounded counter. */
export async function tokenCounter(): Promise<TokenCounter> {
  return counterOf(await tokenizer());
}

/** Tokens of the texts, plus `perItem` for the framing each carries (message headers and the like). */
export async function estimateTokens(texts: readonly string[], perItem = 0): Promise<number> {
  return (await tokenCounter())(texts, perItem);
}
