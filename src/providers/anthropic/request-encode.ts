// IR → Anthropic Messages request body (the upstream side), for `anthropic-version: 2023-06-01`,
// the version that still accepts sampling parameters.
//
// Documented defaults: `max_tokens` (required by Anthropic) defaults to 8192, or the thinking budget
// plus 8192; a reasoning effort becomes a thinking budget (bridge/reasoning.ts), effort "none" or
// budget 0 means no thinking; thinking budgets below 1024 are raised to 1024 (the API minimum);
// adaptive reasoning becomes `thinking: {type: "adaptive"}`; reasoning without a signature (from
// another provider) is dropped from the history, since Anthropic only accepts signed thinking;
// `seed` and `metadata` (other than the user id) are dropped; `strict`/`name`/`description` of a
// JSON-schema response format are dropped (Anthropic's structured output is always strict);
// consecutive turns of the same role are merged (tool results join the following user turn);
// empty text parts are dropped (the API rejects empty text blocks); image `detail` is dropped.
// Refused: temperature above 1, non-zero presence/frequency penalties, `json_object` response
// format, images with a media type other than JPEG, PNG, GIF or WebP.
import type {
  IRBuiltinTool,
  IRCacheHint,
  IRMessage,
  IRRequest,
  IRTextPart,
  IRToolChoice,
  IRUserPart,
} from '../../bridge/ir';
import { type JsonRecord, parseArguments, unsupported } from '../../bridge/read';
import { budgetOf } from '../../bridge/reasoning';

export const DEFAULT_MAX_TOKENS = 8192;
export const WEB_SEARCH_TOOL = 'web_search_20250305';
const MIN_THINKING_BUDGET = 1024;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const ANTHROPIC_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];

/** Web search is Anthropic's web search server tool. */
export const anthropicBuiltinTools = (): readonly IRBuiltinTool['kind'][] => ['web_search'];

function serverTools(ir: IRRequest): JsonRecord[] {
  return (ir.builtinTools ?? []).map((t) => ({
    type: WEB_SEARCH_TOOL,
    name: 'web_search',
    ...(t.maxUses !== undefined ? { max_uses: t.maxUses } : {}),
    ...(t.allowedDomains ? { allowed_domains: t.allowedDomains } : {}),
    ...(t.userLocation ? { user_location: { type: 'approximate', ...t.userLocation } } : {}),
  }));
}

export function anthropicRequestFromIR(ir: IRRequest): JsonRecord {
  refuseUncarried(ir);
  const body: JsonRecord = { model: ir.model };
  const thinking = encodeThinking(ir);
  const budget = typeof thinking?.['budget_tokens'] === 'number' ? thinking['budget_tokens'] : 0;
  body['max_tokens'] = ir.maxOutputTokens ?? DEFAULT_MAX_TOKENS + budget;
  if (ir.system.length > 0) body['system'] = encodeSystem(ir.system);
  body['messages'] = encodeMessages(ir.messages);
  const servers = serverTools(ir);
  if (ir.tools.length > 0 || servers.length > 0) {
    body['tools'] = [
      ...ir.tools.map((t) => ({
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        input_schema: t.parameters,
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
        ...cacheControl(t.cache),
      })),
      ...servers,
    ];
    const choice = encodeToolChoice(ir.toolChoice, ir.parallelToolCalls);
    if (choice) body['tool_choice'] = choice;
  }
  if (ir.temperature !== undefined) body['temperature'] = ir.temperature;
  if (ir.topP !== undefined) body['top_p'] = ir.topP;
  if (ir.topK !== undefined) body['top_k'] = ir.topK;
  if (ir.stop.length > 0) body['stop_sequences'] = ir.stop;
  if (ir.stream) body['stream'] = true;
  if (ir.user !== undefined) body['metadata'] = { user_id: ir.user };
  if (thinking) body['thinking'] = thinking;
  const output: JsonRecord = {};
  if (ir.reasoning?.adaptive && ir.reasoning.effort !== undefined) {
    output['effort'] = ANTHROPIC_EFFORTS.includes(ir.reasoning.effort) ? ir.reasoning.effort : 'low';
  }
  if (ir.responseFormat?.type === 'json_schema') {
    output['format'] = { type: 'json_schema', schema: ir.responseFormat.schema };
  }
  if (Object.keys(output).length > 0) body['output_config'] = output;
  return body;
}

