// Hostile input (performance): bounds at the edge answered in the caller's shape, a reservation that can
// never fit refused for that request alone, and a request-provoked upstream error that does not
// cool a key every tenant shares.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, call, chat, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();
const tightKey = newKey();
// A shared upstream key the fake scripts (a non-`fake-` key: scripts decide its answers).
const SHARED = 'hostile-shared-upstream';

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'hostile-org',
          name: 'Org',
          policy: { level_mapper: { 'mock-*': 31, 'shared-*': 32 } },
        },
        { id: 'hostile-tight', parent: 'hostile-org', name: 'Tight', policy: { limits: { tpm: 10_000 } } },
      ],
      levels: [
        { id: 31, name: 'mock', keys: [{ id: 'hostile-mock', provider: 'mock' }] },
        {
          id: 32,
          name: 'one shared upstream key',
          retries: 0,
          keys: [
            { id: 'hostile-shared', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'S' },
          ],
        },
      ],
      gateway_keys: [
        { id: 'hostile-key', account: 'hostile-org', name: 'k', key_env: 'K' },
        { id: 'hostile-tight-key', account: 'hostile-tight', name: 't', key_env: 'T' },
      ],
    },
    {
      gatewayKeys: { 'hostile-key': key, 'hostile-tight-key': tightKey },
      upstreamKeys: { 'hostile-shared': SHARED },
    },
  );
});

const ask = (k: string, extra: Record<string, unknown> = {}) =>
  chat(k, { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }], ...extra });

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('numeric fields that feed a reservation', () => {
  it('refuses an unbounded Gemini maxOutputTokens and candidateCount in Gemini shape, and serves the next request', async () => {
    for (const generationConfig of [
      { maxOutputTokens: 1e308 },
      { max_output_tokens: 2 ** 21 },
      { candidateCount: 1000 },
    ]) {
      const res = await call('/v1beta/models/mock-small:generateContent', {
        method: 'POST',
        headers: { 'x-goog-api-key': key },
        json: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig },
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { status: string; code: number } };
      expect(body.error).toMatchObject({ status: 'INVALID_ARGUMENT', code: 400 });
    }
    expect((await ask(key)).status).toBe(200);
  });

  it('bounds max_tokens in every protocol and OpenAI n', async () => {
    expect((await ask(key, { max_tokens: 2 ** 20 + 1 })).status).toBe(400);
    expect((await ask(key, { n: 10_000 })).status).toBe(400);
    const messages = await call('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      json: { model: 'mock-small', max_tokens: 1e15, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(messages.status).toBe(400);
    expect(((await messages.json()) as { type: string }).type).toBe('error');
    const responses = await call('/v1/responses', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      json: { model: 'mock-small', input: 'hi', max_output_tokens: 1e12 },
    });
    expect(responses.status).toBe(400);
  });

  it('refuses a reservation no limit can ever grant as a 400 for that request only', async () => {
    const res = await ask(tightKey, { max_tokens: 1_000_000 });
    expect(res.status).toBe(400);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_exceeds_limit');
    // The next ordinary request on the same account and isolate is served at once.
    expect((await ask(tightKey, { max_tokens: 100 })).status).toBe(200);
  });
});

describe('JSON shape at the edge', () => {
  it('refuses a body nested 10,000 deep in each protocol shape, embeddings included', async () => {
    const openai = await call('/v1/embeddings', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: `{"model":"mock-small","input":${deep(10_000)}}`,
    });
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as { error: { code: string } }).error.code).toBe('json_too_deep');
    const gemini = await call('/v1beta/models/mock-small:batchEmbedContents', {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: `{"requests":[{"content":{"parts":[{"text":${deep(10_000)}}]}}]}`,
    });
    expect(gemini.status).toBe(400);
    expect(((await gemini.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
    const anthropic = await call('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: `{"model":"mock-small","max_tokens":5,"messages":[{"role":"user","content":${deep(10_000)}}]}`,
    });
    expect(anthropic.status).toBe(400);
    expect(((await anthropic.json()) as { error: { code: string } }).error.code).toBe('json_too_deep');
    const admin = await call('/admin/v1/accounts', {
      method: 'POST',
      headers: { authorization: 'Bearer sya_test_admin_token', 'content-type': 'application/json' },
      body: `{"id":"x","name":${deep(10_000)}}`,
    });
    expect(admin.status).toBe(400);
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('json_too_deep');
  });

  it('refuses a model name longer than any real one', async () => {
    const res = await chat(key, { model: 'm'.repeat(10_000), messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('model');
  });
});

describe('a shared upstream key', () => {
  it('is not cooled by one request the upstream failed with a 500', async () => {
    await fetch(`${fakeUrl}/__fake/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: SHARED, behaviours: [{ status: 500 }, {}] }),
    });
    const first = await chat(key, { model: 'shared-m', messages: [{ role: 'user', content: 'odd' }] });
    expect(first.status).toBe(502);
    const pool = env.KEY_POOL.get(env.KEY_POOL.idFromName('level:32'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await pool.health()).keys['hostile-shared']?.coolUntil ?? 0).toBe(0);
    // Another tenant's request right after is served.
    const next = await chat(key, { model: 'shared-m', messages: [{ role: 'user', content: 'fine' }] });
    expect(next.status).toBe(200);
  });
});
