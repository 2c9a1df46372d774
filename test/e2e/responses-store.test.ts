// Stateful Responses for models served through another protocol (protocol bridge): the gateway's own response
// store. The Vercel AI SDK's `openai.responses()` tool loop with its default `store: true` (step 2
// sends `item_reference` items for step 1's output), the openai SDK's `previous_response_id`
// chains and `GET /v1/responses/{id}`, against Anthropic, Gemini and OpenAI-compatible models,
// streamed and not. Ids are scoped to the account that made them.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, fakeLevel, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();
const otherKey = newGatewayKey();

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
          policy: { level_mapper: { 'claude-*': 1, 'gemini-*': 2, 'compat-*': 3, 'gpt-*': 4 } },
        },
        { id: 'other', name: 'Other', parent: 'org' },
      ],
      levels: [
        fakeLevel(fake, 1, 'anthropic', 'ant', 'anthropic'),
        fakeLevel(fake, 2, 'gemini', 'gem', 'gemini'),
        fakeLevel(fake, 3, 'compat', 'compat', 'openai-compatible'),
        fakeLevel(fake, 4, 'openai', 'oai', 'openai'),
      ],
      gateway_keys: [
        { id: 'k', account: 'org', name: 'app', key_env: 'KEY' },
        { id: 'k2', account: 'other', name: 'other app', key_env: 'KEY2' },
      ],
    },
    { UP: 'fake-ok', KEY: key, KEY2: otherKey },
  );
});

afterEach(() => fake.script('fake-ok', []));

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

const MODELS = ['claude-store', 'gemini-store', 'compat-store'];

const weather = tool({
  description: 'Current weather in a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => `Sunny in ${city}, 21 degrees`,
});

/** The item references a request sent (the AI SDK's request body as it was sent). */
const refsOf = (body: unknown): string[] =>
  ((body as { input?: { type?: string; id?: string }[] }).input ?? [])
    .filter((i) => i.type === 'item_reference')
    .map((i) => String(i.id));

describe.each(MODELS)('Vercel AI SDK openai.responses() with its default store: true → %s', (model) => {
  const provider = () => createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: key });
  // Anthropic answers with signed thinking here, so the SDK's step 2 refers to that reasoning item.
  const reasons = model.startsWith('claude');

  it.each([false, true])('a two-step tool loop, stream=%s', async (stream) => {
    fake.reset();
    if (reasons) fake.script('fake-ok', [{ usage: { reasoningTokens: 3 } }]);
    const call = {
      model: provider().responses(model),
      prompt: 'What is the weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    };
    const result = stream ? streamText(call) : await generateText(call);
    const [text, steps] = await Promise.all([result.text, result.steps]);
    expect(steps).toHaveLength(2);
    expect(steps[0]?.toolCalls.map((c) => [c.toolName, c.input])).toEqual([
      ['get_weather', { city: 'sample' }],
    ]);
    expect(text).toBe('Echo: What is the weather in Paris?');
    const upstream = fake.requests;
    expect(upstream).toHaveLength(2);
    const second = JSON.stringify(upstream[1]?.body);
    expect(second).toContain('get_weather');
    expect(second).toContain('Sunny in sample, 21 degrees');
    if (reasons) {
      // Step 2 sent a reference for step 1's reasoning; the upstream got the signed thinking back.
      expect(refsOf(steps[1]?.request.body)).toEqual([expect.stringMatching(/^rs_sy[0-9a-f]+_0$/)]);
      expect(second).toContain('Thinking about: What is the weather in Paris?');
      expect(second).toContain('"signature"');
    }
  });

  it('a conversation continued with the SDK response messages: the earlier answer is an item reference', async () => {
    fake.reset();
    const first = await generateText({
      model: provider().responses(model),
      prompt: 'My name is Ada.',
      maxRetries: 0,
    });
    expect(first.text).toBe('Echo: My name is Ada.');
    const second = await generateText({
      model: provider().responses(model),
      messages: [
        { role: 'user', content: 'My name is Ada.' },
        ...first.response.messages,
        { role: 'user', content: 'What is my name?' },
      ],
      maxRetries: 0,
    });
    expect(second.text).toBe('Echo: What is my name?');
    expect(refsOf(second.request.body)).toEqual([expect.stringMatching(/^msg_sy[0-9a-f]+_0$/)]);
    expect(JSON.stringify(fake.requests[1]?.body)).toContain('Echo: My name is Ada.');
  });
});

