// The OpenAI Responses protocol as a bridge adapter: client side (`POST /v1/responses`, e.g. Codex)
// and upstream side (OpenAI's `/v1/responses`).
import type { BridgeAdapter, UpstreamConfig } from '../../bridge/adapter';
import { bearerTarget, OPENAI_DEFAULT_BASE } from '../openai';
import { openAIErrorToGateway } from '../openai/errors';
import { responsesRequestToIR } from './request';
import { responsesRequestFromIR } from './request-encode';
import { responsesResponseFromIR, responsesResponseToIR } from './response';
import { responsesStreamDecoder, responsesStreamEncoder } from './stream';

export const openAIResponsesAdapter: BridgeAdapter = {
  protocol: 'openai-responses',
  decodeRequest: (body) => responsesRequestToIR(body),
  encodeResponse: responsesResponseFromIR,
  streamEncoder: responsesStreamEncoder,
  encodeRequest: responsesRequestFromIR,
  target: (cfg: UpstreamConfig) => bearerTarget(cfg.baseUrl, OPENAI_DEFAULT_BASE, '/responses', cfg.apiKey),
  decodeResponse: responsesResponseToIR,
  streamDecoder: responsesStreamDecoder,
  decodeError: openAIErrorToGateway,
};
