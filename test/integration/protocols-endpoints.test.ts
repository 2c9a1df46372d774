// The endpoints around generation (client protocols): embeddings (passthrough and translated), token counting
// (the provider's or a tokenizer estimate), model listings in each protocol's shape, Responses
// retrieval, images/audio/moderations relays — and errors in each caller's protocol shape.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, applyPolicy, call, newKey } from './helpers';
import {
  post,
  protocolPolicy,
  protocolUpstreamKeys,
  scriptUsage,
  sseEvents,
  usageOf,
} from './protocols-fixtures';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();
const auth = { authorization: `Bearer ${key}` };

beforeAll(async () => {
  await scriptUsage(fakeUrl);
  await applyPolicy(protocolPolicy(fakeUrl, 'ep-org'), {
    gatewayKeys: { 'ep-org-key': key },
    upstreamKeys: protocolUpstreamKeys,
  });
});

describe('embeddings', () => {
  it('relays OpenAI embeddings to an OpenAI-style upstream, usage as reported', async () => {
    const res = await post(key, '/v1/embeddings', { model: 'compat-embed', input: ['one two', 'three'] });
    const json = (await res.json()) as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
    expect(json.data).toHaveLength(2);
    expect(json.usage.prompt_tokens).toBe(3);
    expect(await usageOf(res)).toMatchObject({ prompt_tokens: 3, completion_tokens: 0, estimated: 0 });
  });

  it('translates OpenAI embeddings to Gemini, base64 when asked, usage estimated', async () => {
    const res = await post(key, '/v1/embeddings', {
      model: 'gemini-embed',
      input: 'hello world',
      encoding_format: 'base64',
      dimensions: 4,
    });
    const json = (await res.json()) as { data: { embedding: string }[]; usage: { prompt_tokens: number } };
    expect(typeof json.data[0]?.embedding).toBe('string');
    // 4 float32 values = 16 bytes = 24 base64 characters.
    expect(json.data[0]?.embedding).toHaveLength(24);
    expect(json.usage.prompt_tokens).toBe(2);
    expect(await usageOf(res)).toMatchObject({ prompt_tokens: 2, estimated: 1, provider: 'gemini' });
  });

  it('relays Gemini embedContent to Gemini and translates batchEmbedContents to OpenAI', async () => {
    const one = await post(key, '/v1beta/models/gemini-embed:embedContent', {
      content: { parts: [{ text: 'hello world' }] },
    });
    expect(((await one.json()) as { embedding: { values: number[] } }).embedding.values).toHaveLength(8);
    expect(await usageOf(one)).toMatchObject({ prompt_tokens: 2, estimated: 1 });

    const batch = await post(key, '/v1beta/models/compat-embed:batchEmbedContents', {
      requests: [
        { model: 'models/compat-embed', content: { parts: [{ text: 'a b c' }] } },
        { model: 'models/compat-embed', content: { parts: [{ text: 'd' }] } },
      ],
    });
    const json = (await batch.json()) as { embeddings: { values: number[] }[] };
    expect(json.embeddings).toHaveLength(2);
    expect(await usageOf(batch)).toMatchObject({
      prompt_tokens: 4,
      estimated: 0,
      provider: 'openai-compatible',
    });
  });

  it('relays OpenAI embeddings to an Azure deployment', async () => {
    const res = await post(key, '/v1/embeddings', { model: 'azure-embed', input: 'one two three' });
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(await usageOf(res)).toMatchObject({ provider: 'azure-openai', prompt_tokens: 3 });
  });

  it('refuses a model whose provider has no embeddings API', async () => {
    const res = await post(key, '/v1/embeddings', { model: 'claude-mapped', input: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_endpoint', param: 'model' } });
  });
});

describe('Gemini JSON-array streaming (streamGenerateContent without alt=sse)', () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'stream me please' }] }] };

  it.each([
    ['gemini-pro', 'gemini'],
    ['claude-mapped', 'anthropic'],
  ])('%s: one array element per chunk, the text and usage of the upstream (%s)', async (model, provider) => {
    for (const path of [
      `/v1beta/models/${model}:streamGenerateContent`,
      `/v1beta/models/${model}:streamGenerateContent?alt=json`,
    ]) {
      const res = await post(key, path, body);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      const raw = await res.text();
      expect(raw.startsWith('[{')).toBe(true);
      expect(raw.endsWith(']')).toBe(true);
      const chunks = JSON.parse(raw) as {
        candidates?: { content?: { parts?: { text?: string; thought?: boolean }[] } }[];
        usageMetadata?: { promptTokenCount: number };
      }[];
      // One delta per word from the fake: several elements, joined back to the whole answer.
      expect(chunks.length).toBeGreaterThan(2);
      const text = chunks
        .flatMap((c) => c.candidates?.[0]?.content?.parts ?? [])
        .filter((p) => !p.thought)
        .map((p) => p.text ?? '')
        .join('');
      expect(text).toBe('Echo: stream me please');
      const reported = chunks.at(-1)?.usageMetadata?.promptTokenCount;
      expect(reported).toBeGreaterThan(0);
      expect(await usageOf(res)).toMatchObject({ provider, prompt_tokens: reported, stream: 1, status: 200 });
    }
  });
});

