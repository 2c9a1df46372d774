// The official `openai` SDK, as users run it, pointed at the gateway (real workerd, D1, Durable
// Objects, Queue) routing to the fake provider as an openai-compatible upstream on 127.0.0.1.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
let client: OpenAI;

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
  const key = newGatewayKey();
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [
        {
          id: 'org',
          name: 'Org',
          policy: {
            allow_models: ['fake-*'],
            model_mapper: { 'gpt-4o': 'fake-large' },
            level_mapper: { '*': 1 },
          },
        },
        { id: 'app', parent: 'org', name: 'App' },
      ],
      levels: [
        {
          id: 1,
          name: 'local upstream',
          keys: [
            {
              id: 'local',
              provider: 'openai-compatible',
              base_url: `${fake.url}/v1`,
              key_env: 'LOCAL_UPSTREAM_KEY',
            },
          ],
        },
      ],
      gateway_keys: [{ id: 'app-key', account: 'app', name: 'app', key_env: 'APP_KEY' }],
      prices: [{ model: 'fake-large', input: '3', output: '15' }],
    },
    { LOCAL_UPSTREAM_KEY: 'fake-ok', APP_KEY: key },
  );
  client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

describe('openai SDK through the gateway', () => {
  it('creates a chat completion', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'ping from the sdk' }],
    });
    expect(res.choices[0]?.message.content).toBe('Echo: ping from the sdk');
    expect(res.model).toBe('fake-large');
    expect(res.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5 });
  });

  it('streams a chat completion chunk by chunk, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream these words please' }],
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Echo: stream these words please');
    expect(chunks).toBeGreaterThan(4);
    expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5 });
    const seen = fake.requests.at(-1);
    expect(seen?.key).toBe('fake-ok');
    expect(seen?.body).toMatchObject({ model: 'fake-large', stream: true });
  });

  it('surfaces gateway refusals as typed SDK errors with stable codes', async () => {
    const err = await client.chat.completions
      .create({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_allowed');
    const bad = new OpenAI({ apiKey: 'sy_forged', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });

  it('meters every SDK call into D1 through the Queue', async () => {
    const db = await gw.d1();
    const deadline = Date.now() + 15_000;
    let rows: { requests: number; prompt_tokens: number; completion_tokens: number; cost_micros: number }[] =
      [];
    while (Date.now() < deadline) {
      rows = (
        await db
          .prepare(
            "SELECT requests, prompt_tokens, completion_tokens, cost_micros FROM usage_daily WHERE account_id = 'app'",
          )
          .all<(typeof rows)[0]>()
      ).results;
      if (rows[0]?.requests === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Two successful calls of 4 prompt + 5 completion tokens at $3 / $15 per million tokens.
    expect(rows).toEqual([
      { requests: 2, prompt_tokens: 8, completion_tokens: 10, cost_micros: 8 * 3 + 10 * 15 },
    ]);
    expect(fake.unexpected).toEqual([]);
  });
});
