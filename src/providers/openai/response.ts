// OpenAI chat-completions responses ↔ IR, usage and finish reasons.
//
// Documented defaults: a `refusal` becomes text with stop reason content_filter; reasoning text from
// compatible servers (`reasoning_content`, or OpenRouter's `reasoning`) becomes a thinking part; on
// the client side reasoning is returned as `reasoning_content` (ignored by clients that do not know
// it) and reasoning signatures are dropped (the chat format has no field for them); the stop
// reasons end_turn and stop_sequence both become "stop", and "error" becomes "stop" too (errors
// mid-stream are sent as error events instead).

import type { EncodeContext } from '../../bridge/adapter';
import type { IRAssistantPart, IRResponse, IRStopReason } from '../../bridge/ir';
import { count, type JsonRecord, list, rec, str } from '../../bridge/read';
import type { TokenUsage } from '../../usage/types';

/** Chat usage, including `cache_write_tokens`, which OpenAI now reports beside `cached_tokens`. */
export function chatUsageToIR(u: unknown): TokenUsage {
  const usage = rec(u);
  const prompt = rec(usage['prompt_tokens_details']);
  return {
    promptTokens: count(usage['prompt_tokens']),
    completionTokens: count(usage['completion_tokens']),
    cachedReadTokens: count(prompt['cached_tokens']),
    cacheWriteTokens: count(prompt['cache_write_tokens']),
    reasoningTokens: count(rec(usage['completion_tokens_details'])['reasoning_tokens']),
  };
}

export function chatUsageFromIR(u: TokenUsage): JsonRecord {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: {
      cached_tokens: u.cachedReadTokens,
      ...(u.cacheWriteTokens > 0 ? { cache_write_tokens: u.cacheWriteTokens } : {}),
    },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}

export function finishToIR(reason: unknown): IRStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'end_turn';
  }
}

export function finishFromIR(reason: IRStopReason): string {
  switch (reason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Reasoning text as compatible servers send it (not part of OpenAI's own API). */
export function reasoningText(m: JsonRecord): string | undefined {
  return str(m['reasoning_content']) ?? str(m['reasoning']);
}

export function chatResponseToIR(input: unknown): IRResponse {
  const body = rec(input);
  const choice = rec(list(body['choices'])[0]);
  const message = rec(choice['message']);
  const content: IRAssistantPart[] = [];
  const reasoning = reasoningText(message);
  if (reasoning) content.push({ type: 'thinking', text: reasoning });
  const text = str(message['content']);
  if (text) content.push({ type: 'text', text });
  const refusal = str(message['refusal']);
  if (refusal) content.push({ type: 'text', text: refusal });
  for (const c of list(message['tool_calls'])) {
    const call = rec(c);
    const fn = rec(call['function']);
    content.push({
      type: 'tool_call',
      id: str(call['id']) ?? '',
      name: str(fn['name']) ?? '',
      arguments: str(fn['arguments']) ?? '',
    });
  }
  return {
    id: str(body['id']) ?? '',
    model: str(body['model']) ?? '',
    content,
    stopReason: refusal ? 'content_filter' : finishToIR(choice['finish_reason']),
    usage: chatUsageToIR(body['usage']),
  };
}

export function chatResponseFromIR(res: IRResponse, ctx: EncodeContext): JsonRecord {
  const text = res.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
  const reasoning = res.content.flatMap((p) => (p.type === 'thinking' ? [p.text] : [])).join('');
  const calls = res.content.flatMap((p) =>
    p.type === 'tool_call'
      ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }]
      : [],
  );
  const message: JsonRecord = {
    role: 'assistant',
    content: text === '' && calls.length > 0 ? null : text,
    refusal: null,
  };
  if (reasoning !== '') message['reasoning_content'] = reasoning;
  if (calls.length > 0) message['tool_calls'] = calls;
  return {
    id: res.id,
    object: 'chat.completion',
    created: Math.floor(ctx.now() / 1000),
    model: res.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishFromIR(res.stopReason) }],
    usage: chatUsageFromIR(res.usage),
  };
}
