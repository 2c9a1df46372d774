// Different protocols in and out (protocol bridge): requests, answers and streams translated through the
// bridge
// IR in both directions, usage recorded exactly from the upstream's report, and a broken upstream
// stream ended with a clean error event in the CLIENT's protocol.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, newKey } from './helpers';
import {
  K,
  post,
  protocolPolicy,
  protocolUpstreamKeys,
  R,
  scriptUsage,
  sseEvents,
  tokens,
  upstreamSecrets,
  usageOf,
  X,
} from './protocols-fixtures';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

interface Seen {
  requests: { path: string; key: string; body: Record<string, unknown> }[];
}

async function lastUpstream(secret: string) {
  const seen = (await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as Seen;
  return seen.requests.filter((r) => r.key === secret).at(-1);
}

beforeAll(async () => {
  await scriptUsage(fakeUrl);
  await applyPolicy(protocolPolicy(fakeUrl, 'tr-org'), {
    gatewayKeys: { 'tr-org-key': key },
    upstreamKeys: protocolUpstreamKeys,
  });
});

// Usage each upstream reports for a 3-word prompt and the 4-word echo (the fake's rules).
const fromAnthropic = { prompt: 3 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: X, reasoning: 0 };
const fromCompat = { prompt: 3 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: X, reasoning: R };
const fromGemini = { prompt: 3 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: 0, reasoning: R };

describe('OpenAI chat client → anthropic upstream', () => {
  const body = { model: 'alias-claude', messages: [{ role: 'user', content: 'hello bridge world' }] };

  it('translates the request and the whole answer', async () => {
    const res = await post(key, '/v1/chat/completions', { ...body, max_tokens: 50 });
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      object: string;
      choices: { message: { content: string; reasoning_content?: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(json.object).toBe('chat.completion');
    expect(json.choices[0]?.message.content).toBe('Echo: hello bridge world');
    expect(json.choices[0]?.message.reasoning_content).toBe('Thinking about: hello bridge world');
    expect(json.choices[0]?.finish_reason).toBe('stop');
    expect(json.usage).toMatchObject({ prompt_tokens: 3 + K + X, completion_tokens: 4 + R });
    const seen = await lastUpstream(upstreamSecrets.anthropic);
    expect(seen?.path).toBe('/v1/messages');
    expect(seen?.body).toMatchObject({
      model: 'claude-mapped',
      max_tokens: 50,
      messages: [{ role: 'user' }],
    });
    const row = await usageOf(res);
    expect(tokens(row)).toEqual(fromAnthropic);
    expect(row).toMatchObject({
      client_protocol: 'openai',
      provider: 'anthropic',
      endpoint: '/v1/chat/completions',
    });
  });

  it('translates a stream chunk by chunk, with the usage chunk only when asked', async () => {
    const res = await post(key, '/v1/chat/completions', { ...body, stream: true });
    const events = sseEvents(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.data as { choices: { delta: { content?: string } }[] });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hello bridge world');
    expect(JSON.stringify(chunks)).not.toContain('"usage"');
    expect(tokens(await usageOf(res))).toEqual(fromAnthropic);

    const asked = await post(key, '/v1/chat/completions', {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(await asked.text()).toContain(`"prompt_tokens":${3 + K + X}`);
  });
});

describe('Anthropic client → openai-compatible upstream', () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ];

  it('answers in the Messages shape', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'compat-small',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hello bridge world' }],
    });
    const json = (await res.json()) as {
      type: string;
      content: { type: string; text: string }[];
      usage: object;
    };
    expect(json.type).toBe('message');
    expect(json.content).toEqual([{ type: 'text', text: 'Echo: hello bridge world' }]);
    expect(json.usage).toMatchObject({
      input_tokens: 3,
      cache_read_input_tokens: K,
      cache_creation_input_tokens: X,
    });
    expect(tokens(await usageOf(res))).toEqual(fromCompat);
  });

  it('streams a tool call as Anthropic events', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'compat-small',
      max_tokens: 64,
      stream: true,
      tools,
      messages: [{ role: 'user', content: 'weather in Paris' }],
    });
    const events = sseEvents(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      ...events.slice(2, -3).map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]?.data).toMatchObject({ content_block: { type: 'tool_use', name: 'get_weather' } });
    const json = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data as { delta: { partial_json: string } }).delta.partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'sample' });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
    const seen = await lastUpstream(upstreamSecrets.compat);
    expect(seen?.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });
  });

  it('is served by Azure OpenAI the same way', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'azure-gpt',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'hello bridge world' }],
    });
    const events = sseEvents(await res.text());
    expect(events.at(-1)?.event).toBe('message_stop');
    expect(await usageOf(res)).toMatchObject({ provider: 'azure-openai', completion_tokens: 4 + R });
  });

  it('ends a broken stream with an Anthropic error event and meters it', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'cut-model',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five six seven' }],
    });
    const events = sseEvents(await res.text());
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { type: 'error', error: { type: 'api_error', code: 'upstream_stream_interrupted' } },
    });
    expect(await usageOf(res)).toMatchObject({ status: 502, error_code: 'upstream_stream_interrupted' });
  });
});