describe('token counting', () => {
  const body = { system: 'be brief', messages: [{ role: 'user', content: 'count these words' }] };

  it('relays count_tokens to an Anthropic upstream and estimates for any other', async () => {
    const counted = await post(key, '/v1/messages/count_tokens', { ...body, model: 'alias-claude' });
    expect(await counted.json()).toEqual({ input_tokens: 5 });
    expect(counted.headers.get('x-switchyard-token-count')).toBeNull();

    const estimated = await post(key, '/v1/messages/count_tokens', { ...body, model: 'compat-x' });
    expect(estimated.headers.get('x-switchyard-token-count')).toBe('estimated');
    // cl100k: "be brief" 2 + "count these words" 3, plus 3 framing tokens for the one message.
    expect(await estimated.json()).toEqual({ input_tokens: 8 });
  });

  it('relays Gemini countTokens to Gemini and estimates for any other', async () => {
    const contents = [{ role: 'user', parts: [{ text: 'count these words' }] }];
    const counted = await post(key, '/v1beta/models/gemini-pro:countTokens', { contents });
    expect(await counted.json()).toMatchObject({ totalTokens: 3 });
    const estimated = await post(key, '/v1beta/models/claude-mapped:countTokens', {
      generateContentRequest: { model: 'models/claude-mapped', contents },
    });
    expect(estimated.headers.get('x-switchyard-token-count')).toBe('estimated');
    expect(await estimated.json()).toEqual({ totalTokens: 3 + 3 });
  });
});

