// Property-based fuzzing of every proxy and admin endpoint (security and failure behaviour; performance),
// against the gateway bundle
// on workerd (assets routing included) in front of the fake provider. For each endpoint, fast-check
// generates malformed JSON, wrong types, huge and deep values, odd unicode, odd content types and
// header values. The property: never a 5xx; a 4xx comes in the caller's protocol shape with the
// request id; no stack trace or source path in any answer; and a normal request right afterwards
// is answered within 1 s. Seeded and bounded (RUNS per endpoint), so it is the same run every time.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolForPath } from '../../src/errors/protocol';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { sendOnce } from '../harness/http';
import { applyPolicy, newGatewayKey } from '../harness/seed';

const SEED = 12;
// Runs per endpoint: about 20 proxy and 60 admin endpoints, ~35 s in all on this machine.
const PROXY_RUNS = Number(process.env['FUZZ_RUNS'] ?? 30);
const ADMIN_RUNS = Number(process.env['FUZZ_RUNS'] ?? 10);

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [
        {
          id: 'org',
          name: 'Org',
          policy: { level_mapper: { 'mock-*': 1, 'fake-*': 2 }, limits: { tpm: 50_000_000 } },
        },
      ],
      levels: [
        { id: 1, name: 'mock', keys: [{ id: 'mock-1', provider: 'mock' }] },
        {
          id: 2,
          name: 'fake',
          retries: 1,
          keys: [
            { id: 'fake-a', provider: 'openai-compatible', base_url: `${fake.url}/v1`, key_env: 'A' },
            { id: 'fake-b', provider: 'openai-compatible', base_url: `${fake.url}/v1`, key_env: 'A' },
          ],
        },
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'k', key_env: 'KEY' }],
    },
    { A: 'fake-ok', KEY: key },
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

interface Endpoint {
  method: string;
  path: string;
  /** A valid body, the base of the mutations. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const msgs = [{ role: 'user', content: 'hi' }];
const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
const proxyEndpoints: Endpoint[] = [
  { method: 'POST', path: '/v1/chat/completions', body: { model: 'mock-small', messages: msgs } },
  { method: 'POST', path: '/v1/chat/completions', body: { model: 'fake-m', messages: msgs, stream: true } },
  { method: 'POST', path: '/v1/responses', body: { model: 'mock-small', input: 'hi' } },
  { method: 'GET', path: '/v1/responses/resp_1' },
  { method: 'POST', path: '/v1/responses/resp_1/cancel', body: {} },
  { method: 'POST', path: '/v1/embeddings', body: { model: 'mock-small', input: ['hi'] } },
  { method: 'POST', path: '/v1/images/generations', body: { model: 'fake-m', prompt: 'a cat' } },
  { method: 'POST', path: '/v1/audio/speech', body: { model: 'fake-m', input: 'hi', voice: 'alloy' } },
  { method: 'POST', path: '/v1/audio/transcriptions', body: { model: 'fake-m' } },
  { method: 'POST', path: '/v1/moderations', body: { model: 'fake-m', input: 'hi' } },
  { method: 'GET', path: '/v1/models' },
  { method: 'GET', path: '/v1/models/mock-small' },
  {
    method: 'POST',
    path: '/v1/messages',
    body: { model: 'mock-small', max_tokens: 10, messages: msgs },
    headers: { 'anthropic-version': '2023-06-01' },
  },
  { method: 'POST', path: '/v1/messages/count_tokens', body: { model: 'mock-small', messages: msgs } },
  { method: 'POST', path: '/v1beta/models/mock-small:generateContent', body: gemini },
  { method: 'POST', path: '/v1beta/models/mock-small:streamGenerateContent?alt=sse', body: gemini },
  { method: 'POST', path: '/v1beta/models/mock-small:countTokens', body: gemini },
  {
    method: 'POST',
    path: '/v1beta/models/mock-small:embedContent',
    body: { content: { parts: [{ text: 'x' }] } },
  },
  {
    method: 'POST',
    path: '/v1beta/models/mock-small:batchEmbedContents',
    body: { requests: [{ content: { parts: [{ text: 'x' }] } }] },
  },
  { method: 'GET', path: '/v1beta/models' },
];

// Odd but sendable values: fetch refuses header values with control characters or non-Latin-1.
const headerValue = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  fc.constant('Bearer '),
  fc.constant('Bearer sy_'.padEnd(5_000, 'x')),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  '*/*',
);
const oddString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant('\u0000\ud800\udfff\u202e\ufeff'),
  fc.integer({ min: 1, max: 200_000 }).map((n) => 'a'.repeat(n)),
);
const oddValue = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  oddString,
  fc.constantFrom(1e308, -1, 0, 2 ** 53, -0, 1.5, true, null, [], {}),
  fc.integer({ min: 30, max: 3_000 }).map((d) => JSON.parse(`${'['.repeat(d)}${']'.repeat(d)}`) as unknown),
);

