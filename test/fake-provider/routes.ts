// The route table, per-provider auth and request checks, and turning handler failures into
// provider-shaped errors.

import { countTokens as anthropicCountTokens, anthropicError, createMessage } from './anthropic';
import { UnknownToolError } from './conversation';
import {
  batchEmbedContents,
  embedContent,
  countTokens as geminiCountTokens,
  geminiError,
  generateContent,
  streamGenerateContent,
} from './gemini';
import { azureChatCompletions, chatCompletions, openAIError } from './openai';
import { azureEmbeddings, embeddings, listModels } from './openai-embeddings';
import { generateImages, moderate, speech, storedResponse, transcribe } from './openai-media';
import {
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type JsonResult,
  type ProtocolName,
  ProviderRequestError,
} from './protocol';
import { createResponse } from './responses';

export interface Route {
  method: 'GET' | 'POST';
  /** Matched against the URL pathname; named groups become params. */
  pattern: RegExp;
  protocol: ProtocolName;
  handler: Handler;
  /** Query parameters that must be present with this value for the route to match. */
  query?: Record<string, string>;
  /** What the body must be: a JSON object (default), anything (multipart uploads), or nothing. */
  body?: 'json' | 'any';
}

const GEMINI = '^/v1beta/models/(?<model>[^/:]+)';
const AZURE = '^/openai/deployments/(?<deployment>[^/]+)';

export const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/v1\/chat\/completions$/, protocol: 'openai', handler: chatCompletions },
  { method: 'POST', pattern: /^\/v1\/responses$/, protocol: 'openai', handler: createResponse },
  { method: 'POST', pattern: /^\/v1\/embeddings$/, protocol: 'openai', handler: embeddings },
  { method: 'GET', pattern: /^\/v1\/models$/, protocol: 'openai', handler: listModels },
  {
    method: 'GET',
    pattern: /^\/v1\/responses\/(?<id>[^/]+)$/,
    protocol: 'openai',
    handler: (ctx) => storedResponse(ctx, 'completed'),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/responses\/(?<id>[^/]+)\/cancel$/,
    protocol: 'openai',
    handler: (ctx) => storedResponse(ctx, 'cancelled'),
    body: 'any',
  },
  { method: 'POST', pattern: /^\/v1\/images\/generations$/, protocol: 'openai', handler: generateImages },
  { method: 'POST', pattern: /^\/v1\/moderations$/, protocol: 'openai', handler: moderate },
  { method: 'POST', pattern: /^\/v1\/audio\/speech$/, protocol: 'openai', handler: speech },
  {
    method: 'POST',
    pattern: /^\/v1\/audio\/(transcriptions|translations)$/,
    protocol: 'openai',
    handler: transcribe,
    body: 'any',
  },
  {
    method: 'POST',
    pattern: new RegExp(`${AZURE}/chat/completions$`),
    protocol: 'azure',
    handler: azureChatCompletions,
  },
  {
    method: 'POST',
    pattern: new RegExp(`${AZURE}/embeddings$`),
    protocol: 'azure',
    handler: azureEmbeddings,
  },
  { method: 'POST', pattern: /^\/v1\/messages$/, protocol: 'anthropic', handler: createMessage },
  {
    method: 'POST',
    pattern: /^\/v1\/messages\/count_tokens$/,
    protocol: 'anthropic',
    handler: anthropicCountTokens,
  },
  {
    method: 'POST',
    pattern: new RegExp(`${GEMINI}:generateContent$`),
    protocol: 'gemini',
    handler: generateContent,
  },
  {
    method: 'POST',
    pattern: new RegExp(`${GEMINI}:streamGenerateContent$`),
    protocol: 'gemini',
    handler: streamGenerateContent,
    // Without alt=sse Gemini streams a JSON array, which this fake does not speak: fail closed.
    query: { alt: 'sse' },
  },
  {
    method: 'POST',
    pattern: new RegExp(`${GEMINI}:countTokens$`),
    protocol: 'gemini',
    handler: geminiCountTokens,
  },
  {
    method: 'POST',
    pattern: new RegExp(`${GEMINI}:embedContent$`),
    protocol: 'gemini',
    handler: embedContent,
  },
  {
    method: 'POST',
    pattern: new RegExp(`${GEMINI}:batchEmbedContents$`),
    protocol: 'gemini',
    handler: batchEmbedContents,
  },
];

export function matchRoute(
  method: string,
  url: URL,
): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(url.pathname);
    if (!m) continue;
    if (route.query && !Object.entries(route.query).every(([k, v]) => url.searchParams.get(k) === v))
      continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
    return { route, params };
  }
  return null;
}

/** The credential in the place each provider reads it from; null when absent or empty. */
export function readCredential(
  protocol: ProtocolName,
  headers: Record<string, string>,
  query: URLSearchParams,
): string | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  let key: string | undefined;
  if (protocol === 'openai') key = bearer;
  else if (protocol === 'azure') key = headers['api-key'];
  // The documented header is x-api-key, but @anthropic-ai/sdk 1.x sends API keys as a Bearer token.
  else if (protocol === 'anthropic') key = headers['x-api-key'] ?? bearer;
  else key = headers['x-goog-api-key'] ?? query.get('key') ?? undefined;
  key = key?.trim();
  return key ? key : null;
}

export function errorFor(
  protocol: ProtocolName,
  status: number,
  message?: string,
  param?: string | null,
): JsonResult {
  if (protocol === 'anthropic') return anthropicError(status, message);
  if (protocol === 'gemini') return geminiError(status, message);
  return openAIError(status, message, param ?? null);
}

/** Provider-specific request checks that come before any behaviour (they consume no script). */
export function precheck(
  route: Route,
  headers: Record<string, string>,
  query: URLSearchParams,
): JsonResult | null {
  if (route.protocol === 'anthropic' && !headers['anthropic-version']) {
    return anthropicError(400, 'anthropic-version: header is required');
  }
  if (route.protocol === 'azure' && !query.get('api-version')) {
    return openAIError(400, 'Missing required query parameter: api-version', 'api-version');
  }
  return null;
}

export type Outcome = { result: HandlerResult; crashed: boolean };

/** Runs a handler; request errors become that provider's 4xx, anything else a 500 marked crashed. */
export function execute(route: Route, ctx: HandlerContext): Outcome {
  try {
    return { result: route.handler(ctx), crashed: false };
  } catch (e) {
    if (e instanceof ProviderRequestError) {
      return { result: errorFor(route.protocol, e.status, e.message, e.param), crashed: false };
    }
    if (e instanceof UnknownToolError)
      return { result: errorFor(route.protocol, 400, e.message), crashed: false };
    return { result: errorFor(route.protocol, 500, `fake provider crashed: ${String(e)}`), crashed: true };
  }
}
