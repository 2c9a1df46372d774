// Token estimates with a tokenizer (C8), for counts no provider reports: count_tokens answered for
// a provider without such an endpoint, embeddings and generations whose provider reports no usage. Always
// cl100k_base (gpt-tokenizer): the exact count differs per model family, so callers flag results
// as estimates. Loaded on first use, so the large BPE table costs nothing on the hot path.
/** Framing tokens per message a chat model adds around each turn (OpenAI's documented 3). */
export const TOKENS_PER_MESSAGE = 3;

let loaded: Promise<(text: string) => number> | undefined;

function tokenizer(): Promise<(text: string) => number> {
  loaded ??= import('gpt-tokenizer/encoding/cl100k_base').then((m) => (text: string) => m.countTokens(text));
  return loaded;
}

/** Tokens of the texts, plus `perItem` for the framing each carries (message headers and the like). */
export async function estimateTokens(texts: string[], perItem = 0): Promise<number> {
  const count = await tokenizer();
  let total = 0;
  for (const text of texts) total += count(text) + perItem;
  return total;
}
