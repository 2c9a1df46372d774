// Gemini embeddings (`:embedContent`, and `:batchEmbedContents`, which @google/genai's
// embedContent calls): the client side and the upstream wire.
//
// Documented defaults: translated to another provider, a content's text parts are joined with a
// space, `outputDimensionality` becomes `dimensions`, `taskType` and `title` are dropped (OpenAI
// models take no task hint). Gemini reports no token usage for embeddings, so the record carries a
// tokenizer estimate flagged as such. Refused: non-text parts.
import { z } from 'zod';
import { isRecord, type JsonRecord, list, num, rec, str, unsupported } from '../../bridge/read';
import { jsonObjectAfter } from '../../bridge/sse-frame';
import type { EmbeddingsClientSpec, EmbeddingsProtocol, EmbeddingsWire, EmbedRequest } from '../types';
import { geminiErrorToGateway } from './errors';
import { geminiTarget } from './index';

function contentText(content: unknown, at: string): string {
  return list(rec(content)['parts'])
    .map((p, i) => {
      const text = str(rec(p)['text']);
      if (text === undefined)
        throw unsupported(`${at}.parts[${i}]`, 'only text can be embedded by this model');
      return text;
    })
    .join(' ');
}

function options(r: JsonRecord, req: EmbedRequest): EmbedRequest {
  const dims = num(r['outputDimensionality'] ?? r['output_dimensionality']);
  if (dims !== undefined) req.dimensions = dims;
  const task = str(r['taskType'] ?? r['task_type']);
  if (task !== undefined) req.taskType = task;
  return req;
}

const usageFromBody = (text: string): number | null => {
  const usage = rec(jsonObjectAfter(text, '"usageMetadata":'));
  return typeof usage['promptTokenCount'] === 'number' ? usage['promptTokenCount'] : null;
};

const modelName = (model: string) => `models/${model}`;

export const geminiEmbedClient: EmbeddingsClientSpec = {
  id: 'gemini-embed',
  family: 'gemini',
  endpoint: '/v1beta/models:embedContent',
  schema: z.looseObject({ content: z.looseObject({ parts: z.array(z.unknown()) }) }),
  model: (_body, pathModel) => pathModel ?? '',
  decode: (body, model) => options(body, { model, inputs: [contentText(body['content'], 'content')] }),
  encode: (res) => ({ embedding: { values: res.vectors[0] ?? [] } }),
  passthroughBody: (body, model) => ({ ...body, model: modelName(model) }),
  usageFromBody,
};

export const geminiBatchEmbedClient: EmbeddingsClientSpec = {
  id: 'gemini-batch-embed',
  family: 'gemini',
  endpoint: '/v1beta/models:batchEmbedContents',
  schema: z.looseObject({ requests: z.array(z.looseObject({})).min(1, 'requests must not be empty') }),
  model: (_body, pathModel) => pathModel ?? '',
  decode(body, model) {
    const requests = list(body['requests']).map(rec);
    const inputs = requests.map((r, i) => contentText(r['content'], `requests[${i}].content`));
    return options(requests[0] ?? {}, { model, inputs });
  },
  encode: (res) => ({ embeddings: res.vectors.map((values) => ({ values })) }),
  // Every request names the model, and Gemini insists it be the one in the URL.
  passthroughBody: (body, model) => ({
    ...body,
    requests: list(body['requests']).map((r) => (isRecord(r) ? { ...r, model: modelName(model) } : r)),
  }),
  usageFromBody,
};

export const geminiEmbeddings: EmbeddingsWire = {
  native: ['gemini-embed', 'gemini-batch-embed'],
  target: (cfg, model, protocol: EmbeddingsProtocol | null) =>
    geminiTarget(
      cfg,
      { model, stream: false },
      protocol === 'gemini-embed' ? 'embedContent' : 'batchEmbedContents',
    ),
  encode: (req) => ({
    requests: req.inputs.map((text) => ({
      model: modelName(req.model),
      content: { parts: [{ text }] },
      ...(req.taskType !== undefined ? { taskType: req.taskType } : {}),
      ...(req.dimensions !== undefined ? { outputDimensionality: req.dimensions } : {}),
    })),
  }),
  decode: (json) => ({
    vectors: list(rec(json)['embeddings']).map((e) =>
      list(rec(e)['values']).filter((x): x is number => typeof x === 'number'),
    ),
    promptTokens: null,
  }),
  decodeError: geminiErrorToGateway,
};
