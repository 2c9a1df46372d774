// OpenAI embeddings (`POST /v1/embeddings`): the client side and the upstream wire of OpenAI,
// compatible servers and Azure OpenAI.
//
// Documented defaults: translated to another provider, `encoding_format: "base64"` (what the
// openai SDK asks for by default) is honoured by encoding the float vectors as little-endian
// float32, `dimensions` becomes the provider's output dimensionality, `user` is dropped, and usage
// is the provider's count or, when it reports none, a tokenizer estimate (flagged in the record).
// Refused when translated: token-id inputs (arrays of integers), which only OpenAI-style servers read.
import { z } from 'zod';
import type { UpstreamConfig } from '../../bridge/adapter';
import { count, type JsonRecord, list, num, rec, str, unsupported } from '../../bridge/read';
import { jsonObjectAfter } from '../../bridge/sse-frame';
import { azureTarget } from '../azure-openai';
import type { EmbeddingsClientSpec, EmbeddingsWire, EmbedRequest } from '../types';
import { openAIErrorToGateway } from './errors';
import { bearerTarget } from './index';

const schema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  input: z.union([z.string(), z.array(z.unknown()).min(1, 'input must not be empty')]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().positive().nullish(),
});

/** Little-endian float32 bytes in base64: OpenAI's `encoding_format: "base64"`. */
export function float32Base64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export const openAIEmbeddingsClient: EmbeddingsClientSpec = {
  id: 'openai-embeddings',
  family: 'openai',
  endpoint: '/v1/embeddings',
  schema,
  model: (body) => str(body['model']) ?? '',
  decode(body, model) {
    const input = body['input'];
    const inputs = typeof input === 'string' ? [input] : list(input);
    const req: EmbedRequest = {
      model,
      inputs: inputs.map((v, i) => {
        if (typeof v !== 'string')
          throw unsupported(`input[${i}]`, 'token-id inputs cannot be sent to this model');
        return v;
      }),
    };
    const dims = num(body['dimensions']);
    if (dims !== undefined) req.dimensions = dims;
    return req;
  },
  encode(res, { body, model, estimatedTokens }) {
    const base64 = body['encoding_format'] === 'base64';
    const tokens = res.promptTokens ?? estimatedTokens;
    return {
      object: 'list',
      data: res.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? float32Base64(v) : v,
      })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  },
  passthroughBody: (body, model) => ({ ...body, model }),
  usageFromBody: (text) => {
    const usage = rec(jsonObjectAfter(text, '"usage":'));
    return typeof usage['prompt_tokens'] === 'number' ? count(usage['prompt_tokens']) : null;
  },
};

function decode(json: unknown): { vectors: number[][]; promptTokens: number | null } {
  const body = rec(json);
  const data = list(body['data'])
    .map(rec)
    .sort((a, b) => (num(a['index']) ?? 0) - (num(b['index']) ?? 0));
  const usage = rec(body['usage']);
  return {
    vectors: data.map((d) => list(d['embedding']).filter((x): x is number => typeof x === 'number')),
    promptTokens: typeof usage['prompt_tokens'] === 'number' ? count(usage['prompt_tokens']) : null,
  };
}

function encode(req: EmbedRequest): JsonRecord {
  return {
    model: req.model,
    input: req.inputs,
    encoding_format: 'float',
    ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}),
  };
}

/** The wire of an OpenAI-style upstream whose embeddings live at `target`. */
export function openAIEmbeddingsWire(
  target: (cfg: UpstreamConfig, model: string) => { url: string; headers: Record<string, string> },
): EmbeddingsWire {
  return {
    native: ['openai-embeddings'],
    target: (cfg, model) => target(cfg, model),
    encode,
    decode,
    decodeError: openAIErrorToGateway,
  };
}

export const openAIEmbeddings = (defaultBase: string | null) =>
  openAIEmbeddingsWire((cfg) => bearerTarget(cfg.baseUrl, defaultBase, '/embeddings', cfg.apiKey));

export const azureEmbeddings = openAIEmbeddingsWire((cfg, model) => {
  const chat = azureTarget(cfg, { model });
  return { ...chat, url: chat.url.replace('/chat/completions?', '/embeddings?') };
});
