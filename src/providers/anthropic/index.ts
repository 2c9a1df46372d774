// The Anthropic Messages protocol as a bridge adapter: client side (`POST /v1/messages`) and
// upstream side (api.anthropic.com or a base URL override that includes `/v1`).
import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { anthropicErrorToGateway } from './errors';
import { anthropicRequestToIR } from './request';
import { anthropicRequestFromIR } from './request-encode';
import { anthropicResponseFromIR, anthropicResponseToIR } from './response';
import { anthropicStreamDecoder, anthropicStreamEncoder } from './stream';

export const ANTHROPIC_DEFAULT_BASE = 'https://api.anthropic.com/v1';
/** The API version whose request format request-encode.ts writes (it still takes temperature etc.). */
export const ANTHROPIC_VERSION = '2023-06-01';

export function anthropicTarget(cfg: UpstreamConfig): UpstreamTarget {
  const base = (cfg.baseUrl ?? ANTHROPIC_DEFAULT_BASE).replace(/\/+$/, '');
  return {
    url: `${base}/messages`,
    headers: {
      'content-type': 'application/json',
      'x-api-key': cfg.apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
    },
  };
}

export const anthropicAdapter: BridgeAdapter = {
  protocol: 'anthropic-messages',
  decodeRequest: (body) => anthropicRequestToIR(body),
  encodeResponse: anthropicResponseFromIR,
  streamEncoder: anthropicStreamEncoder,
  encodeRequest: anthropicRequestFromIR,
  target: anthropicTarget,
  decodeResponse: anthropicResponseToIR,
  streamDecoder: anthropicStreamDecoder,
  decodeError: anthropicErrorToGateway,
};
