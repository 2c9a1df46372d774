// Exact metering (metering and pricing), per client protocol, streamed and not: the provider's own usage —
// read from
// the answer the client received, in that protocol's convention — is what the D1 event and the
// daily rollup hold, every token class, and the cost is those classes at their prices, computed
// here independently of the gateway's pricing code.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, call, eventually, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();
const SECRET = 'mx-provider-usage';
// Large enough that every class moves the cost by many micro-units.
const CACHED = 3_000;
const WRITE = 2_000;
const REASONING = 4_000;
const SEARCHES = 2;
// Per million tokens: input 3, output 15, cached read 0.3, cache write 3.75, reasoning 20; and
// $0.01 (10 000 micro-units) per web search.
const RATES = { input: 3, output: 15, cachedRead: 0.3, cacheWrite: 3.75, reasoning: 20 };
const PER_SEARCH = 10_000;

interface Tokens {
  prompt: number;
  completion: number;
  cachedRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** Independent cost: plain input and plain output at their rates, each class at its own. */
function cost(t: Tokens, searches: number): number {
  const micros =
    searches * PER_SEARCH +
    (t.prompt - t.cachedRead - t.cacheWrite) * RATES.input +
    t.cachedRead * RATES.cachedRead +
    t.cacheWrite * RATES.cacheWrite +
    (t.completion - t.reasoning) * RATES.output +
    t.reasoning * RATES.reasoning;
  return Math.round(micros);
}

// biome-ignore lint/suspicious/noExplicitAny: provider JSON, read by its documented field names
type Json = Record<string, any>;

/** Each protocol's usage object, normalized by that protocol's documented convention. */
const normalize = {
  chat: (u: Json): Tokens => ({
    prompt: u['prompt_tokens'],
    completion: u['completion_tokens'],
    cachedRead: u['prompt_tokens_details']?.cached_tokens ?? 0,
    cacheWrite: u['prompt_tokens_details']?.cache_write_tokens ?? 0,
    reasoning: u['completion_tokens_details']?.reasoning_tokens ?? 0,
  }),
  responses: (u: Json): Tokens => ({
    prompt: u['input_tokens'],
    completion: u['output_tokens'],
    cachedRead: u['input_tokens_details']?.cached_tokens ?? 0,
    cacheWrite: u['input_tokens_details']?.cache_write_tokens ?? 0,
    reasoning: u['output_tokens_details']?.reasoning_tokens ?? 0,
  }),
  // Anthropic's input_tokens exclude cache reads and writes; thinking is inside output_tokens.
  anthropic: (u: Json): Tokens => ({
    prompt: u['input_tokens'] + u['cache_read_input_tokens'] + u['cache_creation_input_tokens'],
    completion: u['output_tokens'],
    cachedRead: u['cache_read_input_tokens'],
    cacheWrite: u['cache_creation_input_tokens'],
    reasoning: 0,
  }),
  // Gemini's promptTokenCount includes cached content; thoughts are counted beside candidates.
  gemini: (u: Json): Tokens => ({
    prompt: u['promptTokenCount'],
    completion: u['candidatesTokenCount'] + (u['thoughtsTokenCount'] ?? 0),
    cachedRead: u['cachedContentTokenCount'] ?? 0,
    cacheWrite: 0,
    reasoning: u['thoughtsTokenCount'] ?? 0,
  }),
};

const sseData = (text: string): Json[] =>
  text
    .split(/\r?\n\r?\n/)
    .map((e) => e.split(/\r?\n/).find((l) => l.startsWith('data: ')))
    .filter((l): l is string => l !== undefined && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);

/** The provider's usage as the client received it (the last report in a stream). */
const reported = {
  chat: (body: string, stream: boolean) =>
    stream ? sseData(body).findLast((e) => e['usage'])?.['usage'] : JSON.parse(body).usage,
  responses: (body: string, stream: boolean) =>
    stream
      ? sseData(body).find((e) => e['type'] === 'response.completed')?.['response'].usage
      : JSON.parse(body).usage,
  anthropic: (body: string, stream: boolean) => {
    if (!stream) return JSON.parse(body).usage;
    const events = sseData(body);
    const start = events.find((e) => e['type'] === 'message_start')?.['message'].usage;
    const delta = events.findLast((e) => e['type'] === 'message_delta')?.['usage'];
    return { ...start, ...delta };
  },
  gemini: (body: string, stream: boolean) =>
    stream
      ? sseData(body).findLast((e) => e['usageMetadata'])?.['usageMetadata']
      : JSON.parse(body).usageMetadata,
};

/** Web searches the provider reported: Anthropic counts them in usage, Responses lists them. */
const searchesIn = {
  chat: () => 0,
  gemini: () => 0,
  anthropic: (usage: Json) => usage['server_tool_use']?.web_search_requests ?? 0,
  responses: (_usage: Json, body: string, stream: boolean) => {
    const response = stream
      ? sseData(body).find((e) => e['type'] === 'response.completed')?.['response']
      : JSON.parse(body);
    return (response.output as Json[]).filter((item) => item['type'] === 'web_search_call').length;
  },
};

type Protocol = keyof typeof normalize;

function send(protocol: Protocol, model: string, stream: boolean): Promise<Response> {
  const auth = { authorization: `Bearer ${key}` };
  const text = `count every token of the ${protocol} answer`;
  switch (protocol) {
    case 'chat':
      return call('/v1/chat/completions', {
        method: 'POST',
        headers: auth,
        // A streamed chat answer carries usage only when asked for.
        json: {
          model,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
          messages: [{ role: 'user', content: text }],
        },
      });
    case 'responses':
      return call('/v1/responses', { method: 'POST', headers: auth, json: { model, stream, input: text } });
    case 'anthropic':
      return call('/v1/messages', {
        method: 'POST',
        headers: { ...auth, 'anthropic-version': '2023-06-01' },
        json: { model, stream, max_tokens: 64, messages: [{ role: 'user', content: text }] },
      });
    case 'gemini':
      return call(`/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, {
        method: 'POST',
        headers: auth,
        json: { contents: [{ role: 'user', parts: [{ text }] }] },
      });
  }
}

const cases = (['chat', 'responses', 'anthropic', 'gemini'] as const).flatMap((protocol) =>
  [false, true].map((stream) => ({
    protocol,
    stream,
    model: `mx-${protocol}-${stream ? 'stream' : 'whole'}`,
  })),
);

beforeAll(async () => {
  await fetch(`${fakeUrl}/__fake/script`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      key: SECRET,
      behaviours: [
        {
          usage: {
            cachedTokens: CACHED,
            cacheWriteTokens: WRITE,
            reasoningTokens: REASONING,
            webSearches: SEARCHES,
          },
        },
      ],
    }),
  });
  const upstream = (provider: 'openai' | 'anthropic' | 'gemini', base: string) => ({
    id: `mx-${provider}`,
    provider,
    base_url: base,
    key_env: 'MX',
  });
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'mx-org',
          name: 'Metering',
          timezone: 'UTC',
          policy: {
            level_mapper: { 'mx-chat-*': 31, 'mx-responses-*': 31, 'mx-anthropic-*': 32, 'mx-gemini-*': 33 },
          },
        },
      ],
      levels: [
        { id: 31, name: 'openai', keys: [upstream('openai', `${fakeUrl}/v1`)] },
        { id: 32, name: 'anthropic', keys: [upstream('anthropic', fakeUrl)] },
        { id: 33, name: 'gemini', keys: [upstream('gemini', fakeUrl)] },
      ],
      prices: cases.map((c) => ({
        model: c.model,
        input: String(RATES.input),
        output: String(RATES.output),
        cached_read: String(RATES.cachedRead),
        cache_write: String(RATES.cacheWrite),
        reasoning: String(RATES.reasoning),
        per_web_search: String(PER_SEARCH / 1_000_000),
      })),
      gateway_keys: [{ id: 'mx-key', account: 'mx-org', name: 'k', key_env: 'K' }],
    },
    {
      gatewayKeys: { 'mx-key': key },
      upstreamKeys: { 'mx-openai': SECRET, 'mx-anthropic': SECRET, 'mx-gemini': SECRET },
    },
  );
});

describe('exact metering per protocol', () => {
  it.each(cases)('$protocol, stream: $stream', async ({ protocol, stream, model }) => {
    const res = await send(protocol, model, stream);
    expect(res.status).toBe(200);
    const body = await res.text();
    const usage = reported[protocol](body, stream);
    expect(usage).toBeDefined();
    const tokens = normalize[protocol](usage);
    // The scripted classes made it through the provider's answer (the check is not vacuous).
    expect(tokens.cachedRead).toBe(CACHED);
    if (protocol !== 'gemini') expect(tokens.cacheWrite).toBe(WRITE);
    if (protocol !== 'anthropic') expect(tokens.reasoning).toBe(REASONING);
    const searches = searchesIn[protocol](usage, body, stream);
    if (protocol === 'anthropic' || protocol === 'responses') expect(searches).toBe(SEARCHES);
    const expected = {
      prompt_tokens: tokens.prompt,
      completion_tokens: tokens.completion,
      cached_read_tokens: tokens.cachedRead,
      cache_write_tokens: tokens.cacheWrite,
      reasoning_tokens: tokens.reasoning,
      web_search_calls: searches,
      cost_micros: cost(tokens, searches),
    };

    const requestId = res.headers.get('x-request-id');
    const event = await eventually(
      async () =>
        (await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?')
          .bind(requestId)
          .first<Record<string, unknown> & { day: string }>()) ?? undefined,
    );
    expect(event).toMatchObject({ ...expected, estimated: 0, unpriced: 0, model });
    const rollup = await env.DB.prepare(
      "SELECT * FROM usage_daily WHERE account_id = 'mx-org' AND model = ? AND day = ?",
    )
      .bind(model, event.day)
      .first();
    expect(rollup).toMatchObject({ ...expected, requests: 1, errors: 0 });
  });
});
