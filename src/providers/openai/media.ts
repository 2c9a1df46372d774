// OpenAI's images, audio and moderations endpoints. They are relayed unchanged (only the model
// replaced; audio uploads stay multipart) to providers that speak them — OpenAI and compatible
// servers — and never translated. What is metered is read from the answer: images generated (and
// token usage, which the gpt-image models report), audio seconds (transcriptions that report a
// duration), characters of speech input, and token usage where a transcription model reports it.
import type { UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { count, rec, str } from '../../bridge/read';
import { jsonObjectAfter } from '../../bridge/sse-frame';
import type { TokenUsage } from '../../usage/types';
import type { MediaEndpoint, MediaSpec, MediaWire } from '../types';
import { openAIErrorToGateway } from './errors';
import { bearerTarget } from './index';

/** `usage` as image and transcription models report it: input/output tokens. */
function tokenUsage(text: string): TokenUsage | null {
  const usage = rec(jsonObjectAfter(text, '"usage":'));
  if (typeof usage['input_tokens'] !== 'number' && typeof usage['output_tokens'] !== 'number') return null;
  return {
    promptTokens: count(usage['input_tokens']),
    completionTokens: count(usage['output_tokens']),
    cachedReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

/** Counted without parsing the (often megabytes of base64) body: one key per generated image. */
function imagesIn(text: string): number {
  return (text.match(/"b64_json":|"url":/g) ?? []).length;
}

const zero = (): TokenUsage => ({
  promptTokens: 0,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

const transcription: Omit<MediaSpec, 'path' | 'endpoint'> = {
  family: 'openai',
  multipart: true,
  read: {
    usage: (text) => tokenUsage(text) ?? zero(),
    units: (text) => {
      // whisper reports `usage: {type: "duration", seconds}`; verbose_json also has `duration`.
      const usage = rec(jsonObjectAfter(text, '"usage":'));
      const seconds =
        typeof usage['seconds'] === 'number'
          ? usage['seconds']
          : Number(/"duration":\s*([\d.]+)/.exec(text)?.[1]);
      return Number.isFinite(seconds) ? { audioSeconds: Math.ceil(seconds) } : {};
    },
  },
};

export const MEDIA: Record<MediaEndpoint, MediaSpec> = {
  images: {
    family: 'openai',
    endpoint: '/v1/images/generations',
    path: '/images/generations',
    multipart: false,
    defaultModel: 'dall-e-2',
    read: { usage: (text) => tokenUsage(text) ?? zero(), units: (text) => ({ images: imagesIn(text) }) },
  },
  speech: {
    family: 'openai',
    endpoint: '/v1/audio/speech',
    path: '/audio/speech',
    multipart: false,
    requestUnits: (fields) => ({ audioChars: (str(fields['input']) ?? '').length }),
  },
  transcriptions: { ...transcription, endpoint: '/v1/audio/transcriptions', path: '/audio/transcriptions' },
  translations: { ...transcription, endpoint: '/v1/audio/translations', path: '/audio/translations' },
  moderations: {
    family: 'openai',
    endpoint: '/v1/moderations',
    path: '/moderations',
    multipart: false,
    defaultModel: 'omni-moderation-latest',
    read: { usage: () => zero() },
  },
};

export function openAIMediaWire(defaultBase: string | null): MediaWire {
  return {
    target: (cfg: UpstreamConfig, path: string): UpstreamTarget =>
      bearerTarget(cfg.baseUrl, defaultBase, path, cfg.apiKey),
    decodeError: openAIErrorToGateway,
  };
}
