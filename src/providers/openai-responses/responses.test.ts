import { describe, expect, it } from 'vitest';
import type { IRStreamEvent } from '../../bridge/ir';
import { sseEvent } from '../../bridge/sse';
import { collectStream } from '../../bridge/stream';
import { zeroUsage } from '../../usage/types';
import { responsesRequestToIR } from './request';
import { responsesResponseToIR } from './response';
import { responsesStreamDecoder, responsesStreamEncoder } from './stream';

const types = (sse: string) =>
  sse
    .split('\n\n')
    .filter(Boolean)
    .map((f) => JSON.parse(f.split('\ndata: ')[1] ?? '{}') as { type: string; sequence_number: number });

describe('Responses stream encoder', () => {
  it('emits the semantic event sequence, numbered, ending incomplete on max tokens', () => {
    const enc = responsesStreamEncoder({ now: () => 5_000, streamUsage: true });
    const events: IRStreamEvent[] = [
      { type: 'message_start', id: 'resp_1', model: 'm' },
      { type: 'thinking_delta', index: 0, text: 'plan' },
      { type: 'signature', index: 0, signature: 'c2ln' },
      { type: 'part_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Hi' },
      { type: 'part_stop', index: 1 },
      { type: 'tool_call_start', index: 2, id: 'call_1', name: 'f' },
      { type: 'tool_call_delta', index: 2, arguments: '{}' },
      { type: 'part_stop', index: 2 },
      { type: 'usage', usage: { ...zeroUsage(), promptTokens: 4, completionTokens: 2 } },
      { type: 'message_stop', stopReason: 'max_tokens' },
    ];
    const frames = types(events.map((e) => enc.push(e)).join(''));
    expect(frames.map((f) => f.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(frames.map((f) => f.sequence_number)).toEqual(frames.map((_, i) => i));
    expect(frames[frames.length - 1]).toMatchObject({
      response: {
        id: 'resp_1',
        created_at: 5,
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output: [
          {
            id: 'rs_0',
            type: 'reasoning',
            encrypted_content: 'c2ln',
            summary: [{ type: 'summary_text', text: 'plan' }],
          },
          { id: 'msg_1', type: 'message' },
          { id: 'fc_2', type: 'function_call', call_id: 'call_1', arguments: '{}' },
        ],
        usage: { input_tokens: 4, output_tokens: 2, total_tokens: 6 },
      },
    });
  });
});

describe('Responses stream decoder', () => {
  it('joins summary parts like a whole response does and keeps encrypted content as the signature', () => {
    const done = {
      id: 'resp_9',
      model: 'o-model',
      status: 'completed',
      output: [
        {
          id: 'rs_a',
          type: 'reasoning',
          summary: [
            { type: 'summary_text', text: 'First.' },
            { type: 'summary_text', text: 'Second.' },
          ],
          encrypted_content: 'gAAA',
        },
        {
          id: 'msg_a',
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Done.' }],
        },
      ],
      usage: {
        input_tokens: 10,
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 12 },
        input_tokens_details: { cached_tokens: 4 },
      },
    };
    const e = (data: Record<string, unknown>) => sseEvent(data, String(data['type']));
    const sse = [
      e({ type: 'response.created', response: { id: 'resp_9', model: 'o-model', output: [] } }),
      e({
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'rs_a', type: 'reasoning', summary: [] },
      }),
      e({ type: 'response.reasoning_summary_part.added', output_index: 0, summary_index: 0 }),
      e({
        type: 'response.reasoning_summary_text.delta',
        output_index: 0,
        summary_index: 0,
        delta: 'First.',
      }),
      e({ type: 'response.reasoning_summary_part.added', output_index: 0, summary_index: 1 }),
      e({
        type: 'response.reasoning_summary_text.delta',
        output_index: 0,
        summary_index: 1,
        delta: 'Second.',
      }),
      e({ type: 'response.output_item.done', output_index: 0, item: done.output[0] }),
      e({
        type: 'response.output_item.added',
        output_index: 1,
        item: { id: 'msg_a', type: 'message', content: [] },
      }),
      e({ type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'Done.' }),
      e({ type: 'response.output_item.done', output_index: 1, item: done.output[1] }),
      e({ type: 'response.completed', response: done }),
    ].join('');
    const d = responsesStreamDecoder();
    const streamed = collectStream([...d.feed(sse), ...d.end()]).response();
    expect(streamed).toEqual(responsesResponseToIR(done));
    expect(streamed.content[0]).toEqual({ type: 'thinking', text: 'First.\n\nSecond.', signature: 'gAAA' });
    expect(streamed.usage).toEqual({
      promptTokens: 10,
      completionTokens: 20,
      cachedReadTokens: 4,
      cacheWriteTokens: 0,
      reasoningTokens: 12,
    });
  });

  it('turns response.failed into an error carrying the right status', () => {
    const d = responsesStreamDecoder();
    const events = [
      ...d.feed(
        sseEvent({ type: 'response.created', response: { id: 'r', model: 'm' } }, 'response.created'),
      ),
      ...d.feed(
        sseEvent(
          {
            type: 'response.failed',
            response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'x' } },
          },
          'response.failed',
        ),
      ),
      ...d.end(),
    ];
    const last = events[events.length - 1];
    expect(last?.type === 'error' && [last.error.code, last.error.status]).toEqual([
      'upstream_rate_limited',
      429,
    ]);
  });
});

describe('Responses requests → IR', () => {
  it('reads redacted reasoning, images and hoisted developer text; refuses automatic truncation', () => {
    const ir = responsesRequestToIR({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/', detail: 'auto' }],
        },
        { type: 'reasoning', id: 'rs_0', summary: [], encrypted_content: 'redacted:ENC' },
        { role: 'developer', content: 'Be safe.' },
      ],
    });
    expect(ir.system).toEqual([{ type: 'text', text: 'Be safe.' }]);
    expect(ir.messages).toEqual([
      {
        role: 'user',
        content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } }],
      },
      { role: 'assistant', content: [{ type: 'thinking', text: '', redactedData: 'ENC' }] },
    ]);
    expect(() => responsesRequestToIR({ model: 'm', input: 'x', truncation: 'auto' })).toThrow(
      expect.objectContaining({ param: 'truncation' }),
    );
  });
});
