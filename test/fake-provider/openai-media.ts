// OpenAI images, moderations and audio, and Responses retrieval/cancel — just enough for the
// gateway's relay and metering: images as tiny base64 PNG stubs (with token usage for gpt-image
// models), audio as bytes, transcripts with a reported duration.

import { countWords } from './conversation';
import { asArray, asString } from './json';
import { openAIError } from './openai';
import { type HandlerContext, type HandlerResult, nowSeconds, okStatus, requireString } from './protocol';

const PNG_STUB = 'iVBORw0KGgo=';
/** Seconds reported for every transcription. */
export const FAKE_AUDIO_SECONDS = 2.4;

export function storedResponse(ctx: HandlerContext, status: 'completed' | 'cancelled'): HandlerResult {
  const id = ctx.params['id'] ?? '';
  if (!/^resp_fake_\d+$/.test(id)) return openAIError(404, `Response with id '${id}' not found.`);
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      id,
      object: 'response',
      created_at: nowSeconds(),
      status,
      model: 'fake',
      output: [],
      usage: null,
    },
  };
}

export function generateImages(ctx: HandlerContext): HandlerResult {
  const prompt = requireString(ctx.body, 'prompt', "Missing required parameter: 'prompt'.");
  const model = asString(ctx.body['model']) ?? 'dall-e-2';
  const n = typeof ctx.body['n'] === 'number' ? ctx.body['n'] : 1;
  const usage = model.startsWith('gpt-image')
    ? {
        usage: {
          input_tokens: countWords(prompt),
          output_tokens: 100 * n,
          total_tokens: countWords(prompt) + 100 * n,
        },
      }
    : {};
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      created: nowSeconds(),
      data: Array.from({ length: n }, () => ({ b64_json: PNG_STUB })),
      ...usage,
    },
  };
}

export function moderate(ctx: HandlerContext): HandlerResult {
  const input = ctx.body['input'];
  const inputs = typeof input === 'string' ? [input] : asArray(input);
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: {
      id: `modr-fake-${ctx.nextId()}`,
      model: asString(ctx.body['model']) ?? 'omni-moderation-latest',
      results: inputs.map(() => ({ flagged: false, categories: {}, category_scores: {} })),
    },
  };
}

export function speech(ctx: HandlerContext): HandlerResult {
  const input = requireString(ctx.body, 'input', "Missing required parameter: 'input'.");
  requireString(ctx.body, 'voice', "Missing required parameter: 'voice'.");
  return {
    kind: 'raw',
    status: okStatus(ctx.behaviour),
    body: new TextEncoder().encode(`FAKEAUDIO:${input}`),
    headers: { 'content-type': 'audio/mpeg' },
  };
}

/** Multipart: the `model` field and a `file` part are required, as with the real API. */
export function transcribe(ctx: HandlerContext): HandlerResult {
  const model = /name="model"\r\n\r\n([^\r\n]*)\r\n/.exec(ctx.raw)?.[1];
  if (!model) return openAIError(400, "Missing required parameter: 'model'.", 'model');
  if (!/name="file"; filename="/.test(ctx.raw))
    return openAIError(400, "Missing required parameter: 'file'.", 'file');
  return {
    kind: 'json',
    status: okStatus(ctx.behaviour),
    body: { text: `fake transcript by ${model}`, usage: { type: 'duration', seconds: FAKE_AUDIO_SECONDS } },
  };
}
