// Fault injection, scripts, auth, fail-closed routing and the control API, over raw HTTP and the SDKs.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startFakeProvider } from './server';
import { parseSseText, postJson, readUntilEnd, useFakeProvider } from './test-helpers';

const fake = useFakeProvider();

type Protocol = 'openai' | 'azure' | 'anthropic' | 'gemini';
const PROTOCOLS: Protocol[] = ['openai', 'azure', 'anthropic', 'gemini'];

/** A "one two three" request for each protocol, authenticated with `key` when given. */
function call(protocol: Protocol, key: string | null, stream = false): Promise<Response> {
  const base = fake().url;
  const text = 'one two three';
  switch (protocol) {
    case 'openai':
      return postJson(
        `${base}/v1/chat/completions`,
        { model: 'gpt-4o', stream, messages: [{ role: 'user', content: text }] },
        key ? { authorization: `Bearer ${key}` } : {},
      );
    case 'azure':
      return postJson(
        `${base}/openai/deployments/dep/chat/completions?api-version=2024-10-21`,
        { stream, messages: [{ role: 'user', content: text }] },
        key ? { 'api-key': key } : {},
      );
    case 'anthropic':
      return postJson(
        `${base}/v1/messages`,
        { model: 'claude', max_tokens: 50, stream, messages: [{ role: 'user', content: text }] },
        { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
      );
    case 'gemini':
      return postJson(
        `${base}/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        { contents: [{ role: 'user', parts: [{ text }] }] },
        key ? { 'x-goog-api-key': key } : {},
      );
  }
}

/** The provider's error type/status string, checking the whole error envelope on the way. */
function errorKind(protocol: Protocol, status: number, body: unknown): string {
  if (protocol === 'anthropic') {
    expect(body).toEqual({
      type: 'error',
      error: { type: expect.any(String), message: expect.any(String) },
      request_id: expect.any(String),
    });
    return (body as { error: { type: string } }).error.type;
  }
  if (protocol === 'gemini') {
    expect(body).toEqual({
      error: { code: status, message: expect.any(String), status: expect.any(String) },
    });
    return (body as { error: { status: string } }).error.status;
  }
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: null,
      code: expect.toSatisfy((c) => c === null || typeof c === 'string'),
    },
  });
  return (body as { error: { type: string } }).error.type;
}

const EXPECTED_KINDS: Record<number, Record<Protocol, string>> = {
  429: { openai: 'requests', azure: 'requests', anthropic: 'rate_limit_error', gemini: 'RESOURCE_EXHAUSTED' },
  500: { openai: 'server_error', azure: 'server_error', anthropic: 'api_error', gemini: 'INTERNAL' },
  503: { openai: 'server_error', azure: 'server_error', anthropic: 'api_error', gemini: 'UNAVAILABLE' },
  401: {
    openai: 'invalid_request_error',
    azure: 'invalid_request_error',
    anthropic: 'authentication_error',
    gemini: 'UNAUTHENTICATED',
  },
  403: {
    openai: 'invalid_request_error',
    azure: 'invalid_request_error',
    anthropic: 'permission_error',
    gemini: 'PERMISSION_DENIED',
  },
};

describe('status faults from the key', () => {
  const cases = PROTOCOLS.flatMap((p) => [429, 500, 503, 401, 403].map((s) => [p, s] as const));
  it.each(cases)('%s fake-%i answers in the provider error shape', async (protocol, status) => {
    const res = await call(protocol, `fake-${status}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('retry-after')).toBe(status === 429 ? '1' : null);
    expect(errorKind(protocol, status, await res.json())).toBe(EXPECTED_KINDS[status]?.[protocol]);
  });

  it('fake-429-ra5 sets Retry-After 5, and Anthropic 529 is overloaded_error', async () => {
    expect((await call('openai', 'fake-429-ra5')).headers.get('retry-after')).toBe('5');
    const overloaded = await call('anthropic', 'fake-529');
    expect(errorKind('anthropic', 529, await overloaded.json())).toBe('overloaded_error');
  });

  it.each(PROTOCOLS)('%s without a key is a 401 in the provider shape', async (protocol) => {
    const res = await call(protocol, null);
    expect(res.status).toBe(401);
    errorKind(protocol, 401, await res.json());
    expect(fake().requests[0]?.key).toBeNull();
  });

  it('the OpenAI SDK sees the status, error body and Retry-After', async () => {
    const client = new OpenAI({ apiKey: 'fake-429-ra3', baseURL: `${fake().url}/v1`, maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    if (!(err instanceof OpenAI.RateLimitError)) return;
    expect(err.headers.get('retry-after')).toBe('3');
    expect(err.code).toBe('rate_limit_exceeded');
  });
});

describe('timing faults', () => {
  it('fake-slow-N delays the first byte', async () => {
    const t0 = performance.now();
    const res = await call('openai', 'fake-slow-300');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
  });

  it('chunkDelayMs spaces out stream events', async () => {
    fake().script('drip', [{ chunkDelayMs: 80 }]);
    const t0 = performance.now();
    const res = await call('openai', 'drip', true);
    const { text } = await readUntilEnd(res);
    // role, 4 words, finish, [DONE] = 7 events, so 6 gaps.
    expect(parseSseText(text)).toHaveLength(7);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(6 * 80 - 10);
  });
});

describe('cut streams', () => {
  it.each(PROTOCOLS)(
    '%s fake-cut-3 delivers exactly 3 events, then the connection breaks',
    async (protocol) => {
      const res = await call(protocol, 'fake-cut-3', true);
      expect(res.status).toBe(200);
      const { text, broken } = await readUntilEnd(res);
      expect(broken).toBe(true);
      expect(parseSseText(text)).toHaveLength(3);
      expect(text).not.toContain('[DONE]');
      expect(text).not.toContain('message_stop');
    },
  );

  it('cut-0 sends headers and nothing else', async () => {
    const res = await call('openai', 'fake-cut-0', true);
    expect(res.status).toBe(200);
    expect(await readUntilEnd(res)).toEqual({ text: '', broken: true });
  });

  it('the SDKs fail on a cut stream instead of returning a truncated answer', async () => {
    const openai = new OpenAI({ apiKey: 'fake-cut-3', baseURL: `${fake().url}/v1`, maxRetries: 0 });
    const deltas: string[] = [];
    const consume = async (): Promise<void> => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'one two three' }],
      });
      for await (const c of stream) deltas.push(c.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow();
    expect(deltas).toEqual(['', 'Echo:', ' one']);

    const anthropic = new Anthropic({ apiKey: 'fake-cut-5', baseURL: fake().url, maxRetries: 0 });
    const stream = anthropic.messages.stream({
      model: 'c',
      max_tokens: 9,
      messages: [{ role: 'user', content: 'a b' }],
    });
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});