describe('Gemini client → anthropic upstream', () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'hello bridge world' }] }] };

  it('answers generateContent in Gemini shape', async () => {
    const res = await post(key, '/v1beta/models/claude-mapped:generateContent', body);
    const json = (await res.json()) as {
      candidates: { content: { parts: { text: string; thought?: boolean }[] }; finishReason: string }[];
      usageMetadata: { promptTokenCount: number };
    };
    const parts = json.candidates[0]?.content.parts ?? [];
    expect(parts.filter((p) => !p.thought).map((p) => p.text)).toEqual(['Echo: hello bridge world']);
    expect(json.candidates[0]?.finishReason).toBe('STOP');
    expect(json.usageMetadata.promptTokenCount).toBe(3 + K + X);
    expect(tokens(await usageOf(res))).toEqual(fromAnthropic);
  });

  it('streams Gemini chunks with CRLF framing', async () => {
    const res = await post(key, '/v1beta/models/claude-mapped:streamGenerateContent?alt=sse', body);
    const text = await res.text();
    expect(text).toContain('\r\n\r\n');
    const chunks = sseEvents(text).map((e) => e.data as { candidates: { finishReason?: string }[] });
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    expect(tokens(await usageOf(res))).toEqual(fromAnthropic);
  });

  it('ends a broken stream with a Gemini error chunk', async () => {
    const res = await post(key, '/v1beta/models/cut-model:streamGenerateContent?alt=sse', {
      contents: [{ role: 'user', parts: [{ text: 'one two three four five six seven' }] }],
    });
    const chunks = sseEvents(await res.text());
    expect(chunks.at(-1)?.data).toMatchObject({ error: { code: 502, status: 'UNAVAILABLE' } });
  });
});

describe('Responses client (Codex) → anthropic and gemini upstreams', () => {
  it('streams a Responses event sequence from an Anthropic model', async () => {
    const res = await post(key, '/v1/responses', {
      model: 'claude-mapped',
      instructions: 'be brief',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello bridge world' }] }],
      stream: true,
      store: false,
    });
    const events = sseEvents(await res.text());
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['response.created', 'response.in_progress']);
    const done = events.at(-1);
    expect(done?.event).toBe('response.completed');
    expect(done?.data).toMatchObject({
      response: { status: 'completed', usage: { input_tokens: 5 + K + X, output_tokens: 4 + R } },
    });
    const texts = events.filter((e) => e.event === 'response.output_text.delta');
    expect(texts.map((e) => (e.data as { delta: string }).delta).join('')).toBe('Echo: hello bridge world');
  });

  it('answers a whole response from a Gemini model', async () => {
    const res = await post(key, '/v1/responses', { model: 'gemini-flash', input: 'hello bridge world' });
    const json = (await res.json()) as { object: string; status: string; output: { type: string }[] };
    expect(json).toMatchObject({ object: 'response', status: 'completed' });
    expect(json.output.map((o) => o.type)).toContain('message');
    expect(tokens(await usageOf(res))).toEqual(fromGemini);
  });

  it('ends a broken stream with response.failed', async () => {
    const res = await post(key, '/v1/responses', {
      model: 'cut-model',
      input: 'one two three four five six seven',
      stream: true,
    });
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toMatchObject({
      event: 'response.failed',
      data: { response: { status: 'failed' } },
    });
  });
});

describe('the mock provider, from every client protocol', () => {
  // Mock usage: prompt = words of every message, completion = words of "Mock reply from mock-a: hi there".
  const mockUsage = { prompt: 2, completion: 6, cachedRead: 0, cacheWrite: 0, reasoning: 0 };
  const cases: [string, string, Record<string, unknown>][] = [
    ['chat', '/v1/chat/completions', { model: 'mock-a', messages: [{ role: 'user', content: 'hi there' }] }],
    [
      'anthropic',
      '/v1/messages',
      { model: 'mock-a', max_tokens: 9, messages: [{ role: 'user', content: 'hi there' }] },
    ],
    ['responses', '/v1/responses', { model: 'mock-a', input: 'hi there' }],
    ['gemini', '/v1beta/models/mock-a:generateContent', { contents: [{ parts: [{ text: 'hi there' }] }] }],
  ];
  for (const [name, path, body] of cases) {
    it(`${name}, whole and streamed`, async () => {
      const res = await post(key, path, body);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Mock reply from mock-a: hi there');
      expect(tokens(await usageOf(res))).toEqual(mockUsage);
      const streamPath = path.replace(':generateContent', ':streamGenerateContent?alt=sse');
      const streamed = await post(key, streamPath, path === streamPath ? { ...body, stream: true } : body);
      const text = await streamed.text();
      expect(text).toContain('from');
      expect(tokens(await usageOf(streamed))).toEqual(mockUsage);
    });
  }
});
