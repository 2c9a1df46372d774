// A noisy neighbour (performance): while one tenant floods the worst inputs found so far — megabyte runs of
// one character to token counting and batch embeddings, bodies nested thousands deep, reservations
// no limit can hold, and ordinary requests after its own daily quota is spent — its sibling under
// the same limited root keeps being served. Bound: the sibling's requests are answered within one
// lease's life (1 s). Asserted loosely for a shared 2-core machine where other e2e files run at the
// same time: 90% of them within 1 s, every one within 1.8 s — below SHARED_WAIT_MS (2 s), what a
// request waits when it shares work a refused neighbour abandoned. The figures are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { sendOnce } from '../harness/http';
import { applyPolicy, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
const noisyKey = newGatewayKey();
const quietKey = newGatewayKey();
const FLOOD_MS = 6_000;
const FLOODERS = 4;

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway({ overrides: { assets: undefined } }), startFakeProvider()]);
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [
        {
          id: 'root',
          name: 'Root',
          policy: { level_mapper: { 'mock-*': 1 }, limits: { rpm: 100_000, tpm: 5_000_000_000 } },
        },
        { id: 'noisy', parent: 'root', name: 'Noisy', policy: { limits: { rpd: 5 } } },
        { id: 'quiet', parent: 'root', name: 'Quiet', policy: {} },
      ],
      levels: [{ id: 1, name: 'mock', keys: [{ id: 'mock-1', provider: 'mock' }] }],
      gateway_keys: [
        { id: 'noisy-key', account: 'noisy', name: 'n', key_env: 'N' },
        { id: 'quiet-key', account: 'quiet', name: 'q', key_env: 'Q' },
      ],
    },
    { N: noisyKey, Q: quietKey },
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

const run = 'a'.repeat(1_000_000);
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** The worst inputs, in turn. Each answer is read to the end; none may be a 5xx. */
const worst: { path: string; headers?: Record<string, string>; body: string }[] = [
  {
    path: '/v1/messages/count_tokens',
    headers: { 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'mock-small', messages: [{ role: 'user', content: run }] }),
  },
  {
    path: '/v1beta/models/mock-small:batchEmbedContents',
    body: JSON.stringify({ requests: [{ content: { parts: [{ text: run }] } }] }),
  },
  {
    path: '/v1beta/models/mock-small:countTokens',
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: run }] }] }),
  },
  { path: '/v1/embeddings', body: `{"model":"mock-small","input":${deep(10_000)}}` },
  {
    path: '/v1/chat/completions',
    body: JSON.stringify({
      model: 'mock-small',
      max_tokens: 1_000_000,
      messages: [{ role: 'user', content: run }],
    }),
  },
  {
    path: '/v1beta/models/mock-small:generateContent',
    body: JSON.stringify({
      contents: [{ parts: [{ text: 'x' }] }],
      generationConfig: { maxOutputTokens: 1e308 },
    }),
  },
  // Ordinary requests: after the first five, refused by the noisy tenant's own daily quota.
  {
    path: '/v1/chat/completions',
    body: JSON.stringify({ model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] }),
  },
];

async function send(key: string, path: string, body: string, headers: Record<string, string> = {}) {
  const auth = { authorization: `Bearer ${key}`, 'x-goog-api-key': key, 'content-type': 'application/json' };
  return (await sendOnce(`${gw.url}${path}`, 'POST', { ...auth, ...headers }, body)).status;
}

describe('noisy neighbour', () => {
  it("keeps the sibling's latency within a lease's life while one tenant floods the worst inputs", async () => {
    const stop = Date.now() + FLOOD_MS;
    const noisyStatuses = new Map<number, number>();
    const flood = Array.from({ length: FLOODERS }, async (_, f) => {
      for (let i = f; Date.now() < stop; i++) {
        const w = worst[i % worst.length] as (typeof worst)[number];
        const status = await send(noisyKey, w.path, w.body, w.headers);
        noisyStatuses.set(status, (noisyStatuses.get(status) ?? 0) + 1);
      }
    });
    // Let the flood start, then time the quiet tenant's requests one after another.
    await new Promise((r) => setTimeout(r, 300));
    const latencies: number[] = [];
    const quietStatuses: number[] = [];
    while (Date.now() < stop - 300) {
      const started = performance.now();
      quietStatuses.push(
        await send(
          quietKey,
          '/v1/chat/completions',
          JSON.stringify({ model: 'mock-small', messages: [{ role: 'user', content: 'hello' }] }),
        ),
      );
      latencies.push(performance.now() - started);
    }
    await Promise.all(flood);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const p90 = sorted[Math.floor(sorted.length * 0.9)] ?? 0;
    const max = sorted.at(-1) ?? 0;
    console.log(
      `noisy neighbour: quiet tenant ${latencies.length} requests, p50 ${p50.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `noisy tenant statuses ${JSON.stringify(Object.fromEntries(noisyStatuses))}`,
    );
    expect(quietStatuses.every((s) => s === 200)).toBe(true);
    expect(latencies.length).toBeGreaterThan(10);
    expect(p90).toBeLessThan(1_000);
    expect(max).toBeLessThan(1_800);
    // The flood itself got answers, none of them a 5xx, and the quota refusals did not spill over.
    expect([...noisyStatuses.keys()].every((s) => s < 500)).toBe(true);
    expect(noisyStatuses.get(429) ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
