// Every client SDK × every provider protocol (client protocols; protocol bridge), through the real gateway
// bundle on workerd:
// the official openai, @anthropic-ai/sdk and @google/genai SDKs and the Vercel AI SDK, against
// upstream levels of kind openai-compatible, openai, anthropic and gemini (all on the fake
// provider). Same protocol is passed through, the rest translated; each pair is run whole and
// streamed, with and without a tool, and every call must be metered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, fakeLevel, newGatewayKey } from '../harness/seed';
import { type SdkClient, sdkClients } from './sdk-clients';

let gw: RunningGateway;
let fake: FakeProvider;
let clients: SdkClient[] = [];
let calls = 0;
const key = newGatewayKey();

const PROVIDERS = [
  { kind: 'openai-compatible', model: 'compat-model' },
  { kind: 'openai', model: 'oai-model' },
  { kind: 'anthropic', model: 'claude-model' },
  { kind: 'gemini', model: 'gemini-model' },
] as const;

// The SDK list is built once the gateway's URL is known; the names are needed to declare the tests.
const CLIENT_NAMES = sdkClients('http://unused', 'unused').map((c) => c.name);

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
          policy: { level_mapper: { 'compat-*': 1, 'oai-*': 2, 'claude-*': 3, 'gemini-*': 4 } },
        },
      ],
      levels: [
        fakeLevel(fake, 1, 'openai-compatible', 'compat', 'openai-compatible'),
        fakeLevel(fake, 2, 'openai', 'oai', 'openai'),
        fakeLevel(fake, 3, 'anthropic', 'ant', 'anthropic'),
        fakeLevel(fake, 4, 'gemini', 'gem', 'gemini'),
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'matrix', key_env: 'KEY' }],
    },
    { UP: 'fake-ok', KEY: key },
  );
  clients = sdkClients(gw.url, key);
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

describe.each(CLIENT_NAMES)('%s', (clientName) => {
  const client = () => clients.find((c) => c.name === clientName) as SdkClient;

  describe.each(PROVIDERS)('→ $kind', ({ model }) => {
    it.each([false, true])('text, stream=%s', async (stream) => {
      const prompt = `hello from ${clientName.replaceAll(' ', '-')}`;
      calls++;
      const out = await client().run(model, prompt, { stream, tools: false });
      expect(out.text).toBe(`Echo: ${prompt}`);
      expect(out.toolCalls).toEqual([]);
    });

    it.each([false, true])('tool call, stream=%s', async (stream) => {
      calls++;
      const out = await client().run(model, 'what is the weather in Paris', { stream, tools: true });
      expect(out.toolCalls).toEqual([{ name: 'get_weather', args: { city: 'sample' } }]);
    });
  });
});

describe('metering of the matrix', () => {
  it('recorded every call, with usage from the provider, and sent nothing unexpected upstream', async () => {
    expect(fake.unexpected).toEqual([]);
    const db = await gw.d1();
    const deadline = Date.now() + 20_000;
    let rows: { n: number; errors: number; estimated: number; unreported: number }[] = [];
    while (Date.now() < deadline) {
      rows = (
        await db
          .prepare(
            'SELECT count(*) AS n, sum(status <> 200) AS errors, sum(estimated) AS estimated, sum(prompt_tokens = 0 OR completion_tokens = 0) AS unreported FROM usage_events',
          )
          .all<(typeof rows)[0]>()
      ).results;
      if ((rows[0]?.n ?? 0) >= calls) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rows[0]).toEqual({ n: calls, errors: 0, estimated: 0, unreported: 0 });
  });
});
