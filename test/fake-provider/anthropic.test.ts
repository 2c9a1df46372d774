// Drives the fake with the official `@anthropic-ai/sdk`: messages (JSON and stream), thinking,
// tool use, count_tokens, and errors.

import Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent, Tool } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { postJson, useFakeProvider } from './test-helpers';

const fake = useFakeProvider();
const client = (apiKey = 'fake-ok'): Anthropic =>
  new Anthropic({ apiKey, baseURL: fake().url, maxRetries: 0 });

const tools: Tool[] = [
  {
    name: 'get_weather',
    description: 'Weather for a city',
    input_schema: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['c', 'f'] },
        detail: { type: 'boolean' },
      },
      required: ['city', 'unit'],
    },
  },
  {
    name: 'get_time',
    input_schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
];

describe('messages', () => {
  it('answers with a text block and Anthropic usage', async () => {
    const msg = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: 'Be kind.',
      messages: [{ role: 'user', content: 'Hello Claude friend' }],
    });
    expect(msg.id).toMatch(/^msg_fake_\d+$/);
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    expect(msg.model).toBe('claude-sonnet-4-6');
    expect(msg.content).toEqual([{ type: 'text', text: 'Echo: Hello Claude friend' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({
      input_tokens: 5,
      output_tokens: 4,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    const rec = fake().requests[0];
    expect(rec?.key).toBe('fake-ok');
    expect(rec?.headers['anthropic-version']).toBeTruthy();
    // The 1.x SDK sends the key as a Bearer token; raw callers use x-api-key (see the ping test).
    expect(rec?.headers['authorization']).toBe('Bearer fake-ok');
  });

  it('streams the documented event sequence and finalMessage() matches', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'stream me please' }] }],
    });
    const events: MessageStreamEvent[] = [];
    stream.on('streamEvent', (e) => events.push(e));
    const final = await stream.finalMessage();
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(final.content).toEqual([{ type: 'text', text: 'Echo: stream me please' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 3, output_tokens: 4 });
  });

  it('sends ping after the first content_block_start on the wire', async () => {
    const res = await postJson(
      `${fake().url}/v1/messages`,
      { model: 'c', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] },
      { 'x-api-key': 'fake-ok', 'anthropic-version': '2023-06-01' },
    );
    const names = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.at(-1)).toBe('message_stop');
  });

  it('reports cache tokens beside input_tokens and emits a signed thinking block for reasoning', async () => {
    fake().script('sk-cache', [{ usage: { cachedTokens: 40, cacheWriteTokens: 8, reasoningTokens: 20 } }]);
    const params = {
      model: 'claude-opus-4-7',
      max_tokens: 200,
      messages: [{ role: 'user' as const, content: 'four words right here' }],
    };
    const msg = await client('sk-cache').messages.create(params);
    expect(msg.usage).toMatchObject({
      input_tokens: 4,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 8,
      output_tokens: 5 + 20,
    });
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const thinking = msg.content[0];
    if (thinking?.type !== 'thinking') throw new Error('expected thinking');
    expect(thinking.thinking).toBe('Thinking about: four words right here');
    expect(thinking.signature).not.toBe('');

    const streamed = await client('sk-cache').messages.stream(params).finalMessage();
    expect(streamed.content).toEqual([
      { type: 'thinking', thinking: 'Thinking about: four words right here', signature: expect.any(String) },
      { type: 'text', text: 'Echo: four words right here' },
    ]);
    expect(streamed.usage).toMatchObject({ input_tokens: 4, cache_read_input_tokens: 40, output_tokens: 25 });
  });

  it('counts the thinking text as output when thinking is enabled without scripted reasoning', async () => {
    const msg = await client().messages.create({
      model: 'claude-opus-4-7',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'ponder' }],
    });
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    // "Thinking about: ponder" (3) + "Echo: ponder" (2)
    expect(msg.usage.output_tokens).toBe(5);
  });
});

describe('tool use', () => {
  it('calls the first tool, with tool_use stop reason', async () => {
    const msg = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      tools,
      messages: [{ role: 'user', content: 'weather?' }],
    });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_fake_/),
        name: 'get_weather',
        input: { city: 'sample', unit: 'c' },
      },
    ]);
    expect(msg.usage).toMatchObject({ input_tokens: 1, output_tokens: 1 });
  });

  it('streams tool input as input_json_delta that the SDK parses', async () => {
    const final = await client()
      .messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        tools,
        tool_choice: { type: 'tool', name: 'get_time' },
        messages: [{ role: 'user', content: 'what time is it' }],
      })
      .finalMessage();
    expect(final.content).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'get_time', input: { tz: 'sample' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('calls two tools for parallel unless disabled, and answers in text after a tool_result', async () => {
    const ask = (extra: Partial<Anthropic.MessageCreateParamsNonStreaming>) =>
      client().messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        tools,
        messages: [{ role: 'user', content: 'both in parallel' }],
        ...extra,
      });
    expect((await ask({})).content.map((b) => (b.type === 'tool_use' ? b.name : b.type))).toEqual([
      'get_weather',
      'get_time',
    ]);
    const single = await ask({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    expect(single.content).toHaveLength(1);

    const after = await ask({
      messages: [
        { role: 'user', content: 'weather in Rome?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'hot and sunny' }] },
      ],
    });
    expect(after.content).toEqual([{ type: 'text', text: 'Echo: weather in Rome?' }]);
    expect(after.usage.input_tokens).toBe(3 + 3);
  });
});

describe('count_tokens and errors', () => {
  it('counts system and messages, not tools', async () => {
    const res = await client().messages.countTokens({
      model: 'claude-sonnet-4-6',
      system: [{ type: 'text', text: 'system words here' }],
      tools,
      messages: [
        { role: 'user', content: 'one two' },
        { role: 'assistant', content: 'three' },
      ],
    });
    expect(res).toEqual({ input_tokens: 6 });
    expect(fake().requests[0]?.path).toBe('/v1/messages/count_tokens');
  });

  it('requires anthropic-version and max_tokens', async () => {
    const noVersion = await postJson(
      `${fake().url}/v1/messages`,
      { model: 'c', max_tokens: 5, messages: [] },
      { 'x-api-key': 'fake-ok' },
    );
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    await expect(
      client().messages.create({
        model: 'c',
        messages: [],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400, error: { error: { message: 'max_tokens: Field required' } } });
  });

  it('surfaces a 429 with Retry-After as the SDK rate-limit error', async () => {
    const err = await client('fake-429-ra7')
      .messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    if (!(err instanceof Anthropic.RateLimitError)) return;
    expect(err.headers.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });
});
