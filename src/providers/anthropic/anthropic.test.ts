import { describe, expect, it } from 'vitest';
import type { IRRequest, IRStreamEvent } from '../../bridge/ir';
import { InvalidRequestError } from '../../errors/gateway-error';
import { anthropicErrorToGateway } from './errors';
import { anthropicRequestToIR } from './request';
import { anthropicRequestFromIR, DEFAULT_MAX_TOKENS } from './request-encode';
import { anthropicUsageFromIR, anthropicUsageToIR } from './response';
import { anthropicStreamDecoder, anthropicStreamEncoder } from './stream';

const base = (extra: Partial<IRRequest> = {}): IRRequest => ({
  model: 'claude-x',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  tools: [],
  stop: [],
  stream: false,
  streamUsage: false,
  ...extra,
});

describe('Anthropic requests → IR', () => {
  it('gives tool results their own turn, first, and hoists system-role messages', () => {
    const ir = anthropicRequestToIR({
      model: 'claude-x',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Rules.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [
        { role: 'system', content: 'More rules.' },
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'done', is_error: true },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
      metadata: { user_id: 'u-7' },
    });
    expect(ir.system).toEqual([
      { type: 'text', text: 'Rules.', cache: { ttl: '1h' } },
      { type: 'text', text: 'More rules.' },
    ]);
    expect(ir.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' }] },
      {
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId: 'toolu_1',
            content: [{ type: 'text', text: 'done' }],
            isError: true,
          },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and now?' }] },
    ]);
    expect([
      ir.toolChoice,
      ir.parallelToolCalls,
      ir.reasoning,
      ir.user,
      ir.maxOutputTokens,
      ir.streamUsage,
    ]).toEqual(['required', false, { adaptive: true, effort: 'high' }, 'u-7', 100, true]);
  });

  it('refuses an unknown top-level field by name', () => {
    expect(() => anthropicRequestToIR({ model: 'm', max_tokens: 1, messages: [], mcp_servers: [] })).toThrow(
      expect.objectContaining({ code: 'unsupported_parameter', param: 'mcp_servers' }),
    );
  });
});

describe('IR → Anthropic requests', () => {
  it('merges a tool turn into the following user turn and drops unsigned reasoning', () => {
    const body = anthropicRequestFromIR(
      base({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'from another provider' },
              { type: 'tool_call', id: 'c1', name: 'f', arguments: '' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [], isError: false }] },
          { role: 'user', content: [{ type: 'text', text: 'next' }] },
        ],
      }),
    );
    expect(body['messages']).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: {} }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1' },
          { type: 'text', text: 'next' },
        ],
      },
    ]);
  });

  it('defaults max_tokens, raising it above a thinking budget, and turns effort into a budget', () => {
    expect(anthropicRequestFromIR(base())['max_tokens']).toBe(DEFAULT_MAX_TOKENS);
    const thinking = anthropicRequestFromIR(base({ reasoning: { effort: 'medium' } }));
    expect([thinking['max_tokens'], thinking['thinking']]).toEqual([
      DEFAULT_MAX_TOKENS + 8192,
      { type: 'enabled', budget_tokens: 8192 },
    ]);
    expect(anthropicRequestFromIR(base({ reasoning: { budgetTokens: 100 } }))['thinking']).toEqual({
      type: 'enabled',
      budget_tokens: 1024,
    });
    expect(anthropicRequestFromIR(base({ reasoning: { effort: 'none' } }))['thinking']).toBeUndefined();
  });

  it('asks for no parallel calls through tool_choice, and only with tools', () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    expect(anthropicRequestFromIR(base({ tools, parallelToolCalls: false }))['tool_choice']).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(anthropicRequestFromIR(base({ tools, toolChoice: { name: 'f' } }))['tool_choice']).toEqual({
      type: 'tool',
      name: 'f',
    });
    expect(anthropicRequestFromIR(base({ toolChoice: 'required' }))['tool_choice']).toBeUndefined();
  });

  it('refuses a temperature it cannot honour', () => {
    expect(() => anthropicRequestFromIR(base({ temperature: 1.2 }))).toThrow(InvalidRequestError);
  });
});

describe('Anthropic usage', () => {
  it('adds cache reads and writes to input_tokens (which excludes them) and back', () => {
    const wire = {
      input_tokens: 5,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 7,
      output_tokens: 12,
    };
    const u = anthropicUsageToIR(wire);
    expect(u).toEqual({
      promptTokens: 42,
      completionTokens: 12,
      cachedReadTokens: 30,
      cacheWriteTokens: 7,
      reasoningTokens: 0,
    });
    expect(anthropicUsageFromIR(u)).toEqual(wire);
    expect(
      anthropicUsageToIR({ ...wire, output_tokens_details: { thinking_tokens: 9 } }).reasoningTokens,
    ).toBe(9);
  });
});

describe('Anthropic errors', () => {
  it('reads an over-long prompt and an overload', () => {
    const ctx = anthropicErrorToGateway({
      status: 400,
      body: JSON.stringify({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'prompt is too long: 9 tokens > 8 maximum' },
      }),
    });
    expect(ctx.code).toBe('context_length_exceeded');
    const busy = anthropicErrorToGateway({
      status: 529,
      body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    });
    expect([busy.code, busy.status]).toEqual(['upstream_overloaded', 503]);
    expect(anthropicErrorToGateway({ status: 500, body: 'not json' }).code).toBe('upstream_error');
  });
});

describe('Anthropic streams', () => {
  it('turns an error event into an IR error with the right status', () => {
    const d = anthropicStreamDecoder();
    const events = [
      ...d.feed(
        'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3}}}\n\n',
      ),
      ...d.feed(
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
      ),
      ...d.end(),
    ];
    const last = events[events.length - 1];
    expect(events.map((e) => e.type)).toEqual(['message_start', 'error']);
    expect(last?.type === 'error' && last.error.code).toBe('upstream_overloaded');
  });

  it('encodes the documented event sequence with contiguous block indices', () => {
    const enc = anthropicStreamEncoder({ now: () => 0, streamUsage: false });
    const events: IRStreamEvent[] = [
      { type: 'message_start', id: 'm1', model: 'x' },
      { type: 'thinking_delta', index: 3, text: 'hmm' },
      { type: 'signature', index: 3, signature: 'sig' },
      { type: 'part_stop', index: 3 },
      { type: 'text_delta', index: 5, text: 'ok' },
      { type: 'tool_call_start', index: 6, id: 'c1', name: 'f' },
      { type: 'tool_call_delta', index: 6, arguments: '{}' },
      {
        type: 'usage',
        usage: {
          promptTokens: 9,
          completionTokens: 4,
          cachedReadTokens: 2,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        },
      },
      { type: 'message_stop', stopReason: 'tool_use' },
    ];
    const frames = events
      .map((e) => enc.push(e))
      .join('')
      .split('\n\n')
      .filter(Boolean)
      .map((f) => JSON.parse(f.split('\ndata: ')[1] ?? '{}') as Record<string, unknown>);
    expect(frames.map((f) => [f['type'], f['index'] ?? null])).toEqual([
      ['message_start', null],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['content_block_start', 2],
      ['content_block_delta', 2],
      ['content_block_stop', 2],
      ['message_delta', null],
      ['message_stop', null],
    ]);
    expect(frames[11]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 2,
        output_tokens: 4,
      },
    });
  });
});
