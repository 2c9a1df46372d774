// Anthropic upstream errors → GatewayError. Body: {type: "error", error: {type, message}}; the same
// object arrives as an `error` event inside a stream (typically overloaded_error), without a status.
//
// Sniffing (2026-07, Anthropic "Errors" page and observed messages): an over-long prompt is a plain
// invalid_request_error whose message reads "prompt is too long: N tokens > M maximum" or "input
// length and `max_tokens` exceed context limit", so the message is matched to tell the caller
// clearly; the error type decides everything else.
import type { UpstreamErrorResponse } from '../../bridge/adapter';
import { rec, str } from '../../bridge/read';
import { parseJson } from '../../bridge/sse';
import { gatewayErrorFrom, retryAfterSeconds, type UpstreamFailure } from '../../bridge/upstream-error';
import type { GatewayError } from '../../errors/gateway-error';

const STATUS_FOR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const CONTEXT_MESSAGE = /prompt is too long|exceed context limit|context window/i;

function failure(status: number, errorObject: unknown): UpstreamFailure {
  const err = rec(errorObject);
  const message = str(err['message']);
  const f: UpstreamFailure = { status };
  if (message !== undefined) f.message = message;
  if (status === 400 && message && CONTEXT_MESSAGE.test(message)) f.kind = 'context_length';
  return f;
}

export function anthropicErrorToGateway(res: UpstreamErrorResponse): GatewayError {
  const f = failure(res.status, rec(parseJson(res.body))['error']);
  const retry = retryAfterSeconds(res.retryAfter);
  if (retry !== undefined) f.retryAfterSeconds = retry;
  return gatewayErrorFrom(f);
}

/** An `event: error` inside a 200 stream. */
export function anthropicStreamError(errorObject: unknown): GatewayError {
  const type = str(rec(errorObject)['type']) ?? '';
  return gatewayErrorFrom(failure(STATUS_FOR_TYPE[type] ?? 500, errorObject));
}
