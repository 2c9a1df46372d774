// The Anthropic Messages protocol as a bridge adapter: client side (`POST /v1/messages`) and
// upstream side (api.anthropic.com or a base URL override). A base URL may be given with or without
// its API version segment (`https://host` or `https://host/v1`, as the Anthropic SDK and the docs
// write it); without one, `/v1` is added.

import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { withVersion } from '../../bridge/base-url';
import { anthropicErrorToGateway } from './errors';
import { anthropicRequestToIR } from './request';
import { anthropicBuiltinTools, anthropicRequestFromIR } from './request-encode';
import { anthropicResponseFromIR, anthropicResponseToIR } from './response';
import { anthropicStreamDecoder, anthropicStreamEncoder } from './stream';

export const ANTHROPIC_DEFAULT_BASE = 'https://api.anthropic.com/v1';
/** The API version whose request format request-encode.ts writes (it still takes temperature etc.). */
export const ANTHROPIC_VERSION = '2023-06-01';

export function anthropicTarget(cfg: UpstreamConfig, _req?: unknown, path = '/messages'): UpstreamTarget {
  const base = withVersion(cfg.baseUrl ?? ANTHROPIC_DEFAULT_BASE, 'v1');
  return {
    url: `${base}${path}`,
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
  builtinTools: anthropicBuiltinTools,
  target: anthropicTarget,
  decodeResponse: anthropicResponseToIR,
  streamDecoder: anthropicStreamDecoder,
  decodeError: anthropicErrorToGateway,
};
