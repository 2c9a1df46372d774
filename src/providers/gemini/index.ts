// The Gemini generateContent protocol as a bridge adapter: client side
// (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`) and upstream
// side (generativelanguage.googleapis.com, or a base URL override, with or without its version
// segment: `https://host` gets `/v1beta`, as @google/genai's `baseUrl` is written).

import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { withVersion } from '../../bridge/base-url';
import { geminiErrorToGateway } from './errors';
import { geminiRequestToIR } from './request';
import { geminiBuiltinTools, geminiRequestFromIR } from './request-encode';
import { geminiResponseFromIR, geminiResponseToIR } from './response';
import { geminiStreamDecoder, geminiStreamEncoder } from './stream';

export const GEMINI_DEFAULT_BASE = 'https://generativelanguage.googleapis.com/v1beta';

export function geminiTarget(
  cfg: UpstreamConfig,
  req: { model: string; stream: boolean },
  call?: 'countTokens' | 'embedContent' | 'batchEmbedContents',
): UpstreamTarget {
  const base = withVersion(cfg.baseUrl ?? GEMINI_DEFAULT_BASE, 'v1beta');
  const model = encodeURIComponent(req.model.replace(/^models\//, ''));
  const method = call ?? (req.stream ? 'streamGenerateContent?alt=sse' : 'generateContent');
  return {
    url: `${base}/models/${model}:${method}`,
    headers: { 'content-type': 'application/json', 'x-goog-api-key': cfg.apiKey },
  };
}

export const geminiAdapter: BridgeAdapter = {
  protocol: 'gemini-generate-content',
  decodeRequest: geminiRequestToIR,
  encodeResponse: geminiResponseFromIR,
  streamEncoder: geminiStreamEncoder,
  encodeRequest: geminiRequestFromIR,
  builtinTools: geminiBuiltinTools,
  target: geminiTarget,
  decodeResponse: geminiResponseToIR,
  streamDecoder: geminiStreamDecoder,
  decodeError: geminiErrorToGateway,
};
