// Maps a GatewayError to each client protocol's error body. The one place that knows the shapes.
import type { ErrorKind, GatewayError } from './gateway-error';

export type ClientProtocol = 'openai' | 'anthropic' | 'gemini' | 'admin';

const openaiType: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  quota: 'insufficient_quota',
  payload_too_large: 'invalid_request_error',
  upstream: 'api_error',
  overloaded: 'api_error',
  internal: 'api_error',
};

const anthropicType: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  quota: 'rate_limit_error',
  payload_too_large: 'request_too_large',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  internal: 'api_error',
};

// google.rpc.Code names, as Gemini's `error.status` carries them.
const geminiStatus: Record<ErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  rate_limit: 'RESOURCE_EXHAUSTED',
  quota: 'RESOURCE_EXHAUSTED',
  payload_too_large: 'INVALID_ARGUMENT',
  upstream: 'UNAVAILABLE',
  overloaded: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

// Anthropic answers an exhausted credit balance with 400 `invalid_request_error` (its SDKs retry a
// 429, which cannot help); OpenAI and Gemini with their 429 quota errors.
const anthropicCredit = (err: GatewayError) => protocolStatus(err, 'anthropic') !== err.status;

/** The HTTP status `err` answers with in `protocol`. */
export function protocolStatus(err: GatewayError, protocol: ClientProtocol): number {
  return protocol === 'anthropic' && err.code === 'insufficient_quota' ? 400 : err.status;
}

export function errorBody(err: GatewayError, protocol: ClientProtocol, requestId: string): unknown {
  switch (protocol) {
    case 'anthropic':
      return {
        type: 'error',
        error: {
          type: anthropicCredit(err) ? 'invalid_request_error' : anthropicType[err.kind],
          message: err.message,
          code: err.code,
        },
        request_id: requestId,
      };
    case 'gemini':
      return {
        error: {
          code: err.status,
          message: err.message,
          status: geminiStatus[err.kind],
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: err.code,
              domain: 'switchyard',
              metadata: { request_id: requestId },
            },
          ],
        },
      };
    default:
      return {
        error: {
          message: err.message,
          type: openaiType[err.kind],
          param: err.param ?? null,
          code: err.code,
          request_id: requestId,
        },
      };
  }
}

export function errorResponse(err: GatewayError, protocol: ClientProtocol, requestId: string): Response {
  return new Response(JSON.stringify(errorBody(err, protocol, requestId)), {
    status: protocolStatus(err, protocol),
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...err.headers() },
  });
}
