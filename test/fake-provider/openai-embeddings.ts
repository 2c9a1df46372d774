// OpenAI (and Azure OpenAI) embeddings, and the model list.

import { countWords, embedVector } from './conversation';
import { asString } from './json';
import {
  type HandlerContext,
  type HandlerResult,
  okStatus,
  ProviderRequestError,
  requireString,
} from './protocol';

/** Inputs of an embeddings request: string, string[], token array, or array of token arrays. */
function embeddingInputs(input: unknown): { text: string; tokens: number }[] {
  const one = (v: unknown): { text: string; tokens: number } => {
    if (typeof v === 'string') return { text: v, tokens: countWords(v) };
    if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
      return { text: v.join(' '), tokens: v.length };
    throw new ProviderRequestError(400, "Invalid 'input': expected a string or array.", 'input');
  };
  if (typeof input === 'string') return [one(input)];
  if (Array.isArray(input) && input.length > 0) {
    return input.every((x) => typeof x === 'number') ? [one(input)] : input.map(one);
  }
  throw new ProviderRequestError(400, "Missing required parameter: 'input'.", 'input');
}

function float32Base64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

function embed(ctx: HandlerContext, azure: boolean): HandlerResult {
  const model = azure
    ? (asString(ctx.body['model']) ?? ctx.params['deployment'] ?? '')
    : requireString(ctx.body, 'model', 'you must provide a model parameter');
  const dims = typeof ctx.body['dimensions'] === 'number' ? ctx.body['dimensions'] : 8;
  // The official SDK asks for base64 (little-endian float32) unless told otherwise.
  const base64 = ctx.body['encoding_format'] === 'base64';
  const inputs = embeddingInputs(ctx.body['input']);
  const tokens = inputs.reduce((s, x) => s + x.tokens, 0);
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      object: 'list',
      data: inputs.map((x, index) => {
        const v = embedVector(x.text, dims);
        return { object: 'embedding', index, embedding: base64 ? float32Base64(v) : v };
      }),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}

export const embeddings = (ctx: HandlerContext): HandlerResult => embed(ctx, false);
export const azureEmbeddings = (ctx: HandlerContext): HandlerResult => embed(ctx, true);

export const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o4-mini', 'text-embedding-3-small'];

export function listModels(ctx: HandlerContext): HandlerResult {
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      object: 'list',
      data: MODELS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'system' })),
    },
  };
}
