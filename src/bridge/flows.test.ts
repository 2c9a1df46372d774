// The two cross-protocol journeys the protocol bridge promises, end to end through the pure bridge: Claude
// Code (the
// Anthropic protocol) against an OpenAI-compatible model, and Codex (the Responses protocol)
// against an Anthropic model — two turns each, read back with the official SDKs.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../providers/anthropic';
import { openAICompatibleChatAdapter } from '../providers/openai';
import { openAIResponsesAdapter } from '../providers/openai-responses';
import type { BridgeAdapter } from './adapter';
import type { IRStreamEvent } from './ir';
import { sseEvent } from './sse';

const ctx = { now: () => 1_767_225_600_000, streamUsage: true };

function relay(upstream: BridgeAdapter, client: BridgeAdapter, sse: string): string {
  const d = upstream.streamDecoder();
  const events: IRStreamEvent[] = [...d.feed(sse), ...d.end()];
  const enc = client.streamEncoder(ctx);
  return events.map((e) => enc.push(e)).join('');
}

const sseResponse = (body: string) => async () =>
  new Response(body, { headers: { 'content-type': 'text/event-stream' } });

describe('Claude Code → OpenAI-compatible model', () => {
  const tools = [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
    },
  ];
  const first = {
    model: 'claude-sonnet-4-6',
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Project rules.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'list files' }] }],
    tools,
    thinking: { type: 'enabled', budget_tokens: 4000 },
    metadata: { user_id: 'user_abc' },
    stream: true,
  };

  it('translates the request, relays a reasoning + tool-call stream, and carries the next turn', async () => {
    const body = openAICompatibleChatAdapter.encodeRequest(anthropicAdapter.decodeRequest(first));
    expect(body).toEqual({
      model: 'claude-sonnet-4-6',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'You are Claude Code.' },
            { type: 'text', text: 'Project rules.' },
          ],
        },
        { role: 'user', content: 'list files' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'Bash', description: 'Run a command', parameters: tools[0]?.input_schema },
        },
      ],
      max_tokens: 32000,
      reasoning_effort: 'medium',
      user: 'user_abc',
      stream: true,
      stream_options: { include_usage: true },
    });

    // What a DeepSeek-style server streams back.
    const chunk = (delta: unknown, finish: string | null = null) =>
      sseEvent({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'deepseek-chat',
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
    const upstream = [
      chunk({ role: 'assistant', content: null, reasoning_content: 'Use ls.' }),
      chunk({
        tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'Bash', arguments: '' } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"command":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }),
      chunk({}, 'tool_calls'),
      sseEvent({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'deepseek-chat',
        choices: [],
        usage: { prompt_tokens: 120, completion_tokens: 15, prompt_tokens_details: { cached_tokens: 100 } },
      }),
      sseEvent('[DONE]'),
    ].join('');
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://bridge.test',
      maxRetries: 0,
      fetch: sseResponse(relay(openAICompatibleChatAdapter, anthropicAdapter, upstream)),
    });
    const message = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Use ls.', signature: '' },
      { type: 'tool_use', id: 'call_9', name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 20,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 0,
      output_tokens: 15,
    });

    // Turn two: Claude Code sends the whole exchange back with the tool result.
    const second = {
      ...first,
      messages: [
        ...first.messages,
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_9', content: 'a.txt\nb.txt' }] },
      ],
    };
    const next = openAICompatibleChatAdapter.encodeRequest(anthropicAdapter.decodeRequest(second));
    expect((next['messages'] as unknown[]).slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_9', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_9', content: 'a.txt\nb.txt' },
    ]);
  });
});

describe('Codex (Responses) → Anthropic model', () => {
  const tool = {
    type: 'function',
    name: 'shell',
    description: 'Run a command',
    parameters: {
      type: 'object',
      properties: { command: { type: 'array', items: { type: 'string' } } },
      required: ['command'],
    },
    strict: false,
  };
  const first = {
    model: 'claude-sonnet-4-6',
    instructions: 'You are Codex.',
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Sandbox: read-only.' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'what is here?' }] },
    ],
    tools: [tool],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'conv-1',
  };

  it('translates the request, relays thinking + tool use as Responses items, and replays them next turn', async () => {
    const body = anthropicAdapter.encodeRequest(openAIResponsesAdapter.decodeRequest(first));
    expect(body).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 8192 + 8192,
      system: [
        { type: 'text', text: 'You are Codex.' },
        { type: 'text', text: 'Sandbox: read-only.' },
      ],
      messages: [{ role: 'user', content: 'what is here?' }],
      tools: [{ name: 'shell', description: 'Run a command', input_schema: tool.parameters, strict: false }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 8192 },
    });

    const ev = (data: Record<string, unknown>) => sseEvent(data, String(data['type']));
    const upstream = [
      ev({
        type: 'message_start',
        message: {
          id: 'msg_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-6',
          content: [],
          usage: { input_tokens: 50, cache_read_input_tokens: 0, output_tokens: 1 },
        },
      }),
      ev({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      }),
      ev({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'List the directory.' },
      }),
      ev({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: 'RXVnZW5l' },
      }),
      ev({ type: 'content_block_stop', index: 0 }),
      ev({
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'shell', input: {} },
      }),
      ev({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"command":["ls"]}' },
      }),
      ev({ type: 'content_block_stop', index: 1 }),
      ev({
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 30 },
      }),
      ev({ type: 'message_stop' }),
    ].join('');
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://bridge.test/v1',
      maxRetries: 0,
      fetch: sseResponse(relay(anthropicAdapter, openAIResponsesAdapter, upstream)),
    });
    const response = await client.responses.stream({ model: 'm', input: 'x' }).finalResponse();
    expect(response.status).toBe('completed');
    expect(response.output).toMatchObject([
      {
        id: 'rs_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'List the directory.' }],
        encrypted_content: 'RXVnZW5l',
      },
      {
        id: 'fc_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'shell',
        arguments: '{"command":["ls"]}',
      },
    ]);
    expect(response.usage).toMatchObject({ input_tokens: 50, output_tokens: 30 });

    // Turn two: Codex replays the items it received and adds the tool output.
    const second = {
      ...first,
      input: [
        ...first.input,
        ...response.output,
        { type: 'function_call_output', call_id: 'toolu_1', output: 'README.md' },
      ],
    };
    const next = anthropicAdapter.encodeRequest(openAIResponsesAdapter.decodeRequest(second));
    expect((next['messages'] as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'List the directory.', signature: 'RXVnZW5l' },
          { type: 'tool_use', id: 'toolu_1', name: 'shell', input: { command: ['ls'] } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'README.md' }] },
    ]);
  });
});