describe('previous_response_id and retrieval (openai SDK)', () => {
  const client = (k = key) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: k, maxRetries: 0 });

  it.each(MODELS)('%s: a chain of three turns carries the whole conversation upstream', async (model) => {
    fake.reset();
    const first = await client().responses.create({ model, input: 'My name is Ada.' });
    expect(first.id).toMatch(/^resp_sy[0-9a-f]+$/);
    expect((first as unknown as { store: boolean }).store).toBe(true);
    expect(first.output_text).toBe('Echo: My name is Ada.');
    const stream = await client().responses.create({
      model,
      input: 'What is my name?',
      previous_response_id: first.id,
      stream: true,
    });
    let secondId = '';
    let streamed = '';
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') streamed += e.delta;
      if (e.type === 'response.completed') secondId = e.response.id;
    }
    expect(streamed).toBe('Echo: What is my name?');
    const third = await client().responses.create({
      model,
      input: 'Thanks.',
      previous_response_id: secondId,
    });
    expect(third.output_text).toBe('Echo: Thanks.');
    const last = JSON.stringify(fake.requests.at(-1)?.body);
    for (const text of [
      'My name is Ada.',
      'Echo: My name is Ada.',
      'What is my name?',
      'Echo: What is my name?',
      'Thanks.',
    ])
      expect(last).toContain(text);

    const got = await client().responses.retrieve(third.id);
    expect(got).toMatchObject({
      id: third.id,
      status: 'completed',
      previous_response_id: secondId,
      store: true,
    });
    expect(got.output_text ?? (got.output[0] as { content: { text: string }[] }).content[0]?.text).toBe(
      'Echo: Thanks.',
    );
  });

  it('another account cannot read or continue a stored response: 404 and a 400 naming the field', async () => {
    const mine = await client().responses.create({ model: 'claude-store', input: 'secret plan' });
    await expect(client(otherKey).responses.retrieve(mine.id)).rejects.toMatchObject({
      status: 404,
      code: 'response_not_found',
    });
    await expect(
      client(otherKey).responses.create({
        model: 'claude-store',
        input: 'go on',
        previous_response_id: mine.id,
      }),
    ).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    // The owner still can, and can delete it.
    expect((await client().responses.retrieve(mine.id)).id).toBe(mine.id);
    await client().responses.delete(mine.id);
    await expect(client().responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
  });

  it('a stored conversation continues on a model served by OpenAI itself: the chain is inlined', async () => {
    fake.reset();
    const first = await client().responses.create({ model: 'claude-store', input: 'My name is Ada.' });
    const next = await client().responses.create({
      model: 'gpt-store',
      input: 'What is my name?',
      previous_response_id: first.id,
    });
    expect(next.output_text).toBe('Echo: What is my name?');
    const relayed = fake.requests.at(-1);
    expect(relayed?.path).toBe('/v1/responses');
    const body = relayed?.body as { previous_response_id?: string; input: unknown[] };
    expect(body.previous_response_id).toBeUndefined();
    expect(JSON.stringify(body.input)).toContain('Echo: My name is Ada.');
    expect(body.input).toHaveLength(3);
  });

  it('store: false keeps nothing; an unknown item reference is a 400 naming it', async () => {
    const r = await client().responses.create({ model: 'claude-store', input: 'forget me', store: false });
    expect(r.id).not.toMatch(/^resp_sy/);
    await expect(
      client().responses.create({
        model: 'claude-store',
        input: [{ type: 'item_reference', id: 'msg_sy0123456789abcdef01234567_0' }],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'input[0].id' });
  });
});

describe('built-in tools a provider cannot run', () => {
  const send = (model: string, stream: boolean) =>
    fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        stream,
        store: false,
        input: 'hello',
        tools: [
          { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } },
          { type: 'web_search', external_web_access: false },
          { type: 'local_shell' },
        ],
        tool_choice: 'none',
      }),
    });

  it.each([false, true])(
    'are left out and named in x-switchyard-dropped (stream=%s); web search goes to Anthropic',
    async (stream) => {
      fake.reset();
      const compat = await send('compat-store', stream);
      expect(compat.status).toBe(200);
      expect(compat.headers.get('x-switchyard-dropped')).toBe(
        'tools[2] (local_shell); tools[1] (web_search)',
      );
      await compat.text();
      expect(JSON.stringify(fake.requests.at(-1)?.body)).not.toContain('web_search');

      const claude = await send('claude-store', stream);
      expect(claude.headers.get('x-switchyard-dropped')).toBe('tools[2] (local_shell)');
      await claude.text();
      const sent = fake.requests.at(-1)?.body as { tools: { type?: string }[] } | undefined;
      expect(sent?.tools.map((t) => t.type)).toEqual([undefined, 'web_search_20250305']);
    },
  );
});
