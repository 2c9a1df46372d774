// OpenAI Responses API (`POST /v1/responses`): the response object and its semantic stream events.

import {
  type Conversation,
  planReply,
  type Reply,
  splitDeltas,
  splitJson,
  textParts,
  type Usage,
} from './conversation';
import { asArray, asRecord, asString } from './json';
import { chatToolChoice, obfuscation, wantsObfuscation } from './openai';
import { type HandlerContext, type HandlerResult, nowSeconds, okStatus, requireString } from './protocol';
import type { SseEvent } from './sse';

const INPUT_TEXT_TYPES = ['input_text', 'output_text', 'text'];

/** Reads `instructions` + `input` (a string or a list of items) into the neutral conversation. */
export function responsesConversation(body: Record<string, unknown>): Conversation {
  const texts: string[] = [];
  let lastUserText: string | null = null;
  let hasToolResult = false;
  const instructions = asString(body['instructions']);
  if (instructions !== undefined) texts.push(instructions);
  const items =
    typeof body['input'] === 'string' ? [{ role: 'user', content: body['input'] }] : asArray(body['input']);
  for (const raw of items) {
    const item = asRecord(raw);
    if (item['type'] === 'function_call_output') {
      hasToolResult = true;
      texts.push(...textParts(item['output'], INPUT_TEXT_TYPES));
      continue;
    }
    if (item['type'] !== undefined && item['type'] !== 'message') continue; // function_call, reasoning, ...
    const parts = textParts(item['content'], INPUT_TEXT_TYPES);
    texts.push(...parts);
    if (item['role'] === 'user' && parts.length > 0) lastUserText = parts.join(' ');
  }
  const tools = asArray(body['tools'])
    .map(asRecord)
    .filter((t) => t['type'] === 'function' && typeof t['name'] === 'string')
    .map((t) => ({ name: String(t['name']), schema: t['parameters'] }));
  return {
    texts,
    lastUserText,
    tools,
    toolChoice: chatToolChoice(body['tool_choice']),
    hasToolResult,
    parallelAllowed: body['parallel_tool_calls'] !== false,
  };
}

/** input_tokens includes cached and cache-write tokens; output_tokens includes reasoning tokens. */
export function responsesUsage(u: Usage): Record<string, unknown> {
  const input = u.promptWords + u.cached + u.cacheWrite;
  const output = u.outputWords + u.reasoning;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: u.cached,
      ...(u.cacheWrite > 0 ? { cache_write_tokens: u.cacheWrite } : {}),
    },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: input + output,
  };
}

type Item = Record<string, unknown>;

/** The finished output items: a reasoning item when reasoning tokens are reported, then the answer. */
function outputItems(reply: Reply, n: number): Item[] {
  const items: Item[] = [];
  if (reply.usage.reasoning > 0) items.push({ id: `rs_fake_${n}`, type: 'reasoning', summary: [] });
  for (let i = 0; i < reply.usage.webSearches; i++)
    items.push({
      id: `ws_fake_${n}_${i}`,
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: `fake query ${i}` },
    });
  if (reply.kind === 'text') {
    items.push({
      id: `msg_fake_${n}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text }],
    });
  } else {
    for (const [i, c] of reply.calls.entries()) {
      items.push({
        id: `fc_fake_${n}_${i}`,
        type: 'function_call',
        status: 'completed',
        arguments: c.argsJson,
        call_id: `call_fake_${n}_${i}`,
        name: c.name,
      });
    }
  }
  return items;
}

function responseObject(ctx: HandlerContext, model: string, n: number, created: number): Item {
  const b = ctx.body;
  return {
    id: `resp_fake_${n}`,
    object: 'response',
    created_at: created,
    status: 'in_progress',
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: b['instructions'] ?? null,
    max_output_tokens: b['max_output_tokens'] ?? null,
    model,
    output: [],
    parallel_tool_calls: b['parallel_tool_calls'] ?? true,
    previous_response_id: b['previous_response_id'] ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: b['store'] ?? true,
    temperature: b['temperature'] ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: b['tool_choice'] ?? 'auto',
    tools: b['tools'] ?? [],
    top_p: b['top_p'] ?? 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: b['metadata'] ?? {},
  };
}

/** Item as first announced by `response.output_item.added`: in progress, without content yet. */
function addedItem(item: Item): Item {
  if (item['type'] === 'message') return { ...item, status: 'in_progress', content: [] };
  if (item['type'] === 'function_call') return { ...item, status: 'in_progress', arguments: '' };
  return item;
}

function streamEvents(ctx: HandlerContext, started: Item, done: Item, items: Item[]): SseEvent[] {
  const events: SseEvent[] = [];
  const obfuscate = wantsObfuscation(ctx.body);
  const emit = (type: string, fields: Record<string, unknown>): void => {
    // Delta events carry OpenAI's size-normalising `obfuscation` padding unless it was turned off.
    const pad =
      obfuscate && type.endsWith('.delta') ? { obfuscation: obfuscation(JSON.stringify(fields)) } : {};
    events.push({ event: type, data: { type, sequence_number: events.length, ...fields, ...pad } });
  };
  emit('response.created', { response: started });
  emit('response.in_progress', { response: started });
  items.forEach((item, output_index) => {
    const item_id = item['id'];
    emit('response.output_item.added', { output_index, item: addedItem(item) });
    if (item['type'] === 'message') {
      const text = String(asRecord(asArray(item['content'])[0])['text']);
      const empty = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      emit('response.content_part.added', { item_id, output_index, content_index: 0, part: empty });
      for (const delta of splitDeltas(text, ctx.behaviour.chunks)) {
        emit('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] });
      }
      emit('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', {
        item_id,
        output_index,
        content_index: 0,
        part: { ...empty, text },
      });
    } else if (item['type'] === 'function_call') {
      const args = String(item['arguments']);
      for (const delta of splitJson(args)) {
        emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      }
      emit('response.function_call_arguments.done', {
        item_id,
        output_index,
        name: item['name'],
        arguments: args,
      });
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit('response.completed', { response: done });
  return events;
}

export function createResponse(ctx: HandlerContext): HandlerResult {
  const model = requireString(ctx.body, 'model', 'you must provide a model parameter');
  const reply = planReply(responsesConversation(ctx.body), ctx.behaviour);
  const n = ctx.nextId();
  const created = nowSeconds();
  const started = responseObject(ctx, model, n, created);
  const items = outputItems(reply, n);
  const done = {
    ...started,
    status: 'completed',
    completed_at: nowSeconds(),
    output: items,
    usage: responsesUsage(reply.usage),
  };
  if (ctx.body['stream'] === true) {
    return {
      kind: 'sse',
      events: streamEvents(ctx, started, done, items),
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    };
  }
  return { kind: 'json', status: okStatus(ctx.behaviour), body: done };
}
