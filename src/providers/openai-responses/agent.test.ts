// What agent clients (Codex) put in a Responses request, read for a translated model: identifying
// fields dropped, namespaces flattened and mapped back, free-form tools carried as functions, web
// search handed to the upstream's own search or left out and reported.
import { describe, expect, it } from 'vitest';
import { droppedHeaders, fitBuiltinTools } from '../../bridge/builtin-tools';
import type { IRPart, IRStreamEvent } from '../../bridge/ir';
import { zeroUsage } from '../../usage/types';
import { anthropicAdapter } from '../anthropic';
import { geminiAdapter } from '../gemini';
import { openAIChatAdapter } from '../openai';
import { responsesRequestToIR } from './request';
import { responsesResponseFromIR } from './response';
import { responsesStreamEncoder } from './stream';

const fn = (name: string) => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });

const codexBody = {
  model: 'm',
  input: [
    { type: 'message', id: 'msg_a', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    { type: 'function_call', id: 'fc_a', call_id: 'c1', name: 'spawn', namespace: 'agents', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: 'spawned' },
    { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: 'c2', output: 'done' },
    { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
  ],
  tools: [
    fn('exec_command'),
    { type: 'namespace', name: 'agents', description: 'sub-agents', tools: [fn('spawn')] },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edit files.',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    },
    { type: 'web_search', external_web_access: false, filters: { allowed_domains: ['example.com'] } },
    { type: 'local_shell' },
  ],
  tool_choice: 'auto',
  store: false,
  prompt_cache_key: 'k',
  client_metadata: { session_id: 's', turn_id: 't' },
};

describe('a Codex request for a translated model', () => {
  const ir = responsesRequestToIR(codexBody);

  it('flattens namespaces, carries free-form tools as functions and keeps web search as a built-in', () => {
    expect(ir.tools.map((t) => t.name)).toEqual(['exec_command', 'agents__spawn', 'apply_patch']);
    expect(ir.tools[2]?.parameters).toMatchObject({ required: ['input'] });
    expect(ir.tools[2]?.description).toContain('start: "x"');
    expect(ir.toolAliases).toEqual({
      agents__spawn: { name: 'spawn', namespace: 'agents' },
      apply_patch: { name: 'apply_patch', freeform: true },
    });
    expect(ir.builtinTools).toEqual([
      { kind: 'web_search', param: 'tools[3]', allowedDomains: ['example.com'] },
    ]);
    expect(ir.dropped).toEqual(['tools[4] (local_shell)']);
  });

  it('reads the history under the flattened names, and skips server-tool items', () => {
    const calls = ir.messages.flatMap((m): IRPart[] => m.content).filter((p) => p.type === 'tool_call');
    expect(calls).toEqual([
      { type: 'tool_call', id: 'c1', name: 'agents__spawn', arguments: '{}' },
      { type: 'tool_call', id: 'c2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
    ]);
    expect(ir.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool']);
  });

  it('maps web search to Anthropic web search, and leaves it out (reported) for chat and for Gemini with functions', () => {
    const anthropic = anthropicAdapter.encodeRequest(fitBuiltinTools(ir, anthropicAdapter));
    expect((anthropic['tools'] as { type?: string; name: string }[]).at(-1)).toEqual({
      type: 'web_search_20250305',
      name: 'web_search',
      allowed_domains: ['example.com'],
    });
    expect(droppedHeaders(fitBuiltinTools(ir, anthropicAdapter))).toEqual({
      'x-switchyard-dropped': 'tools[4] (local_shell)',
    });
    const chat = fitBuiltinTools(ir, openAIChatAdapter);
    expect(JSON.stringify(openAIChatAdapter.encodeRequest(chat))).not.toContain('web_search');
    expect(droppedHeaders(chat)).toEqual({
      'x-switchyard-dropped': 'tools[4] (local_shell); tools[3] (web_search)',
    });
    expect(fitBuiltinTools(ir, geminiAdapter).dropped).toContain('tools[3] (web_search)');
    const searchOnly = responsesRequestToIR({ model: 'm', input: 'news?', tools: [{ type: 'web_search' }] });
    expect(geminiAdapter.encodeRequest(fitBuiltinTools(searchOnly, geminiAdapter))['tools']).toEqual([
      { googleSearch: {} },
    ]);
  });

  it('refuses forcing a built-in tool', () => {
    expect(() =>
      responsesRequestToIR({
        model: 'm',
        input: 'x',
        tools: [{ type: 'web_search' }],
        tool_choice: { type: 'web_search' },
      }),
    ).toThrow(/tool_choice/);
  });

  it('answers tool calls under the names the client declared, whole and streamed', () => {
    const content = [
      { type: 'tool_call' as const, id: 'c3', name: 'agents__spawn', arguments: '{"n":1}' },
      { type: 'tool_call' as const, id: 'c4', name: 'apply_patch', arguments: '{"input":"*** End Patch"}' },
    ];
    const whole = responsesResponseFromIR(
      { id: 'up_1', model: 'm', content, stopReason: 'tool_use', usage: zeroUsage() },
      { now: () => 0, request: ir },
    );
    expect(whole['output']).toEqual([
      {
        id: 'fc_0',
        type: 'function_call',
        status: 'completed',
        call_id: 'c3',
        name: 'spawn',
        namespace: 'agents',
        arguments: '{"n":1}',
      },
      {
        id: 'ctc_1',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'c4',
        name: 'apply_patch',
        input: '*** End Patch',
      },
    ]);
    const enc = responsesStreamEncoder({
      now: () => 0,
      streamUsage: true,
      request: ir,
      responseId: 'resp_sy1',
    });
    const events: IRStreamEvent[] = [
      { type: 'message_start', id: 'up_1', model: 'm' },
      { type: 'tool_call_start', index: 0, id: 'c3', name: 'agents__spawn' },
      { type: 'tool_call_delta', index: 0, arguments: '{"n":1}' },
      { type: 'part_stop', index: 0 },
      { type: 'tool_call_start', index: 1, id: 'c4', name: 'apply_patch' },
      { type: 'tool_call_delta', index: 1, arguments: '{"input":"*** End' },
      { type: 'tool_call_delta', index: 1, arguments: ' Patch"}' },
      { type: 'part_stop', index: 1 },
      { type: 'message_stop', stopReason: 'tool_use' },
    ];
    const frames = events
      .map((e) => enc.push(e))
      .join('')
      .split('\n\n')
      .filter(Boolean)
      .map((f) => JSON.parse(f.split('\ndata: ')[1] ?? '{}') as Record<string, unknown>);
    expect(
      frames.filter((f) => String(f['type']).startsWith('response.custom_tool_call_input')),
    ).toMatchObject([
      { type: 'response.custom_tool_call_input.delta', item_id: 'ctc_sy1_1', delta: '*** End Patch' },
      { type: 'response.custom_tool_call_input.done', item_id: 'ctc_sy1_1', input: '*** End Patch' },
    ]);
    const done = frames.at(-1) as { type: string; response: { id: string; output: unknown[] } };
    expect(done.type).toBe('response.completed');
    expect(done.response.id).toBe('resp_sy1');
    expect(done.response.output).toMatchObject([
      { id: 'fc_sy1_0', type: 'function_call', name: 'spawn', namespace: 'agents' },
      { id: 'ctc_sy1_1', type: 'custom_tool_call', name: 'apply_patch', input: '*** End Patch' },
    ]);
  });
});
