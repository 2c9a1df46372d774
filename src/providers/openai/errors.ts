// OpenAI-format upstream errors (chat completions, Responses, Azure OpenAI) → GatewayError.
// Body: {error: {message, type, param, code}}.
//
// Sniffing (2026-07, OpenAI error reference): `code: "context_length_exceeded"` (or, from compatible
// servers that leave `code` empty, a message about the maximum context length) marks an over-long
// prompt; `code: "insufficient_quota"` arrives as a 429 but is a billing problem, not a rate limit.
import type { UpstreamErrorResponse } from '../../bridge/adapter';
import { rec, str } from '../../bridge/read';
import { parseJson } from '../../bridge/sse';
import { gatewayErrorFrom, retryAfterSeconds, type UpstreamFailure } from '../../bridge/upstream-error';
import type { GatewayError } from '../../errors/gateway-error';

const CONTEXT_MESSAGE = /maximum context length|context window|too many tokens|prompt is too long/i;

export function openAIFailure(status: number, errorObject: unknown): UpstreamFailure {
  const err = rec(errorObject);
  const message = str(err['message']);
  const code = str(err['code']);
  const failure: UpstreamFailure = { status };
  if (message !== undefined) failure.message = message;
  const param = str(err['param']);
  if (param !== undefined) failure.param = param;
  if (code === 'context_length_exceeded' || (status === 400 && message && CONTEXT_MESSAGE.test(message))) {
    failure.kind = 'context_length';
  } else if (code === 'insufficient_quota') {
    failure.kind = 'billing';
  } else if (code === 'invalid_api_key') {
    failure.kind = 'auth';
  }
  return failure;
}

export function openAIErrorToGateway(res: UpstreamErrorResponse): GatewayError {
  const failure = openAIFailure(res.status, rec(parseJson(res.body))['error']);
  const retry = retryAfterSeconds(res.retryAfter);
  if (retry !== undefined) failure.retryAfterSeconds = retry;
  return gatewayErrorFrom(failure);
}

/** An error sent inside a 200 stream: no status, so one is inferred from the error type. */
export function openAIStreamError(errorObject: unknown): GatewayError {
  const type = str(rec(errorObject)['type']) ?? str(rec(errorObject)['code']) ?? '';
  let status = 500;
  if (/rate_limit|requests|tokens/.test(type)) status = 429;
  else if (type === 'invalid_request_error') status = 400;
  return gatewayErrorFrom(openAIFailure(status, errorObject));
}