function refuseUncarried(ir: IRRequest): void {
  if (ir.temperature !== undefined && ir.temperature > 1) {
    throw unsupported('temperature', 'this model accepts a temperature between 0 and 1');
  }
  if (ir.presencePenalty) throw unsupported('presence_penalty', 'this model has no presence penalty');
  if (ir.frequencyPenalty) throw unsupported('frequency_penalty', 'this model has no frequency penalty');
  if (ir.responseFormat?.type === 'json_object') {
    throw unsupported('response_format', 'this model needs a JSON schema (json_schema) for JSON output');
  }
}

function encodeThinking(ir: IRRequest): JsonRecord | undefined {
  if (ir.reasoning?.adaptive) return { type: 'adaptive' };
  const budget = budgetOf(ir.reasoning);
  if (budget === undefined || budget <= 0) return undefined;
  return { type: 'enabled', budget_tokens: Math.max(MIN_THINKING_BUDGET, budget) };
}

function cacheControl(cache: IRCacheHint | undefined): { cache_control?: JsonRecord } {
  if (!cache) return {};
  return { cache_control: { type: 'ephemeral', ...(cache.ttl ? { ttl: cache.ttl } : {}) } };
}

function encodeSystem(parts: IRTextPart[]): string | JsonRecord[] {
  const only = parts[0];
  if (parts.length === 1 && only && !only.cache) return only.text;
  return parts.map((p) => ({ type: 'text', text: p.text, ...cacheControl(p.cache) }));
}

function encodeToolChoice(
  c: IRToolChoice | undefined,
  parallel: boolean | undefined,
): JsonRecord | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (c === undefined) return parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (c === 'none') return { type: 'none' };
  if (c === 'auto') return { type: 'auto', ...noParallel };
  if (c === 'required') return { type: 'any', ...noParallel };
  return { type: 'tool', name: c.name, ...noParallel };
}

function encodeUserPart(p: IRUserPart, param: string): JsonRecord {
  if (p.type === 'text') return { type: 'text', text: p.text, ...cacheControl(p.cache) };
  if (p.source.kind === 'url') {
    return { type: 'image', source: { type: 'url', url: p.source.url }, ...cacheControl(p.cache) };
  }
  if (!IMAGE_TYPES.includes(p.source.mediaType)) {
    throw unsupported(param, `images of type ${p.source.mediaType} cannot be sent to this model`);
  }
  return {
    type: 'image',
    source: { type: 'base64', media_type: p.source.mediaType, data: p.source.data },
    ...cacheControl(p.cache),
  };
}

function encodeBlocks(m: IRMessage, i: number): JsonRecord[] {
  const at = (j: number) => `messages[${i}].content[${j}]`;
  if (m.role === 'user') {
    return m.content.flatMap((p, j) =>
      p.type === 'text' && p.text === '' ? [] : [encodeUserPart(p, at(j))],
    );
  }
  if (m.role === 'tool') {
    return m.content.map((r, j) => {
      const content = r.content
        .filter((p) => p.type !== 'text' || p.text !== '')
        .map((p, k) => encodeUserPart(p, `${at(j)}.content[${k}]`));
      const only = content[0];
      const block: JsonRecord = { type: 'tool_result', tool_use_id: r.toolCallId };
      if (content.length === 1 && only?.['type'] === 'text' && !only['cache_control'])
        block['content'] = only['text'];
      else if (content.length > 0) block['content'] = content;
      if (r.isError) block['is_error'] = true;
      return { ...block, ...cacheControl(r.cache) };
    });
  }
  return m.content.flatMap((p, j): JsonRecord[] => {
    if (p.type === 'text') return p.text === '' ? [] : [{ type: 'text', text: p.text }];
    if (p.type === 'tool_call') {
      return [{ type: 'tool_use', id: p.id, name: p.name, input: parseArguments(p.arguments, at(j)) }];
    }
    if (p.redactedData !== undefined) return [{ type: 'redacted_thinking', data: p.redactedData }];
    return p.signature ? [{ type: 'thinking', thinking: p.text, signature: p.signature }] : [];
  });
}

function encodeMessages(messages: IRMessage[]): JsonRecord[] {
  const out: { role: 'user' | 'assistant'; content: JsonRecord[] }[] = [];
  messages.forEach((m, i) => {
    const blocks = encodeBlocks(m, i);
    if (blocks.length === 0 && m.role === 'assistant') return;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  });
  return out.map((m) => {
    const only = m.content[0];
    // A lone uncached text block is sent as the plain-string shorthand.
    if (m.content.length === 1 && only?.['type'] === 'text' && !only['cache_control']) {
      return { role: m.role, content: only['text'] };
    }
    return m;
  });
}
