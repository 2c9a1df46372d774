// Gemini API (v1beta): generateContent, streamGenerateContent?alt=sse, countTokens, embedContent,
// batchEmbedContents (what @google/genai's embedContent calls), and the google.rpc error shape.

import {
  type Conversation,
  countAllWords,
  embedVector,
  planReply,
  type Reply,
  splitDeltas,
  type ToolChoice,
} from './conversation';
import { asArray, asRecord, asString, protoField, stringLeaves } from './json';
import {
  type HandlerContext,
  type HandlerResult,
  type JsonResult,
  okStatus,
  ProviderRequestError,
} from './protocol';
import type { SseEvent } from './sse';

const STATUSES: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  409: ['ABORTED', 'The operation was aborted.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  499: ['CANCELLED', 'The operation was cancelled.'],
  500: [
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  ],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

/** `{error: {code, message, status}}` with the canonical google.rpc status name. */
export function geminiError(code: number, message?: string): JsonResult {
  const [status, text] = STATUSES[code] ?? [
    code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION',
    `Error ${code}`,
  ];
  return { kind: 'json', status: code, body: { error: { code, message: message ?? text, status } } };
}

function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  return asArray(asRecord(content)['parts'])
    .map((p) => asString(asRecord(p)['text']))
    .filter((t): t is string => t !== undefined);
}

function toolChoice(body: Record<string, unknown>): ToolChoice {
  const cfg = asRecord(protoField(asRecord(protoField(body, 'toolConfig')), 'functionCallingConfig'));
  const mode = String(cfg['mode'] ?? 'AUTO').toUpperCase();
  if (mode === 'NONE') return { mode: 'none' };
  if (mode !== 'ANY') return { mode: 'auto' };
  const allowed = asString(asArray(protoField(cfg, 'allowedFunctionNames'))[0]);
  return allowed === undefined ? { mode: 'required' } : { mode: 'required', name: allowed };
}

/** Reads systemInstruction + contents; functionResponse string values count as prompt text. */
export function geminiConversation(body: Record<string, unknown>): Conversation {
  const texts = contentTexts(protoField(body, 'systemInstruction'));
  let lastUserText: string | null = null;
  let hasToolResult = false;
  for (const c of asArray(body['contents'])) {
    const content = asRecord(c);
    const parts = contentTexts(content);
    texts.push(...parts);
    for (const p of asArray(content['parts'])) {
      const fr = protoField(asRecord(p), 'functionResponse');
      if (fr === undefined) continue;
      hasToolResult = true;
      texts.push(...stringLeaves(asRecord(fr)['response']));
    }
    const role = content['role'] ?? 'user';
    if (role === 'user' && parts.length > 0) lastUserText = parts.join(' ');
  }
  const tools = asArray(body['tools'])
    .flatMap((t) => asArray(protoField(asRecord(t), 'functionDeclarations')))
    .map(asRecord)
    .filter((f) => typeof f['name'] === 'string')
    .map((f) => ({
      name: String(f['name']),
      schema: f['parameters'] ?? protoField(f, 'parametersJsonSchema'),
    }));
  return { texts, lastUserText, tools, toolChoice: toolChoice(body), hasToolResult, parallelAllowed: true };
}

/** promptTokenCount includes cached tokens; thoughts are counted beside candidates in the total. */
export function geminiUsage(reply: Reply): Record<string, unknown> {
  const u = reply.usage;
  const prompt = u.promptWords + u.cached + u.cacheWrite;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: u.outputWords,
    totalTokenCount: prompt + u.outputWords + u.reasoning,
    // proto3 JSON leaves zero counts out, so these appear only when non-zero.
    ...(u.cached > 0 ? { cachedContentTokenCount: u.cached } : {}),
    ...(u.reasoning > 0 ? { thoughtsTokenCount: u.reasoning } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(u.cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: u.cached }] } : {}),
  };
}

function requireContents(body: Record<string, unknown>): void {
  if (asArray(body['contents']).length === 0) {
    throw new ProviderRequestError(400, '* GenerateContentRequest.contents: contents is not specified\n');
  }
}

function generate(ctx: HandlerContext, stream: boolean): HandlerResult {
  requireContents(ctx.body);
  const model = ctx.params['model'] ?? '';
  const reply = planReply(geminiConversation(ctx.body), ctx.behaviour);
  const head = { modelVersion: model, responseId: `fake-${ctx.nextId()}` };
  const candidate = (parts: unknown[], last: boolean): Record<string, unknown> => ({
    content: { parts, role: 'model' },
    ...(last ? { finishReason: 'STOP' } : {}),
    index: 0,
  });
  // Gemini has no tool-call finish reason: a function call ends with STOP, like text.
  const fullParts =
    reply.kind === 'text'
      ? [{ text: reply.text }]
      : reply.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }));
  if (!stream) {
    return {
      kind: 'json',
      status: okStatus(ctx.behaviour),
      body: { candidates: [candidate(fullParts, true)], usageMetadata: geminiUsage(reply), ...head },
    };
  }
  const pieces: unknown[][] =
    reply.kind === 'text'
      ? splitDeltas(reply.text, ctx.behaviour.chunks).map((t) => [{ text: t }])
      : [fullParts];
  if (pieces.length === 0) pieces.push([{ text: '' }]);
  const events: SseEvent[] = pieces.map((parts, i) => {
    const last = i === pieces.length - 1;
    return {
      data: {
        candidates: [candidate(parts, last)],
        ...(last ? { usageMetadata: geminiUsage(reply) } : {}),
        ...head,
      },
    };
  });
  // The real endpoint ends every SSE line with CRLF.
  return { kind: 'sse', events, headers: { 'content-type': 'text/event-stream' }, eol: '\r\n' };
}

export const generateContent = (ctx: HandlerContext): HandlerResult => generate(ctx, false);
export const streamGenerateContent = (ctx: HandlerContext): HandlerResult => generate(ctx, true);

export function countTokens(ctx: HandlerContext): HandlerResult {
  // Either bare `contents` or a whole `generateContentRequest` (which may carry systemInstruction).
  const inner = asRecord(protoField(ctx.body, 'generateContentRequest'));
  const source = Object.keys(inner).length > 0 ? inner : ctx.body;
  const total = countAllWords(geminiConversation(source).texts);
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] },
  };
}

function embeddingOf(request: Record<string, unknown>): { values: number[] } {
  const texts = contentTexts(request['content']);
  if (request['content'] === undefined)
    throw new ProviderRequestError(400, '* EmbedContentRequest.content: content is not specified\n');
  const dims = protoField(request, 'outputDimensionality');
  return { values: embedVector(texts.join(' '), typeof dims === 'number' ? dims : 8) };
}

export function embedContent(ctx: HandlerContext): HandlerResult {
  return { kind: 'json', status: okStatus(ctx.behaviour), body: { embedding: embeddingOf(ctx.body) } };
}

export function batchEmbedContents(ctx: HandlerContext): HandlerResult {
  const requests = asArray(ctx.body['requests']).map(asRecord);
  if (requests.length === 0)
    throw new ProviderRequestError(400, '* BatchEmbedContentsRequest.requests: requests is not specified\n');
  return { kind: 'json', status: okStatus(ctx.behaviour), body: { embeddings: requests.map(embeddingOf) } };
}
