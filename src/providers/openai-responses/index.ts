// The OpenAI Responses protocol as a bridge adapter: client side (`POST /v1/responses`, e.g. Codex)
// and upstream side (OpenAI's `/v1/responses`).
import type { BridgeAdapter, UpstreamConfig } from '../../bridge/adapter';
import { bearerTarget } from './chat-bridge';
import { openAIErrorToGateway } from './error-ir';
import { OPENAI_DEFAULT_BASE } from './index';
import { responsesRequestToIR } from './responses-request';
import { responsesRequestFromIR } from './responses-request-encode';
import { responsesResponseFromIR, responsesResponseToIR } from './responses-response';
import { responsesStreamDecoder } from './responses-stream';
import { responsesStreamEncoder } from './responses-stream-encode';

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
