// Drives the fake with the official `openai` SDK: chat (JSON, stream, tools), embeddings,
// models, and Azure OpenAI.

import type OpenAI from 'openai';
import { AzureOpenAI } from 'openai';
import type { ChatCompletionChunk, ChatCompletionTool } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { embedVector } from './conversation';
import {
  openAIClient,
  parseSseText,
  postJson,
  timeParams,
  useFakeProvider,
  weatherParams,
} from './test-helpers';

const fake = useFakeProvider();
const client = (apiKey = 'fake-ok'): OpenAI => openAIClient(fake().url, apiKey);

const chatTools: ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: weatherParams } },
  { type: 'function', function: { name: 'get_time', parameters: timeParams } },
];

describe('chat completions', () => {
  it('answers with the echo, exact usage, and records the request', async () => {
    const res = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello to the fake' },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-fake-\d+$/);
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]?.message.content).toBe('Echo: Say hello to the fake');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 6,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    });
    const [rec] = fake().requests;
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/chat/completions', key: 'fake-ok' });
    expect(rec?.headers['authorization']).toBe('Bearer fake-ok');
    expect(rec?.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(fake().unexpected).toEqual([]);
  });

  it('reports cached, cache-write and reasoning tokens inside the OpenAI totals', async () => {
    fake().script('sk-usage', [{ usage: { cachedTokens: 4, cacheWriteTokens: 2, reasoningTokens: 7 } }]);
    const res = await client('sk-usage').chat.completions.create({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'one two three' }],
    });
    expect(res.usage).toMatchObject({
      prompt_tokens: 3 + 4 + 2,
      completion_tokens: 4 + 7,
      total_tokens: 9 + 11,
      prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 2 },
      completion_tokens_details: { reasoning_tokens: 7 },
    });
  });

  it('streams one delta per word and a choices-less usage chunk with include_usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream these words' }],
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content));
    expect(deltas).toEqual(['', 'Echo:', ' stream', ' these', ' words', undefined]);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('sends no usage at all in a stream without include_usage, and ends with [DONE]', async () => {
    const res = await postJson(
      `${fake().url}/v1/chat/completions`,
      { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      { authorization: 'Bearer fake-ok' },
    );
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).not.toContain('usage');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    // Every delta chunk carries OpenAI's obfuscation padding by default...
    const chunks = parseSseText(text)
      .slice(0, -1)
      .map((f) => JSON.parse(f.data) as Record<string, unknown>);
    for (const c of chunks) expect(c['obfuscation']).toMatch(/^[A-Za-z0-9]{1,15}$/);
    // ...and none when include_obfuscation is false.
    const plain = await postJson(
      `${fake().url}/v1/chat/completions`,
      {
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_obfuscation: false },
        messages: [{ role: 'user', content: 'hi' }],
      },
      { authorization: 'Bearer fake-ok' },
    );
    expect(await plain.text()).not.toContain('obfuscation');
  });

  it('calls the first tool with arguments from its schema', async () => {
    const res = await client().chat.completions.create({
      model: 'gpt-4o',
      tools: chatTools,
      messages: [{ role: 'user', content: 'What is the weather?' }],
    });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    const call = calls[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_fake_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'sample', unit: 'celsius' });
    expect(res.usage?.completion_tokens).toBe(1);
    expect(res.usage?.prompt_tokens).toBe(4);
  });

  it('honours a forced tool, parallel requests, parallel_tool_calls:false and tool_choice none', async () => {
    const names = async (extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>, text: string) => {
      const res = await client().chat.completions.create({
        model: 'gpt-4o',
        tools: chatTools,
        messages: [{ role: 'user', content: text }],
        ...extra,
      });
      const msg = res.choices[0]?.message;
      return msg?.tool_calls?.map((c) => (c.type === 'function' ? c.function.name : c.type)) ?? msg?.content;
    };
    expect(
      await names({ tool_choice: { type: 'function', function: { name: 'get_time' } } }, 'time?'),
    ).toEqual(['get_time']);
    expect(await names({}, 'run both in parallel')).toEqual(['get_weather', 'get_time']);
    expect(await names({ parallel_tool_calls: false }, 'run both in parallel')).toEqual(['get_weather']);
    expect(await names({ tool_choice: 'none' }, 'just talk')).toBe('Echo: just talk');
  });

  it('answers in text once a tool result is present, counting the tool result as prompt', async () => {
    const res = await client().chat.completions.create({
      model: 'gpt-4o',
      tools: chatTools,
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny and warm' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('Echo: weather in Paris?');
    expect(res.usage?.prompt_tokens).toBe(3 + 3);
  });

  it('streams tool calls that the SDK assembles', async () => {
    const stream = client().chat.completions.stream({
      model: 'gpt-4o',
      tools: chatTools,
      messages: [{ role: 'user', content: 'both in parallel' }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(
      calls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : [])),
    ).toEqual([
      ['get_weather', { city: 'sample', unit: 'celsius' }],
      ['get_time', { tz: 'sample' }],
    ]);
    expect(final.usage?.completion_tokens).toBe(2);
  });

  it('rejects a request without model or messages like OpenAI does', async () => {
    await expect(client().chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', param: 'messages' },
    });
  });
});

describe('embeddings and models', () => {
  it('returns deterministic vectors in base64 (SDK default) and float form', async () => {
    const input = ['hello world', 'second text here'];
    const viaBase64 = await client().embeddings.create({ model: 'text-embedding-3-small', input });
    const viaFloat = await client().embeddings.create({
      model: 'text-embedding-3-small',
      input,
      encoding_format: 'float',
    });
    expect(fake().requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    for (const res of [viaBase64, viaFloat]) {
      expect(res.data.map((d) => Array.from(d.embedding))).toEqual(input.map((t) => embedVector(t)));
      expect(res.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
      expect(res.model).toBe('text-embedding-3-small');
    }
    const sized = await client().embeddings.create({
      model: 'm',
      input: 'x',
      dimensions: 3,
      encoding_format: 'float',
    });
    expect(sized.data[0]?.embedding).toHaveLength(3);
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const m of client().models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o-mini');
  });
});

describe('Azure OpenAI', () => {
  const azure = (apiKey = 'fake-ok'): AzureOpenAI =>
    new AzureOpenAI({
      apiKey,
      endpoint: fake().url,
      apiVersion: '2024-10-21',
      deployment: 'my-gpt',
      maxRetries: 0,
    });

  it('serves chat on the deployment path with api-key auth and content filter results', async () => {
    const res = await azure().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hello azure' }],
    });
    expect(res.choices[0]?.message.content).toBe('Echo: hello azure');
    const rec = fake().requests[0];
    expect(rec?.path).toBe('/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21');
    expect(rec?.key).toBe('fake-ok');
    expect(rec?.headers['api-key']).toBe('fake-ok');
    expect(res).toHaveProperty('prompt_filter_results');
  });

  it('streams with the Azure prompt-filter chunk first', async () => {
    const stream = await azure().chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]?.choices).toEqual([]);
    expect(chunks[0]).toHaveProperty('prompt_filter_results');
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('')).toBe('Echo: hi');
  });

  it('serves embeddings, and rejects a request without api-version', async () => {
    const res = await azure().embeddings.create({ model: 'emb', input: 'a b', encoding_format: 'float' });
    expect(res.usage.prompt_tokens).toBe(2);
    const bad = await postJson(
      `${fake().url}/openai/deployments/my-gpt/chat/completions`,
      { messages: [{ role: 'user', content: 'x' }] },
      { 'api-key': 'fake-ok' },
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'api-version' },
    });
  });
});