describe('scripts', () => {
  it('plays a script in order and repeats the last behaviour', async () => {
    fake().script('sk-flaky', [{ status: 429, retryAfter: 2 }, { status: 500 }, { text: 'finally' }]);
    const results = [];
    for (let i = 0; i < 4; i++) {
      const res = await call('openai', 'sk-flaky');
      results.push([res.status, res.headers.get('retry-after')]);
      if (i === 3) expect(await res.json()).toMatchObject({ choices: [{ message: { content: 'finally' } }] });
    }
    expect(results).toEqual([
      [429, '2'],
      [500, null],
      [200, null],
      [200, null],
    ]);
  });

  it('does not consume a script step on auth or header failures', async () => {
    fake().script('sk-once', [{ status: 503 }, {}]);
    const noVersion = await postJson(
      `${fake().url}/v1/messages`,
      { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] },
      { 'x-api-key': 'sk-once' },
    );
    expect(noVersion.status).toBe(400);
    expect((await call('anthropic', 'sk-once')).status).toBe(503);
    expect((await call('anthropic', 'sk-once')).status).toBe(200);
  });

  it('a scripted 2xx status is used for the success answer', async () => {
    fake().script('sk-201', [{ status: 201 }]);
    expect((await call('gemini', 'sk-201')).status).toBe(201);
  });

  it('is driven over HTTP by the control API, which is not recorded', async () => {
    const url = fake().url;
    const bad = await postJson(`${url}/__fake/script`, { key: 'k', behaviours: [{ stauts: 500 }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "unknown behaviour field 'stauts'" });
    expect((await postJson(`${url}/__fake/script`, { key: 'k', behaviours: [] })).status).toBe(400);

    const ok = await postJson(`${url}/__fake/script`, { key: 'k', behaviours: [{ status: 418 }] });
    expect(await ok.json()).toEqual({ ok: true });
    expect((await call('openai', 'k')).status).toBe(418);

    const listed = (await (await fetch(`${url}/__fake/requests`)).json()) as {
      requests: unknown[];
      unexpected: unknown[];
    };
    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key: 'k' });
    expect(listed.unexpected).toEqual([]);

    expect(await (await postJson(`${url}/__fake/reset`, {})).json()).toEqual({ ok: true });
    expect(fake().requests).toEqual([]);
    expect((await call('openai', 'k')).status).toBe(200);
  });

  it('reset() clears scripts and both request lists', async () => {
    fake().script('k2', [{ status: 500 }]);
    await postJson(`${fake().url}/nope`, {});
    fake().reset();
    expect(fake().unexpected).toEqual([]);
    expect((await call('openai', 'k2')).status).toBe(200);
    // …but not the lifetime record a shared suite checks after each test (test/integration/fail-closed.ts).
    const ever = (await (await fetch(`${fake().url}/__fake/unexpected`)).json()) as { unexpected: unknown[] };
    expect(ever.unexpected).toEqual([expect.objectContaining({ method: 'POST', path: '/nope' })]);
  });
});

describe('failing closed', () => {
  it('answers unknown routes and methods with an OpenAI-shaped 404 and records them as unexpected', async () => {
    const res = await postJson(
      `${fake().url}/v1/completions`,
      { prompt: 'x' },
      { authorization: 'Bearer fake-ok' },
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/completions)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    await fetch(`${fake().url}/v1/chat/completions`);
    await postJson(
      `${fake().url}/v1beta/models/g:streamGenerateContent`,
      { contents: [] },
      { 'x-goog-api-key': 'k' },
    );
    expect(fake().unexpected.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/completions',
      'GET /v1/chat/completions',
      'POST /v1beta/models/g:streamGenerateContent',
    ]);
    expect(fake().unexpected[0]?.body).toEqual({ prompt: 'x' });
    expect(fake().requests).toEqual([]);
  });

  it('rejects an unrecognised fake- key instead of treating it as fake-ok', async () => {
    const res = await call('openai', 'fake-bogus');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('fake-bogus');
    expect(fake().unexpected.map((r) => r.key)).toEqual(['fake-bogus']);
  });

  it('answers a body that is not JSON with a 400 and records it raw', async () => {
    const res = await fetch(`${fake().url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer fake-ok' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(fake().requests[0]?.body).toBe('{not json');
  });

  it('close() ends in-flight slow requests promptly', async () => {
    const own = await startFakeProvider();
    const pending = postJson(
      `${own.url}/v1/embeddings`,
      { model: 'm', input: 'x' },
      { authorization: 'Bearer fake-slow-10000' },
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await own.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });
});
