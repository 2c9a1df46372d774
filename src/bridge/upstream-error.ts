// Upstream failure → the GatewayError the client sees, once adapters have read their error body.
// Client-caused errors (400, 404, 413, 422) keep the provider's message, which explains the
// caller's own mistake; everything else gets a gateway message, so upstream internals (org ids,
// key hints, stack traces) never reach the caller (security and failure behaviour).
import {
  type GatewayError,
  InvalidRequestError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitError,
  UpstreamError,
} from '../errors/gateway-error';

/** What an adapter's errors.ts extracted from a provider error. */
export interface UpstreamFailure {
  status: number;
  /** The provider's own message; shown only when the failure is the caller's doing. */
  message?: string;
  param?: string;
  /** Overrides the status when the body says more (a 400 that is really a bad key, an overload). */
  kind?: 'auth' | 'rate_limit' | 'overloaded' | 'context_length' | 'billing';
  retryAfterSeconds?: number;
}

export const CONTEXT_LENGTH_MESSAGE =
  "The conversation is longer than the model's context window allows. Shorten the messages, lower " +
  'max tokens, or use a model with a larger context window.';

export function gatewayErrorFrom(f: UpstreamFailure): GatewayError {
  const kind = f.kind ?? kindForStatus(f.status);
  switch (kind) {
    case 'context_length':
      return new InvalidRequestError(
        'context_length_exceeded',
        CONTEXT_LENGTH_MESSAGE,
        f.param ?? 'messages',
      );
    case 'auth':
      return new UpstreamError(
        'upstream_auth_failed',
        "The provider refused the gateway's credentials; an operator has been alerted.",
        502,
      );
    case 'billing':
      return new UpstreamError(
        'upstream_billing',
        'The provider account behind this model is out of credit; an operator has been alerted.',
        502,
      );
    case 'rate_limit':
      return new RateLimitError(
        'upstream_rate_limited',
        'The provider is rate limiting this model; try again shortly.',
        f.retryAfterSeconds ?? 1,
      );
    case 'overloaded':
      return new OverloadedError('upstream_overloaded', 'The provider is overloaded; try again shortly.');
    default:
      return byStatus(f);
  }
}

function kindForStatus(status: number): UpstreamFailure['kind'] {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'billing';
  if (status === 429) return 'rate_limit';
  // 529 is a documented overload status of one provider; 503 is everyone else's.
  if (status === 503 || status === 529) return 'overloaded';
  return undefined;
}

function byStatus(f: UpstreamFailure): GatewayError {
  const message = f.message?.trim() || `The provider rejected the request (HTTP ${f.status}).`;
  if (f.status === 404) return new NotFoundError('upstream_not_found', message);
  if (f.status === 413) return new PayloadTooLargeError('upstream_payload_too_large', message);
  if (f.status === 400 || f.status === 422) {
    return new InvalidRequestError('upstream_invalid_request', message, f.param);
  }
  if (f.status === 408 || f.status === 504) {
    return new UpstreamError('upstream_timeout', 'The provider timed out.', 504);
  }
  return new UpstreamError('upstream_error', `The provider failed (HTTP ${f.status}).`, 502);
}

/** Retry-After as seconds (delta-seconds form only; an HTTP date would need a clock). */
export function retryAfterSeconds(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const n = Number(header.trim());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The error a client sees, in its own protocol, when an upstream stream broke off after the first byte. */
export function streamBreak(reason: 'upstream_error' | 'upstream_idle_timeout'): UpstreamError {
  return reason === 'upstream_idle_timeout'
    ? new UpstreamError(
        'upstream_idle_timeout',
        'The provider stopped sending mid-stream (idle timeout); the response is incomplete.',
      )
    : new UpstreamError(
        'upstream_stream_interrupted',
        'The provider broke off the stream; the response is incomplete.',
      );
}