describe('model listings', () => {
  it('lists only the models the key may use, in each protocol shape', async () => {
    // The exact names the policy mentions (mapper alias and target, level_mapper keys); the
    // allowlist and the other level_mapper keys are globs, which cannot be listed.
    const ids = ['alias-claude', 'claude-mapped', 'faulty-down', 'faulty-flaky', 'faulty-idle'];
    const openai = await call('/v1/models', { headers: auth });
    // Every answer carries its request id, not only proxied ones.
    expect(openai.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await openai.json()).toEqual({
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' })),
    });
    const anthropic = await call('/v1/models', {
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    });
    expect(await anthropic.json()).toMatchObject({
      data: ids.map((id) => ({ type: 'model', id })),
      has_more: false,
      first_id: 'alias-claude',
    });
    const gemini = await call('/v1beta/models', { headers: { 'x-goog-api-key': key } });
    expect(await gemini.json()).toMatchObject({ models: ids.map((id) => ({ name: `models/${id}` })) });
  });

  it('describes one model, or answers 404 in the caller shape', async () => {
    expect(await (await call('/v1/models/claude-mapped', { headers: auth })).json()).toMatchObject({
      id: 'claude-mapped',
    });
    const missing = await call('/v1beta/models/nope', { headers: { 'x-goog-api-key': key } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });
});

describe('Responses retrieval and cancel', () => {
  it('relays to the Responses-speaking keys of the level of ?model=, else the default level', async () => {
    const got = await call('/v1/responses/resp_fake_7?model=oai-x', { headers: auth });
    expect(await got.json()).toMatchObject({ id: 'resp_fake_7', status: 'completed' });
    const cancelled = await call('/v1/responses/resp_fake_7/cancel?model=oai-x', {
      method: 'POST',
      headers: auth,
    });
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    const unknown = await call('/v1/responses/resp_other?model=oai-x', { headers: auth });
    expect(unknown.status).toBe(404);
    // The default level (15) is the mock provider, which keeps no responses.
    const fromDefault = await call('/v1/responses/resp_fake_7', { headers: auth });
    expect(await fromDefault.json()).toMatchObject({ error: { code: 'response_not_found' } });
  });
});

describe('images, audio and moderations', () => {
  it('relays images and meters the images generated, at the per-image price', async () => {
    const priced = await call('/admin/v1/prices', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      json: { model: 'oai-image', input: '0', output: '0', per_image: '0.04' },
    });
    expect(priced.status).toBe(200);
    const res = await post(key, '/v1/images/generations', { model: 'oai-image', prompt: 'a red fox', n: 2 });
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
    expect(await usageOf(res)).toMatchObject({
      images: 2,
      endpoint: '/v1/images/generations',
      estimated: 0,
      cost_micros: 80_000,
      unpriced: 0,
    });
  });

  it('relays speech bytes and meters the input characters', async () => {
    const res = await post(key, '/v1/audio/speech', {
      model: 'oai-tts',
      input: 'hello there',
      voice: 'alloy',
    });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(await res.text()).toBe('FAKEAUDIO:hello there');
    // No price for the model: the characters are metered, and the record says its cost is unknown.
    expect(await usageOf(res)).toMatchObject({ audio_chars: 11, cost_micros: 0, unpriced: 1 });
  });

  it('relays a multipart transcription and meters its seconds', async () => {
    const form = new FormData();
    form.append('model', 'oai-whisper');
    form.append('file', new Blob(['RIFF....'], { type: 'audio/wav' }), 'a.wav');
    const res = await call('/v1/audio/transcriptions', { method: 'POST', headers: auth, body: form });
    expect(await res.json()).toMatchObject({ text: 'fake transcript by oai-whisper' });
    expect(await usageOf(res)).toMatchObject({ audio_seconds: 3, endpoint: '/v1/audio/transcriptions' });
  });

  it('relays moderations, and refuses providers without these APIs', async () => {
    const res = await post(key, '/v1/moderations', { model: 'oai-moderation', input: ['a', 'b'] });
    expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(2);
    const refused = await post(key, '/v1/images/generations', { model: 'claude-mapped', prompt: 'x' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'unsupported_endpoint' } });
  });
});

describe("errors in the caller's protocol shape", () => {
  it('Anthropic: a request the upstream refuses', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'claude-mapped',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'upstream_invalid_request',
        message: 'max_tokens: Field required',
      },
    });
  });

  it('Gemini: a model the key may not use', async () => {
    const res = await post(key, '/v1beta/models/gpt-5:generateContent', { contents: [] });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('Responses: a parameter that cannot be carried to the provider', async () => {
    const res = await post(key, '/v1/responses', {
      model: 'claude-mapped',
      input: 'x',
      previous_response_id: 'r',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'unsupported_parameter', param: 'previous_response_id' },
    });
  });

  it('Gemini: an unknown alt framing names the parameter', async () => {
    const res = await post(key, '/v1beta/models/gemini-pro:streamGenerateContent?alt=proto', {
      contents: [],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });

  it('Gemini: an upstream that fails on every key, after failover', async () => {
    const body = { contents: [{ parts: [{ text: 'hello' }] }] };
    const res = await post(key, '/v1beta/models/faulty-down:generateContent', body);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      error: { code: 502, status: 'UNAVAILABLE', details: [{ reason: 'upstream_error' }] },
    });
    expect(await usageOf(res)).toMatchObject({ status: 502, error_code: 'upstream_error' });
  });

  it('OpenAI chat: an overloaded Anthropic key is retried on the next key before the first byte', async () => {
    const res = await post(key, '/v1/chat/completions', {
      model: 'faulty-flaky',
      stream: true,
      messages: [{ role: 'user', content: 'retry me' }],
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('[DONE]');
    const row = await usageOf(res);
    expect(row).toMatchObject({ status: 200, retries: 1, upstream_key_id: 'p-healthy' });
  });

  it('Anthropic: an upstream that goes quiet mid-stream ends with an idle-timeout error event', async () => {
    const res = await post(key, '/v1/messages', {
      model: 'faulty-idle',
      max_tokens: 16,
      stream: true,
      messages: [{ role: 'user', content: 'slow words here' }],
    });
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { error: { code: 'upstream_idle_timeout' } },
    });
    expect(await usageOf(res)).toMatchObject({ status: 502, error_code: 'upstream_idle_timeout' });
  });
});
