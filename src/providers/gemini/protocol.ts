// Gemini generateContent as clients speak it (`POST /v1beta/models/{model}:generateContent` and
// `:streamGenerateContent?alt=sse`; the model and streaming come from the URL): light validation,
// passthrough (usageMetadata is always sent), and the bridge's client side.
import { z } from 'zod';
import { isRecord, type JsonRecord, num, rec } from '../../bridge/read';
import { MAX_GEMINI_CANDIDATES, outputTokens } from '../../lib/input-limits';
import type { ClientProtocolSpec } from '../types';
import { geminiAdapter, geminiTarget } from './index';
import { geminiStreamTap, geminiUsageFromBody } from './tap';

// The output bound and candidate count feed the reservation: bounded here, in either casing.
const candidates = z.number().int().min(1).max(MAX_GEMINI_CANDIDATES).nullish();
const generationConfig = z
  .looseObject({
    maxOutputTokens: outputTokens(),
    max_output_tokens: outputTokens(),
    candidateCount: candidates,
    candidate_count: candidates,
  })
  .nullish();
const schema = z.looseObject({
  contents: z.array(z.unknown()).optional(),
  generationConfig,
  generation_config: generationConfig,
});

export const geminiGenerateProtocol: ClientProtocolSpec = {
  id: 'gemini-generate',
  family: 'gemini',
  schema,
  head: (body, route) => {
    // The REST API accepts camelCase and snake_case field names alike.
    const config = rec(body['generationConfig'] ?? body['generation_config']);
    const max = num(config['maxOutputTokens'] ?? config['max_output_tokens']);
    return {
      model: route.model ?? '',
      stream: route.stream === true,
      ...(max ? { maxOutputTokens: max } : {}),
    };
  },
  client: geminiAdapter,
  passthrough: {
    forwardHeaders: [],
    // The model travels in the URL (index.ts); a body `model` would contradict it.
    body: (body) => {
      const { model: _ignored, ...rest } = body;
      return { body: rest, hideUsage: false };
    },
    streamTap: geminiStreamTap,
    usageFromBody: geminiUsageFromBody,
  },
  counting: {
    upstream: (cfg, body, model) => {
      const nested = nestedRequest(body);
      // A nested generateContentRequest names its model, which must be the upstream's.
      const out = nested ? { generateContentRequest: { ...nested, model: `models/${model}` } } : body;
      return { ...geminiTarget(cfg, { model, stream: false }, 'countTokens'), body: out };
    },
    request: (body) => {
      const { model: _model, ...rest } = nestedRequest(body) ?? body;
      return rest;
    },
    answer: (tokens) => ({ totalTokens: tokens }),
  },
};

/** countTokens takes either `contents` or a whole `generateContentRequest`. */
function nestedRequest(body: JsonRecord): JsonRecord | undefined {
  const nested = body['generateContentRequest'] ?? body['generate_content_request'];
  return isRecord(nested) ? nested : undefined;
}
