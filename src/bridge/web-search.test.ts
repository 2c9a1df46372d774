// Web searches a provider ran, translated back as each client expects: Anthropic's server tool
// blocks and Gemini's grounding → Responses `web_search_call` items (streamed and whole) and
// Anthropic blocks; chat clients get the answer text only.
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../providers/anthropic';
import { geminiAdapter } from '../providers/gemini';
import { openAIChatAdapter } from '../providers/openai';
import { openAIResponsesAdapter } from '../providers/openai-responses';
import { fitBuiltinTools } from './builtin-tools';
import type { IRStreamEvent } from './ir';
import { sseEvent } from './sse';
import { collectStream } from './stream';

const anthropicAnswer = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude',
  content: [
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'weather paris' } },
    {
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_1',
      content: [
        { type: 'web_search_result', url: 'https://example.com/w', title: 'Weather', encrypted_content: 'x' },
      ],
    },
    { type: 'text', text: 'Sunny.' },
  ],
  stop_reason: 'end_turn',
  usage: { input_tokens: 5, output_tokens: 2, server_tool_use: { web_search_requests: 1 } },
};

const search = {
  type: 'web_search',
  query: 'weather paris',
  sources: [{ url: 'https://example.com/w', title: 'Weather' }],
};

describe('web search results across protocols', () => {
  it('reads an Anthropic answer into one web-search part, and writes it as a Responses item', () => {
    const ir = anthropicAdapter.decodeResponse(anthropicAnswer);
    expect(ir.content).toEqual([
      { ...search, id: 'srvtoolu_1' },
      { type: 'text', text: 'Sunny.' },
    ]);
    const out = openAIResponsesAdapter.encodeResponse(ir, { now: () => 0 });
    expect(out['output']).toMatchObject([
      {
        id: 'ws_0',
        type: 'web_search_call',
        status: 'completed',
        action: {
          type: 'search',
          query: 'weather paris',
          sources: [{ type: 'url', url: 'https://example.com/w' }],
        },
      },
      { type: 'message', content: [{ type: 'output_text', text: 'Sunny.' }] },
    ]);
    expect(openAIChatAdapter.encodeResponse(ir, { now: () => 0 })).toMatchObject({
      choices: [{ message: { content: 'Sunny.' } }],
    });
  });

  it('reads a streamed Anthropic search (query as JSON deltas) and streams the Responses item lifecycle', () => {
    const sse = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 5 } } },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"query": "weather' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: ' paris"}' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: anthropicAnswer.content[1] },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Sunny.' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ]
      .map((e) => sseEvent(e, e.type))
      .join('');
    const decoder = anthropicAdapter.streamDecoder();
    const events: IRStreamEvent[] = [...decoder.feed(sse), ...decoder.end()];
    expect(collectStream(events).response().content).toEqual([
      { ...search, id: 'srvtoolu_1' },
      { type: 'text', text: 'Sunny.' },
    ]);
    const enc = openAIResponsesAdapter.streamEncoder({ now: () => 0, streamUsage: true });
    const types = events
      .map((e) => enc.push(e))
      .join('')
      .split('\n\n')
      .filter(Boolean)
      .map((f) => (JSON.parse(f.split('\ndata: ')[1] ?? '{}') as { type: string }).type);
    expect(types.slice(2, 7)).toEqual([
      'response.output_item.added',
      'response.web_search_call.in_progress',
      'response.web_search_call.searching',
      'response.web_search_call.completed',
      'response.output_item.done',
    ]);
  });

  it('reads Gemini grounding as web searches, and writes them as Anthropic blocks (whole and streamed)', () => {
    const ir = geminiAdapter.decodeResponse({
      responseId: 'r1',
      modelVersion: 'gemini',
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'Sunny.' }] },
          finishReason: 'STOP',
          groundingMetadata: {
            webSearchQueries: ['weather paris'],
            groundingChunks: [{ web: { uri: 'https://example.com/w', title: 'Weather' } }],
          },
        },
      ],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 },
    });
    expect(ir.content).toEqual([
      { type: 'text', text: 'Sunny.' },
      { ...search, id: 'ws_r1_0' },
    ]);
    expect(anthropicAdapter.encodeResponse(ir, { now: () => 0 })['content']).toMatchObject([
      { type: 'text', text: 'Sunny.' },
      { type: 'server_tool_use', id: 'ws_r1_0', name: 'web_search', input: { query: 'weather paris' } },
      {
        type: 'web_search_tool_result',
        tool_use_id: 'ws_r1_0',
        content: [{ type: 'web_search_result', url: 'https://example.com/w' }],
      },
    ]);
    const enc = anthropicAdapter.streamEncoder({ now: () => 0, streamUsage: true });
    const frames = [
      { type: 'message_start', id: 'r1', model: 'gemini' },
      { ...search, index: 0, id: 'ws_1' },
      { type: 'part_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Sunny.' },
      { type: 'part_stop', index: 1 },
      { type: 'message_stop', stopReason: 'end_turn' },
    ] as IRStreamEvent[];
    const blocks = frames
      .map((e) => enc.push(e))
      .join('')
      .split('\n\n')
      .filter(Boolean)
      .map(
        (f) =>
          JSON.parse(f.split('\ndata: ')[1] ?? '{}') as {
            type: string;
            index?: number;
            content_block?: { type: string };
          },
      )
      .filter((f) => f.type === 'content_block_start')
      .map((f) => [f.index, f.content_block?.type]);
    expect(blocks).toEqual([
      [0, 'server_tool_use'],
      [1, 'web_search_tool_result'],
      [2, 'text'],
    ]);
    // And back again: Gemini clients get grounding metadata.
    expect(geminiAdapter.encodeResponse(ir, { now: () => 0 })).toMatchObject({
      candidates: [{ groundingMetadata: { webSearchQueries: ['weather paris'] } }],
    });
  });

  it('reads Gemini Google Search as web search for the upstream, and leaves other built-ins out (reported)', () => {
    const ir = geminiAdapter.decodeRequest(
      {
        contents: [{ role: 'user', parts: [{ text: 'news?' }] }],
        tools: [{ googleSearch: {} }, { codeExecution: {} }],
      },
      { model: 'm' },
    );
    expect(ir.builtinTools).toEqual([{ kind: 'web_search', param: 'tools[0].googleSearch' }]);
    expect(ir.dropped).toEqual(['tools[1].codeExecution']);
    const body = anthropicAdapter.encodeRequest(fitBuiltinTools(ir, anthropicAdapter));
    expect(body['tools']).toEqual([{ type: 'web_search_20250305', name: 'web_search' }]);
  });
});
