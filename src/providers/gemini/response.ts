// Gemini generateContent responses ↔ IR, usage and finish reasons. A whole response is decoded by
// feeding its parts through the same EventSink the stream decoder uses, so both agree exactly.
//
// Usage: `candidatesTokenCount` EXCLUDES `thoughtsTokenCount`, so completionTokens = candidates +
// thoughts (usage/types.ts counts reasoning inside completion); `promptTokenCount` already includes
// cached tokens; tool-use prompt tokens are input too. Gemini reports no cache writes.
// Signatures: Gemini puts `thoughtSignature` on the part that follows its reasoning (often a
// function call); the IR keeps it on a reasoning part just before that part (an empty one if the
// reasoning text was not returned), and the client side puts it back on the following part.
// Documented defaults: Gemini has no tool-call finish reason, so STOP with function calls is
// tool_use; a stop sequence is reported as STOP (end_turn); blocked prompts and safety finishes are
// content_filter; malformed or unexpected tool calls and OTHER are error; function calls without an
// `id` get `call_<responseId>_<n>`; on the client side redacted reasoning is dropped.
import type { EncodeContext } from '../../bridge/adapter';
import {
  type IRAnswerPart,
  type IRAssistantPart,
  type IRResponse,
  type IRStopReason,
  type IRWebSearchPart,
  isAssistantPart,
} from '../../bridge/ir';
import { count, type JsonRecord, list, parseArgumentsLenient, rec, str } from '../../bridge/read';
import { collectStream, EventSink } from '../../bridge/stream';
import type { TokenUsage } from '../../usage/types';

