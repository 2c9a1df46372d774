import { describe, expect, it } from 'vitest';
import type { IRRequest } from '../../bridge/ir';
import { openAIErrorToGateway } from './errors';
import { chatRequestToIR } from './request';
import { chatRequestFromIR } from './request-encode';
import { chatStreamDecoder, chatStreamEncoder } from './stream';

const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const delta = (d: unknown, finish: string | null = null) =>
  chunk({ id: 'c1', model: 'm', choices: [{ index: 0, delta: d, finish_reason: finish }] });

describe('chat requests → IR', () => {
  it('hoists system and developer messages, reads data-URL images, reasoning and tool turns', () => {
    const ir = chatRequestToIR({
      model: 'gpt',
      messages: [
        { role: 'system', content: 'A.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look', prompt_cache_breakpoint: { mode: 'explicit' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'thinking',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'r1' },
        { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'r2' }] },
        { role: 'developer', content: 'B.' },
      ],
      n: 1,
      store: true,
      max_tokens: 50,
      stream: true,
      stream_options: { include_usage: true },
      safety_identifier: 'u1',
    });
    expect(ir.system).toEqual([
      { type: 'text', text: 'A.' },
      { type: 'text', text: 'B.' },
    ]);
    expect(ir.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look', cache: {} },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'low' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'thinking' },
          { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'r1' }], isError: false },
          { type: 'tool_result', toolCallId: 'c2', content: [{ type: 'text', text: 'r2' }], isError: false },
        ],
      },
    ]);
    expect([ir.maxOutputTokens, ir.stream, ir.streamUsage, ir.user]).toEqual([50, true, true, 'u1']);
  });
});

describe('IR → chat requests', () => {
  const ir: IRRequest = {
    model: 'gpt',
    system: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    tools: [],
    stop: [],
    stream: true,
    streamUsage: false,
    maxOutputTokens: 10,
    parallelToolCalls: false,
    reasoning: { budgetTokens: 20000 },
  };

  it('always asks for stream usage, uses the configured max-tokens field, sends parallel only with tools', () => {
    expect(chatRequestFromIR(ir, { maxTokensField: 'max_tokens' })).toEqual({
      model: 'gpt',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    });
    const withTools = chatRequestFromIR(
      { ...ir, tools: [{ name: 'f', parameters: { type: 'object' } }] },
      { maxTokensField: 'max_completion_tokens' },
    );
    expect([withTools['parallel_tool_calls'], withTools['max_completion_tokens']]).toEqual([false, 10]);
  });
});

describe('chat stream decoder', () => {
  const decode = (text: string) => {
    const d = chatStreamDecoder();
    return [...d.feed(text), ...d.end()];
  };

  it("skips Azure's choice-less filter chunk and reads reasoning_content", () => {
    const events = decode(
      chunk({ id: '', model: '', choices: [], prompt_filter_results: [] }) +
        delta({ role: 'assistant', reasoning_content: 'why' }) +
        delta({ content: 'hi' }) +
        delta({}, 'stop') +
        'data: [DONE]\n\n',
    );
    expect(events).toEqual([
      { type: 'message_start', id: 'c1', model: 'm' },
      { type: 'thinking_delta', index: 0, text: 'why' },
      { type: 'part_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'hi' },
      { type: 'part_stop', index: 1 },
      { type: 'message_stop', stopReason: 'end_turn' },
    ]);
  });

  it('treats a finished stream without [DONE] as complete, and "stop" after tool calls as tool_use', () => {
    const events = decode(
      delta({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
      }) +
        delta({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }) +
        delta({}, 'stop'),
    );
    expect(events[events.length - 1]).toEqual({ type: 'message_stop', stopReason: 'tool_use' });
  });

  it('reports a refusal as content_filter and an error chunk as an error', () => {
    const refused = decode(`${delta({ refusal: 'No.' })}${delta({}, 'stop')}data: [DONE]\n\n`);
    expect(refused[refused.length - 1]).toEqual({ type: 'message_stop', stopReason: 'content_filter' });
    const failed = decode(
      `${delta({ content: 'a' })}${chunk({ error: { message: 'x', type: 'server_error' } })}`,
    );
    const last = failed[failed.length - 1];
    expect(last?.type === 'error' && last.error.code).toBe('upstream_error');
  });
});

describe('chat stream encoder', () => {
  it('sends the usage chunk only when the client asked for it', () => {
    const run = (streamUsage: boolean) => {
      const enc = chatStreamEncoder({ now: () => 1_000_000, streamUsage });
      return [
        enc.push({ type: 'message_start', id: 'x', model: 'm' }),
        enc.push({
          type: 'usage',
          usage: {
            promptTokens: 1,
            completionTokens: 2,
            cachedReadTokens: 0,
            cacheWriteTokens: 0,
            reasoningTokens: 0,
          },
        }),
        enc.push({ type: 'message_stop', stopReason: 'max_tokens' }),
      ].join('');
    };
    expect(run(false)).not.toContain('"usage"');
    expect(run(false)).toContain('"finish_reason":"length"');
    expect(run(true)).toContain(
      '"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3',
    );
    expect(run(true).endsWith('data: [DONE]\n\n')).toBe(true);
    expect(run(true)).toContain('"created":1000');
  });
});

describe('OpenAI errors', () => {
  it('separates a billing 429 from a rate limit and detects context length', () => {
    const quota = openAIErrorToGateway({
      status: 429,
      body: JSON.stringify({
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      }),
    });
    expect([quota.code, quota.status]).toEqual(['upstream_billing', 502]);
    const rate = openAIErrorToGateway({
      status: 429,
      body: '{"error":{"message":"slow","code":"rate_limit_exceeded"}}',
      retryAfter: '3',
    });
    expect(rate.headers()).toEqual({ 'retry-after': '3' });
    const ctx = openAIErrorToGateway({
      status: 400,
      body: JSON.stringify({
        error: { message: "This model's maximum context length is 8192 tokens.", code: null },
      }),
    });
    expect(ctx.code).toBe('context_length_exceeded');
  });
});
