// Anthropic Messages API: messages (JSON and SSE), count_tokens, and the error shape.

import {
  type Conversation,
  countAllWords,
  countWords,
  planReply,
  type Reply,
  splitDeltas,
  splitJson,
  type ToolChoice,
  textParts,
} from './conversation';
import { asArray, asRecord } from './json';
import {
  type HandlerContext,
  type HandlerResult,
  type JsonResult,
  okStatus,
  ProviderRequestError,
  requireString,
} from './protocol';
import type { SseEvent } from './sse';

// Documented status → error type table (docs.anthropic.com "HTTP errors"); other 4xx use
// invalid_request_error, and other 5xx api_error.
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<string, string> = {
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  rate_limit_error: 'This request would exceed the rate limit for your organization.',
  api_error: 'Internal server error',
  overloaded_error: 'Overloaded',
};

let errorCounter = 0;

/** `{type: "error", error: {type, message}, request_id}`. */
export function anthropicError(status: number, message?: string): JsonResult {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  errorCounter++;
  return {
    kind: 'json',
    status,
    body: {
      type: 'error',
      error: { type, message: message ?? ERROR_MESSAGES[type] ?? 'Invalid request' },
      request_id: `req_fake_${errorCounter}`,
    },
  };
}

function toolChoice(raw: unknown): ToolChoice {
  const tc = asRecord(raw);
  if (tc['type'] === 'none') return { mode: 'none' };
  if (tc['type'] === 'any') return { mode: 'required' };
  if (tc['type'] === 'tool' && typeof tc['name'] === 'string') return { mode: 'required', name: tc['name'] };
  return { mode: 'auto' };
}

/** Reads system + messages; tool_result blocks count as prompt text but are not user text. */
export function anthropicConversation(body: Record<string, unknown>): Conversation {
  const texts = textParts(body['system']);
  let lastUserText: string | null = null;
  let hasToolResult = false;
  for (const m of asArray(body['messages'])) {
    const msg = asRecord(m);
    const parts = textParts(msg['content']);
    texts.push(...parts);
    for (const block of asArray(msg['content'])) {
      const b = asRecord(block);
      if (b['type'] !== 'tool_result') continue;
      hasToolResult = true;
      texts.push(...textParts(b['content']));
    }
    if (msg['role'] === 'user' && parts.length > 0) lastUserText = parts.join(' ');
  }
  const tools = asArray(body['tools'])
    .map(asRecord)
    .filter((t) => typeof t['name'] === 'string')
    .map((t) => ({ name: String(t['name']), schema: t['input_schema'] }));
  const thinkingType = asRecord(body['thinking'])['type'];
  return {
    texts,
    lastUserText,
    tools,
    toolChoice: toolChoice(body['tool_choice']),
    hasToolResult,
    parallelAllowed: asRecord(body['tool_choice'])['disable_parallel_tool_use'] !== true,
    thinking: thinkingType === 'enabled' || thinkingType === 'adaptive',
  };
}

type Block = Record<string, unknown>;

interface Answer {
  blocks: Block[];
  stopReason: 'end_turn' | 'tool_use';
  usage: Record<string, unknown>;
}

function answer(conv: Conversation, reply: Reply, n: number): Answer {
  const blocks: Block[] = [];
  let thinkingTokens = 0;
  if (reply.usage.reasoning > 0 || conv.thinking === true) {
    const thinking = `Thinking about: ${conv.lastUserText ?? '(empty)'}`;
    thinkingTokens = reply.usage.reasoning > 0 ? reply.usage.reasoning : countWords(thinking);
    const signature = Buffer.from(`fake-signature-${n}`).toString('base64');
    blocks.push({ type: 'thinking', thinking, signature });
  }
  if (reply.kind === 'text') blocks.push({ type: 'text', text: reply.text });
  else {
    for (const [i, c] of reply.calls.entries()) {
      blocks.push({ type: 'tool_use', id: `toolu_fake_${n}_${i}`, name: c.name, input: c.args });
    }
  }
  const u = reply.usage;
  // Anthropic reports cache reads and writes beside input_tokens, not inside it; thinking is output.
  const usage = {
    input_tokens: u.promptWords,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cached,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: u.outputWords + thinkingTokens,
    ...(u.webSearches > 0 ? { server_tool_use: { web_search_requests: u.webSearches } } : {}),
    service_tier: 'standard',
  };
  return { blocks, stopReason: reply.kind === 'text' ? 'end_turn' : 'tool_use', usage };
}

function blockEvents(block: Block, index: number, chunks: number | undefined): SseEvent[] {
  const delta = (d: Record<string, unknown>): SseEvent => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: d },
  });
  let start: Block;
  const deltas: SseEvent[] = [];
  if (block['type'] === 'thinking') {
    start = { type: 'thinking', thinking: '', signature: '' };
    for (const t of splitDeltas(String(block['thinking'])))
      deltas.push(delta({ type: 'thinking_delta', thinking: t }));
    deltas.push(delta({ type: 'signature_delta', signature: block['signature'] }));
  } else if (block['type'] === 'text') {
    start = { type: 'text', text: '' };
    for (const t of splitDeltas(String(block['text']), chunks))
      deltas.push(delta({ type: 'text_delta', text: t }));
  } else {
    start = { ...block, input: {} };
    // The API opens every tool input with an empty partial_json before the JSON pieces.
    for (const p of ['', ...splitJson(JSON.stringify(block['input']))]) {
      deltas.push(delta({ type: 'input_json_delta', partial_json: p }));
    }
  }
  const events: SseEvent[] = [
    { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } },
  ];
  if (index === 0) events.push({ event: 'ping', data: { type: 'ping' } });
  events.push(...deltas, { event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  return events;
}

export function createMessage(ctx: HandlerContext): HandlerResult {
  const model = requireString(ctx.body, 'model', 'model: Field required');
  if (typeof ctx.body['max_tokens'] !== 'number') {
    throw new ProviderRequestError(400, 'max_tokens: Field required', 'max_tokens');
  }
  if (!Array.isArray(ctx.body['messages'])) throw new ProviderRequestError(400, 'messages: Field required');
  const conv = anthropicConversation(ctx.body);
  const reply = planReply(conv, ctx.behaviour);
  const n = ctx.nextId();
  const a = answer(conv, reply, n);
  const base = { id: `msg_fake_${n}`, type: 'message', role: 'assistant', model };
  if (ctx.body['stream'] !== true) {
    return {
      kind: 'json',
      status: okStatus(ctx.behaviour),
      body: { ...base, content: a.blocks, stop_reason: a.stopReason, stop_sequence: null, usage: a.usage },
    };
  }
  // message_start carries the input usage and a placeholder output count, as the API does.
  const startUsage = { ...a.usage, output_tokens: 1 };
  const { cache_creation: _breakdown, service_tier: _tier, ...deltaUsage } = a.usage;
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { ...base, content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
      },
    },
    ...a.blocks.flatMap((b, i) => blockEvents(b, i, ctx.behaviour.chunks)),
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: a.stopReason, stop_sequence: null },
        usage: deltaUsage,
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
  return { kind: 'sse', events, headers: { 'content-type': 'text/event-stream; charset=utf-8' } };
}

export function countTokens(ctx: HandlerContext): HandlerResult {
  requireString(ctx.body, 'model', 'model: Field required');
  if (!Array.isArray(ctx.body['messages'])) throw new ProviderRequestError(400, 'messages: Field required');
  const conv = anthropicConversation(ctx.body);
  return { kind: 'json', status: okStatus(ctx.behaviour), body: { input_tokens: countAllWords(conv.texts) } };
}
