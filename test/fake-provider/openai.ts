// OpenAI Chat Completions and the OpenAI error shape; the Azure OpenAI variant of chat.

import {
  type Conversation,
  planReply,
  type Reply,
  splitDeltas,
  splitJson,
  type ToolChoice,
  textParts,
  type Usage,
} from './conversation';
import { asArray, asRecord, asString } from './json';
import {
  type HandlerContext,
  type HandlerResult,
  type JsonResult,
  nowSeconds,
  okStatus,
  ProviderRequestError,
  requireString,
} from './protocol';
import type { SseEvent } from './sse';

const ERROR_KINDS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: {
    type: 'invalid_request_error',
    code: null,
    message: 'You are not allowed to sample from this model',
  },
  404: { type: 'invalid_request_error', code: null, message: 'The requested resource does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  503: {
    type: 'server_error',
    code: null,
    message: 'The engine is currently overloaded, please try again later.',
  },
};

/** OpenAI error body: `{error: {message, type, param, code}}` (Azure uses the same for these). */
export function openAIError(status: number, message?: string, param: string | null = null): JsonResult {
  const kind = ERROR_KINDS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Error ${status}`,
  };
  return {
    kind: 'json',
    status,
    body: { error: { message: message ?? kind.message, type: kind.type, param, code: kind.code } },
  };
}

export function chatToolChoice(raw: unknown): ToolChoice {
  if (raw === 'none' || raw === 'required' || raw === 'auto') return { mode: raw };
  const fn = asRecord(asRecord(raw)['function']);
  const name = asString(fn['name']) ?? asString(asRecord(raw)['name']);
  return name === undefined ? { mode: 'auto' } : { mode: 'required', name };
}

/** Reads a Chat Completions request into the protocol-neutral conversation. */
export function chatConversation(body: Record<string, unknown>): Conversation {
  const texts: string[] = [];
  let lastUserText: string | null = null;
  let hasToolResult = false;
  for (const m of asArray(body['messages'])) {
    const msg = asRecord(m);
    const parts = textParts(msg['content']);
    texts.push(...parts);
    if (msg['role'] === 'tool' || msg['role'] === 'function') hasToolResult = true;
    if (msg['role'] === 'user' && parts.length > 0) lastUserText = parts.join(' ');
  }
  const tools = asArray(body['tools'])
    .map((t) => asRecord(asRecord(t)['function']))
    .filter((f) => typeof f['name'] === 'string')
    .map((f) => ({ name: String(f['name']), schema: f['parameters'] }));
  return {
    texts,
    lastUserText,
    tools,
    toolChoice: chatToolChoice(body['tool_choice']),
    hasToolResult,
    parallelAllowed: body['parallel_tool_calls'] !== false,
  };
}

/** Chat usage: cached and cache-write tokens are part of prompt_tokens, reasoning of completion_tokens. */
export function chatUsage(u: Usage): Record<string, unknown> {
  const prompt = u.promptWords + u.cached + u.cacheWrite;
  const completion = u.outputWords + u.reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: {
      cached_tokens: u.cached,
      audio_tokens: 0,
      ...(u.cacheWrite > 0 ? { cache_write_tokens: u.cacheWrite } : {}),
    },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const SAFE = { filtered: false, severity: 'safe' };
const CONTENT_FILTER = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = [{ prompt_index: 0, content_filter_results: CONTENT_FILTER }];

const OBF_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Stand-in for OpenAI's `obfuscation` padding on streamed delta events (on by default, dropped with
 * stream_options.include_obfuscation:false): 1-15 characters, deterministic from the event's content.
 */
export function obfuscation(seed: string): string {
  let h = 0x811c9dc5;
  for (const ch of seed) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  let out = '';
  for (let len = (h % 15) + 1; out.length < len; h = Math.imul(h, 0x01000193) >>> 0) out += OBF_CHARS[h % 62];
  return out;
}

export function wantsObfuscation(body: Record<string, unknown>): boolean {
  return asRecord(body['stream_options'])['include_obfuscation'] !== false;
}

function callId(n: number, i: number): string {
  return `call_fake_${n}_${i}`;
}

function chatMessage(reply: Reply, n: number): Record<string, unknown> {
  if (reply.kind === 'text')
    return { role: 'assistant', content: reply.text, refusal: null, annotations: [] };
  return {
    role: 'assistant',
    content: null,
    refusal: null,
    annotations: [],
    tool_calls: reply.calls.map((c, i) => ({
      id: callId(n, i),
      type: 'function',
      function: { name: c.name, arguments: c.argsJson },
    })),
  };
}

function chatStreamEvents(
  reply: Reply,
  head: Record<string, unknown>,
  n: number,
  ctx: HandlerContext,
  azure: boolean,
): SseEvent[] {
  const includeUsage =
    asRecord(ctx.body['stream_options'])['include_usage'] === true && !ctx.behaviour.noUsage;
  // With include_usage every chunk carries `usage: null` except the final usage-only chunk.
  // Azure's documented chunks carry content filter results, not OpenAI's obfuscation padding.
  const obfuscate = !azure && wantsObfuscation(ctx.body);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
    data: {
      ...head,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
      ...(obfuscate ? { obfuscation: obfuscation(JSON.stringify(delta)) } : {}),
    },
  });
  const events: SseEvent[] = [];
  // Azure sends its prompt filter verdict first, in a chunk with no choices and blank id/model.
  if (azure)
    events.push({
      data: { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER },
    });
  if (reply.kind === 'text') {
    events.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of splitDeltas(reply.text, ctx.behaviour.chunks)) events.push(chunk({ content: piece }));
    events.push(chunk({}, 'stop'));
  } else {
    reply.calls.forEach((c, i) => {
      const start = {
        index: i,
        id: callId(n, i),
        type: 'function',
        function: { name: c.name, arguments: '' },
      };
      events.push(
        chunk(
          i === 0
            ? { role: 'assistant', content: null, refusal: null, tool_calls: [start] }
            : { tool_calls: [start] },
        ),
      );
      for (const piece of splitJson(c.argsJson)) {
        events.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
      }
    });
    events.push(chunk({}, 'tool_calls'));
  }
  if (includeUsage) events.push({ data: { ...head, choices: [], usage: chatUsage(reply.usage) } });
  events.push({ data: '[DONE]' });
  return events;
}

function chat(ctx: HandlerContext, azure: boolean): HandlerResult {
  const model = azure
    ? (asString(ctx.body['model']) ?? ctx.params['deployment'] ?? '')
    : requireString(ctx.body, 'model', 'you must provide a model parameter');
  if (!Array.isArray(ctx.body['messages']) || ctx.body['messages'].length === 0) {
    throw new ProviderRequestError(400, "Missing required parameter: 'messages'.", 'messages');
  }
  const reply = planReply(chatConversation(ctx.body), ctx.behaviour);
  const n = ctx.nextId();
  const head = {
    id: `chatcmpl-fake-${n}`,
    object: 'chat.completion.chunk',
    created: nowSeconds(),
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
  if (ctx.body['stream'] === true) {
    return {
      kind: 'sse',
      events: chatStreamEvents(reply, head, n, ctx, azure),
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    };
  }
  const choice = {
    index: 0,
    message: chatMessage(reply, n),
    logprobs: null,
    finish_reason: reply.kind === 'text' ? 'stop' : 'tool_calls',
    ...(azure ? { content_filter_results: CONTENT_FILTER } : {}),
  };
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      ...head,
      object: 'chat.completion',
      choices: [choice],
      ...(ctx.behaviour.noUsage ? {} : { usage: chatUsage(reply.usage) }),
      ...(azure ? { prompt_filter_results: PROMPT_FILTER } : {}),
    },
  };
}

export const chatCompletions = (ctx: HandlerContext): HandlerResult => chat(ctx, false);
export const azureChatCompletions = (ctx: HandlerContext): HandlerResult => chat(ctx, true);
