// Gemini upstream errors → GatewayError. Body: {error: {code, message, status, details[]}} with
// google.rpc status names; a stream carries the same object as a `data:` chunk.
//
// Sniffing (2026-07, Gemini API troubleshooting page and observed answers): a bad API key is a 400
// INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID ("API key not valid"), so it must not pass
// for the caller's mistake; FAILED_PRECONDITION (400) means the account cannot serve (billing or
// region), an operator problem; an over-long prompt reads "The input token count (N) exceeds the
// maximum number of tokens allowed (M)"; a 429 may carry RetryInfo.retryDelay ("23s").
import type { UpstreamErrorResponse } from '../../bridge/adapter';
import { list, num, rec, str } from '../../bridge/read';
import { parseJson } from '../../bridge/sse';
import { gatewayErrorFrom, retryAfterSeconds, type UpstreamFailure } from '../../bridge/upstream-error';
import type { GatewayError } from '../../errors/gateway-error';

const STATUS_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

const CONTEXT_MESSAGE = /input token count.*exceeds the maximum|exceeds the maximum number of tokens/i;

function failure(httpStatus: number | undefined, errorObject: unknown): UpstreamFailure {
  const err = rec(errorObject);
  const rpc = str(err['status']) ?? '';
  const status = httpStatus ?? num(err['code']) ?? STATUS_CODES[rpc] ?? 500;
  const message = str(err['message']);
  const details = list(err['details']).map(rec);
  const f: UpstreamFailure = { status };
  if (message !== undefined) f.message = message;
  const reasons = details.map((d) => str(d['reason']));
  if (reasons.includes('API_KEY_INVALID') || (message && /API key not valid/i.test(message))) f.kind = 'auth';
  else if (rpc === 'FAILED_PRECONDITION') f.kind = 'billing';
  else if (status === 400 && message && CONTEXT_MESSAGE.test(message)) f.kind = 'context_length';
  const delay = details.map((d) => str(d['retryDelay'])).find((d) => d !== undefined);
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  if (Number.isFinite(seconds)) f.retryAfterSeconds = seconds;
  return f;
}

export function geminiErrorToGateway(res: UpstreamErrorResponse): GatewayError {
  const f = failure(res.status, rec(parseJson(res.body))['error']);
  const retry = retryAfterSeconds(res.retryAfter);
  if (retry !== undefined) f.retryAfterSeconds = retry;
  return gatewayErrorFrom(f);
}

/** An error chunk inside a 200 stream. */
export function geminiStreamError(errorObject: unknown): GatewayError {
  return gatewayErrorFrom(failure(undefined, errorObject));
}
