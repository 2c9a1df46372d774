// The Gemini generateContent protocol as a bridge adapter: client side
// (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`) and upstream
// side (generativelanguage.googleapis.com, or a base URL override that includes `/v1beta`).
import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { geminiErrorToGateway } from './errors';
import { geminiRequestToIR } from './request';
import { geminiRequestFromIR } from './request-encode';
import { geminiResponseFromIR, geminiResponseToIR } from './response';
import { geminiStreamDecoder, geminiStreamEncoder } from './stream';

export const GEMINI_DEFAULT_BASE = 'https://generativelanguage.googleapis.com/v1beta';

export function geminiTarget(cfg: UpstreamConfig, req: { model: string; stream: boolean }): UpstreamTarget {
  const base = (cfg.baseUrl ?? GEMINI_DEFAULT_BASE).replace(/\/+$/, '');
  const model = encodeURIComponent(req.model.replace(/^models\//, ''));
  const method = req.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
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
  target: geminiTarget,
  decodeResponse: geminiResponseToIR,
  streamDecoder: geminiStreamDecoder,
  decodeError: geminiErrorToGateway,
};
