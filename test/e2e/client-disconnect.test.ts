// A client that goes away is still metered: every request that reached the upstream leaves a usage
// event, whether the client hung up before the headers or in the middle of the stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [{ id: 'org', name: 'Org', policy: { level_mapper: { '*': 1 } } }],
      levels: [
        {
          id: 1,
          name: 'slow upstream',
          keys: [
            { id: 'slow', provider: 'openai-compatible', base_url: `${fake.url}/v1`, key_env: 'UPSTREAM' },
          ],
        },
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'k', key_env: 'KEY' }],
      prices: [{ model: 'fake-m', input: '1', output: '1' }],
    },
    // 40 ms between chunks, so the client can leave mid-stream.
    { UPSTREAM: 'fake-drip-40', KEY: key },
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

function start(content: string, signal: AbortSignal) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fake-m', stream: true, messages: [{ role: 'user', content }] }),
    signal,
  });
}

describe('client disconnects', () => {
  it('meters streams abandoned mid-stream and before the headers, with what the upstream generated', async () => {
    const words = 'one two three four five six seven eight nine ten';
    const runs = Array.from({ length: 20 }, async (_, i) => {
      const controller = new AbortController();
      if (i % 2 === 0) {
        // Leave right after the first bytes.
        const res = await start(words, controller.signal);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        controller.abort();
      } else {
        // Leave before the headers.
        const pending = start(words, controller.signal).catch(() => undefined);
        setTimeout(() => controller.abort(), 5);
        await pending;
      }
    });
    await Promise.all(runs);
    const db = await gw.d1();
    const deadline = Date.now() + 20_000;
    let rows: { n: number; prompt: number; completion: number }[] = [];
    for (;;) {
      rows = (
        await db
          .prepare(
            'SELECT count(*) AS n, sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion FROM usage_events',
          )
          .all<(typeof rows)[0]>()
      ).results;
      const upstreamCalls = fake.requests.filter((r) => r.path === '/v1/chat/completions').length;
      if ((rows[0]?.n ?? 0) >= upstreamCalls && upstreamCalls > 0) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const upstreamCalls = fake.requests.filter((r) => r.path === '/v1/chat/completions').length;
    expect(upstreamCalls).toBeGreaterThan(0);
    expect(rows[0]?.n).toBe(upstreamCalls);
    // The upstream finished every generation it started: 10 prompt words; "Echo: " + 10 words = 11.
    expect(rows[0]?.prompt).toBe(10 * upstreamCalls);
    expect(rows[0]?.completion).toBe(11 * upstreamCalls);
  });
});
