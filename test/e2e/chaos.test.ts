// Chaos against the fake provider (routing and key pools; metering and pricing): four upstream keys fail at
// random — 429s, 500s, 503s,
// answers slower than the level's first-byte timeout, streams cut mid-way — at 1%, 10%, 30% and
// 50% of their requests, next to one healthy key. Property: while the healthy key exists no client
// sees a failure it could have been spared (everything before the first byte is retried on
// another key), and every request is metered exactly once. A stream cut after its first bytes
// reached the client cannot be retried (docs/key-pools.md): it must end with the protocol's error
// event, and is metered like the rest. The fault schedule is seeded, so every run injects the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Behaviour } from '../fake-provider/server';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { sendOnce } from '../harness/http';
import { applyPolicy, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();
const REQUESTS = 300;
const CONCURRENCY = 8;
const FIRST_BYTE_MS = 400;
const rates: Record<string, number> = { 'chaos-1': 0.01, 'chaos-10': 0.1, 'chaos-30': 0.3, 'chaos-50': 0.5 };

/** mulberry32: a small seeded PRNG, so the schedule is the same on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function schedule(rate: number, random: () => number): Behaviour[] {
  const faults: Behaviour[] = [
    { status: 429, retryAfter: 1 },
    { status: 500 },
    { status: 503 },
    { firstByteDelayMs: FIRST_BYTE_MS * 4 },
    { cutAfterChunks: 2 },
  ];
  return Array.from({ length: REQUESTS * 2 }, () =>
    random() < rate ? (faults[Math.floor(random() * faults.length)] as Behaviour) : {},
  ).concat([{}]);
}

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway({ overrides: { assets: undefined } }), startFakeProvider()]);
  const ids = [...Object.keys(rates), 'healthy'];
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [{ id: 'org', name: 'Org', policy: { level_mapper: { '*': 1 } } }],
      levels: [
        {
          id: 1,
          name: 'chaos',
          retries: ids.length - 1,
          timeouts: { first_byte_ms: FIRST_BYTE_MS, idle_ms: 2_000 },
          keys: ids.map((id) => ({
            id,
            provider: 'openai-compatible' as const,
            base_url: `${fake.url}/v1`,
            key_env: id.toUpperCase().replace('-', '_'),
            // The faulty keys get most picks, so faults keep coming as their cool-downs end.
            weight: id === 'healthy' ? 1 : 10,
          })),
        },
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'k', key_env: 'KEY' }],
      prices: [{ model: 'fake-m', input: '1', output: '1' }],
    },
    {
      KEY: key,
      ...Object.fromEntries(ids.map((id) => [id.toUpperCase().replace('-', '_'), `secret-${id}`])),
    },
  );
  const random = prng(12);
  for (const [id, rate] of Object.entries(rates)) fake.script(`secret-${id}`, schedule(rate, random));
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

describe('chaos', () => {
  it('shows clients no failure while a healthy key exists, and meters every request once', async () => {
    const results: { stream: boolean; status: number; text: string }[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const stream = i % 2 === 1;
        const res = await sendOnce(
          `${gw.url}/v1/chat/completions`,
          'POST',
          { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          JSON.stringify({ model: 'fake-m', stream, messages: [{ role: 'user', content: `request ${i}` }] }),
        );
        results.push({ stream, status: res.status, text: res.text });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(results).toHaveLength(REQUESTS);
    const failed = results.filter((r) => r.status !== 200);
    expect(failed.map((r) => r.text.slice(0, 200))).toEqual([]);
    const whole = results.filter((r) => !r.stream);
    for (const r of whole) expect(JSON.parse(r.text)).toMatchObject({ object: 'chat.completion' });
    // Streams: complete, or (cut after the first bytes) closed with the error event.
    let cut = 0;
    for (const r of results.filter((x) => x.stream)) {
      if (r.text.includes('data: [DONE]')) continue;
      cut++;
      expect(r.text).toMatch(/"code":"upstream_stream_(interrupted|cut)"/);
    }
    // Faults did happen, and most of them were hidden by a retry on another key.
    const upstreamCalls = fake.requests.filter((r) => r.path === '/v1/chat/completions').length;
    expect(upstreamCalls).toBeGreaterThan(REQUESTS + 5);
    console.log(
      `chaos: ${REQUESTS} requests, ${upstreamCalls} upstream attempts, ${cut} streams cut after first byte`,
    );

    // Metered exactly once each: one usage event per request id, and as many as requests.
    const db = await gw.d1();
    const deadline = Date.now() + 20_000;
    let counted = { n: 0, ids: 0 };
    for (;;) {
      const { results: rows } = await db
        .prepare('SELECT count(*) AS n, count(DISTINCT request_id) AS ids FROM usage_events')
        .all<{ n: number; ids: number }>();
      counted = rows[0] ?? counted;
      if (counted.n >= REQUESTS || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    const { results: final } = await db
      .prepare('SELECT count(*) AS n, count(DISTINCT request_id) AS ids FROM usage_events')
      .all<{ n: number; ids: number }>();
    expect(final[0]).toEqual({ n: REQUESTS, ids: REQUESTS });
  }, 120_000);
});