export function geminiUsageToIR(u: unknown): TokenUsage {
  const usage = rec(u);
  const thoughts = count(usage['thoughtsTokenCount']);
  return {
    promptTokens: count(usage['promptTokenCount']) + count(usage['toolUsePromptTokenCount']),
    completionTokens: count(usage['candidatesTokenCount']) + thoughts,
    cachedReadTokens: count(usage['cachedContentTokenCount']),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

export function geminiUsageFromIR(u: TokenUsage): JsonRecord {
  const candidates = Math.max(0, u.completionTokens - u.reasoningTokens);
  return {
    promptTokenCount: u.promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: u.promptTokens + u.completionTokens,
    // proto3 JSON leaves zero counts out, as Gemini does.
    ...(u.cachedReadTokens > 0 ? { cachedContentTokenCount: u.cachedReadTokens } : {}),
    ...(u.reasoningTokens > 0 ? { thoughtsTokenCount: u.reasoningTokens } : {}),
  };
}

const FILTERED = [
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
];

export function finishToIR(reason: string, sawToolCall: boolean): IRStopReason {
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (FILTERED.includes(reason)) return 'content_filter';
  if (reason === 'STOP' || reason === 'FINISH_REASON_UNSPECIFIED')
    return sawToolCall ? 'tool_use' : 'end_turn';
  return 'error';
}

export function finishFromIR(reason: IRStopReason): string {
  if (reason === 'max_tokens') return 'MAX_TOKENS';
  if (reason === 'content_filter') return 'SAFETY';
  if (reason === 'error') return 'OTHER';
  return 'STOP';
}

/** State shared by the chunks of one response: how many calls were seen (for generated ids). */
export interface PartState {
  responseId: string;
  calls: number;
  /** Grounding (Google Search) was reported already: it is reported once per answer. */
  grounded?: boolean;
}

/**
 * Google Search grounding as web searches: one per query the model ran, the grounding sources on
 * the first (Gemini does not say which query found which source).
 */
export function groundingToSink(sink: EventSink, metadata: unknown, state: PartState): void {
  const g = rec(metadata);
  const queries = list(g['webSearchQueries']).flatMap((q) => (typeof q === 'string' ? [q] : []));
  if (queries.length === 0 || state.grounded) return;
  state.grounded = true;
  const sources = list(g['groundingChunks']).flatMap((c) => {
    const web = rec(rec(c)['web']);
    const url = str(web['uri']);
    const title = str(web['title']);
    return url ? [{ url, ...(title ? { title } : {}) }] : [];
  });
  queries.forEach((query, i) => {
    sink.webSearch({
      type: 'web_search',
      id: `ws_${state.responseId}_${i}`,
      query,
      sources: i === 0 ? sources : [],
    });
  });
}

/** Web searches back as Google Search grounding metadata (queries and sources). */
export function groundingFromIR(content: IRAnswerPart[]): JsonRecord | undefined {
  const searches = content.filter((p): p is IRWebSearchPart => p.type === 'web_search');
  if (searches.length === 0) return undefined;
  return {
    webSearchQueries: searches.map((p) => p.query),
    groundingChunks: searches.flatMap((p) =>
      p.sources.map((s) => ({ web: { uri: s.url, ...(s.title ? { title: s.title } : {}) } })),
    ),
  };
}

/** Feeds one candidate's parts into the sink. */
export function partsToSink(sink: EventSink, parts: unknown[], state: PartState): void {
  for (const raw of parts) {
    const p = rec(raw);
    const signature = str(p['thoughtSignature']) ?? str(p['thought_signature']);
    const text = str(p['text']);
    if (p['thought'] === true) {
      sink.thinking(text ?? '');
      if (signature) sink.signature(signature);
      continue;
    }
    if (signature) sink.signature(signature);
    const fc = rec(p['functionCall'] ?? p['function_call']);
    if (str(fc['name']) !== undefined) {
      const key = String(state.calls);
      const id = str(fc['id']) || `call_${state.responseId}_${state.calls}`;
      state.calls++;
      sink.toolStart(key, id, str(fc['name']) ?? '');
      sink.toolArgs(key, JSON.stringify(fc['args'] ?? {}));
      sink.closePart();
    } else if (text !== undefined) sink.text(text);
  }
}

export function geminiResponseToIR(input: unknown): IRResponse {
  const body = rec(input);
  const sink = new EventSink();
  const responseId = str(body['responseId']) ?? '';
  sink.start(responseId, str(body['modelVersion']) ?? '');
  const cand = rec(list(body['candidates'])[0]);
  const state: PartState = { responseId, calls: 0 };
  partsToSink(sink, list(rec(cand['content'])['parts']), state);
  groundingToSink(sink, cand['groundingMetadata'], state);
  sink.usage(geminiUsageToIR(body['usageMetadata']));
  const blocked = str(rec(body['promptFeedback'])['blockReason']);
  sink.stop(blocked ? 'content_filter' : finishToIR(str(cand['finishReason']) ?? 'STOP', sink.sawToolCall));
  return collectStream(sink.drain()).response();
}

/**
 * IR assistant parts → Gemini parts. A reasoning signature goes on the part that follows the
 * reasoning (where Gemini puts it); with nothing after it, or before the next reasoning, it is sent
 * on an empty thought part of its own, which the decoders attach back to the reasoning before it.
 */
export function partsFromIR(
  content: IRAssistantPart[],
  call: (p: Extract<IRAssistantPart, { type: 'tool_call' }>, index: number) => JsonRecord,
): JsonRecord[] {
  const parts: JsonRecord[] = [];
  let pending: string | undefined;
  const flush = (): void => {
    if (pending !== undefined) parts.push({ text: '', thought: true, thoughtSignature: pending });
    pending = undefined;
  };
  const push = (part: JsonRecord): void => {
    parts.push(pending === undefined ? part : { ...part, thoughtSignature: pending });
    pending = undefined;
  };
  content.forEach((p, i) => {
    if (p.type === 'thinking') {
      if (p.redactedData !== undefined) return;
      flush();
      if (p.text !== '') parts.push({ text: p.text, thought: true });
      if (p.signature) pending = p.signature;
    } else if (p.type === 'text') push({ text: p.text });
    else push({ functionCall: call(p, i) });
  });
  flush();
  return parts;
}

function withGrounding(content: IRAnswerPart[]): JsonRecord {
  const grounding = groundingFromIR(content);
  return grounding ? { groundingMetadata: grounding } : {};
}

const lenientCall = (p: { id: string; name: string; arguments: string }): JsonRecord => ({
  id: p.id,
  name: p.name,
  args: parseArgumentsLenient(p.arguments),
});

export function geminiResponseFromIR(res: IRResponse, _ctx: EncodeContext): JsonRecord {
  return {
    candidates: [
      {
        content: { parts: partsFromIR(res.content.filter(isAssistantPart), lenientCall), role: 'model' },
        ...withGrounding(res.content),
        finishReason: finishFromIR(res.stopReason),
        index: 0,
      },
    ],
    usageMetadata: geminiUsageFromIR(res.usage),
    modelVersion: res.model,
    responseId: res.id,
  };
}
