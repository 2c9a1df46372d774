// Drives the fake's Responses API (`POST /v1/responses`) with the official `openai` SDK.

import type OpenAI from 'openai';
import type { FunctionTool } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { openAIClient, timeParams, useFakeProvider, weatherParams } from './test-helpers';

const fake = useFakeProvider();
const client = (apiKey = 'fake-ok'): OpenAI => openAIClient(fake().url, apiKey);

describe('responses API', () => {
  const fnTools: FunctionTool[] = [
    { type: 'function', name: 'get_weather', parameters: weatherParams, strict: false },
    { type: 'function', name: 'get_time', parameters: timeParams, strict: false },
  ];

  it('answers with a message item, counting instructions as prompt', async () => {
    const res = await client().responses.create({
      model: 'gpt-4.1',
      instructions: 'Be brief.',
      input: 'Hello responses API',
    });
    expect(res.id).toMatch(/^resp_fake_\d+$/);
    expect(res.status).toBe('completed');
    expect(res.model).toBe('gpt-4.1');
    expect(res.output_text).toBe('Echo: Hello responses API');
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(res.usage).toEqual({
      input_tokens: 5,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 9,
    });
  });

  it('streams the semantic events in order', async () => {
    const stream = client().responses.stream({
      model: 'gpt-4.1',
      input: [{ role: 'user', content: 'two words' }],
    });
    const events: { type: string; sequence_number: number }[] = [];
    const deltas: string[] = [];
    stream.on('event', (e) => events.push(e));
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(deltas).toEqual(['Echo:', ' two', ' words']);
    expect(final.output_text).toBe('Echo: two words');
    expect(final.usage).toMatchObject({ input_tokens: 2, output_tokens: 3, total_tokens: 5 });
  });

  it('streams function calls with argument deltas', async () => {
    const stream = client().responses.stream({ model: 'gpt-4.1', input: 'weather?', tools: fnTools });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.indexOf('response.function_call_arguments.done')).toBeLessThan(
      types.indexOf('response.output_item.done'),
    );
    const item = final.output[0];
    if (item?.type !== 'function_call') throw new Error('expected a function call');
    expect(item.name).toBe('get_weather');
    expect(item.call_id).toMatch(/^call_fake_/);
    expect(JSON.parse(item.arguments)).toEqual({ city: 'sample', unit: 'celsius' });
  });

  it('answers in text after a function_call_output and reports reasoning', async () => {
    fake().script('sk-reason', [{ usage: { reasoningTokens: 12, cachedTokens: 3 } }]);
    const res = await client('sk-reason').responses.create({
      model: 'o4-mini',
      tools: fnTools,
      input: [
        { role: 'user', content: 'weather in Oslo?' },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'cold' },
      ],
    });
    expect(res.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    const streamed = await client('sk-reason')
      .responses.stream({ model: 'o4-mini', input: 'think first' })
      .finalResponse();
    expect(streamed.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    expect(streamed.output_text).toBe('Echo: think first');
    expect(streamed.usage?.output_tokens_details.reasoning_tokens).toBe(12);
    expect(res.output_text).toBe('Echo: weather in Oslo?');
    expect(res.usage).toMatchObject({
      input_tokens: 4 + 3,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 4 + 12,
      output_tokens_details: { reasoning_tokens: 12 },
    });
  });
});