/** A body: raw bytes, random JSON, or a valid body with one field replaced, added or removed. */
function bodies(base: Record<string, unknown> | undefined) {
  const fields = Object.keys(base ?? {}).length ? Object.keys(base ?? {}) : ['model'];
  return fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.json({ maxDepth: 5 }),
    fc.integer({ min: 100, max: 20_000 }).map((d) => `{"model":${'['.repeat(d)}`),
    fc
      .record({ field: fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 20 })), value: oddValue })
      .map(({ field, value }) => {
        try {
          return JSON.stringify({ ...base, [field]: value });
        } catch {
          return '{}';
        }
      }),
    fc.constantFrom(...fields).map((field) => {
      const { [field]: _drop, ...rest } = base ?? {};
      return JSON.stringify(rest);
    }),
  );
}

const STACK = /\n\s+at |\.ts:\d+|node_modules|file:\/\//;

function expectShape(path: string, anthropicVersion: string | undefined, status: number, text: string) {
  expect(text).not.toMatch(STACK);
  if (status < 400) return;
  const body = JSON.parse(text) as Record<string, unknown> & { error?: Record<string, unknown> };
  switch (protocolForPath(path.split('?')[0] ?? path, anthropicVersion)) {
    case 'anthropic':
      expect(body['type']).toBe('error');
      expect(typeof body.error?.['type']).toBe('string');
      break;
    case 'gemini':
      expect(body.error?.['code']).toBe(status);
      expect(typeof body.error?.['status']).toBe('string');
      break;
    default:
      expect(typeof body.error?.['code']).toBe('string');
      expect(typeof body.error?.['message']).toBe('string');
      expect(typeof body.error?.['request_id']).toBe('string');
  }
}

function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return sendOnce(`${gw.url}${path}`, method, headers, body);
}

/** A normal request after each fuzzed one: the gateway must still answer it within 1 s. */
async function expectLive() {
  const started = performance.now();
  const res = await send(
    'POST',
    '/v1/chat/completions',
    { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    JSON.stringify({ model: 'mock-small', messages: msgs }),
  );
  const ms = performance.now() - started;
  expect(res.status).toBe(200);
  expect(ms).toBeLessThan(1_000);
}

async function fuzz(endpoint: Endpoint, credential: Record<string, string>, runs: number) {
  await fc.assert(
    fc.asyncProperty(
      bodies(endpoint.body),
      contentType,
      fc.option(headerValue, { nil: undefined }),
      fc.boolean(),
      async (body, type, oddHeader, withCredential) => {
        const headers: Record<string, string> = {
          ...(withCredential ? credential : { authorization: oddHeader ?? 'Bearer nope' }),
          ...endpoint.headers,
          ...(type ? { 'content-type': type } : {}),
          ...(oddHeader !== undefined && withCredential
            ? { 'x-odd': oddHeader, 'anthropic-beta': oddHeader }
            : {}),
        };
        const res = await send(endpoint.method, endpoint.path, headers, body);
        expect(
          res.status,
          `${endpoint.method} ${endpoint.path} → ${res.status}: ${res.text.slice(0, 300)}`,
        ).toBeLessThan(500);
        expectShape(endpoint.path, endpoint.headers?.['anthropic-version'], res.status, res.text);
        await expectLive();
      },
    ),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
}

describe('fuzzing every endpoint', () => {
  it('proxy endpoints: a 4xx in the caller shape, never a 5xx or a stack, and the gateway stays live', async () => {
    for (const endpoint of proxyEndpoints)
      await fuzz(endpoint, { authorization: `Bearer ${key}` }, PROXY_RUNS);
  }, 300_000);

  it('admin endpoints (every path in the OpenAPI document): the same property', async () => {
    const doc = (await (await fetch(`${gw.url}/admin/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const endpoints: Endpoint[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        // Path parameters get ids nobody has: the fuzz never touches the tenant it runs as.
        const concrete = path.replace(/\{[^}]+\}/g, 'fuzz-no-such-id');
        endpoints.push({ method: method.toUpperCase(), path: concrete, body: { id: 'fuzz-x', name: 'x' } });
      }
    }
    expect(endpoints.length).toBeGreaterThan(30);
    for (const endpoint of endpoints)
      await fuzz(endpoint, { authorization: `Bearer ${gw.adminToken}`, 'x-csrf-token': 'x' }, ADMIN_RUNS);
    // The tenant is intact: its key still works and the root account is unchanged.
    await expectLive();
  }, 300_000);

  it('API-shaped paths outside the routes get an error in the caller shape, not the asset router 405', async () => {
    for (const [method, path] of [
      ['POST', '//v1//chat//completions'],
      ['POST', '/chat/completions'],
      ['POST', '/V1/chat/completions'],
      ['DELETE', '/v1/chat/completions'],
      ['GET', '/v1'],
      ['PUT', '/admin'],
    ] as const) {
      const res = await send(
        method,
        path,
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        '{}',
      );
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.status, `${method} ${path}`).not.toBe(405);
      expectShape(path, undefined, res.status, res.text);
    }
    // The dashboard is still served to a browser.
    const page = await fetch(`${gw.url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const deepLink = await fetch(`${gw.url}/some/screen`, { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<html');
  });
});
