// Typed gateway errors. Each has a stable `code` from the closed set in ./codes.ts and an HTTP
// status; rendering into a protocol's error shape happens once, in ./render.ts.
import type { ErrorCode } from './codes';

export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'quota'
  | 'payload_too_large'
  | 'upstream'
  | 'overloaded'
  | 'internal';

export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly kind: ErrorKind;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /** Extra response headers (e.g. Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
}

export class InvalidRequestError extends GatewayError {
  readonly status = 400;
  readonly kind = 'invalid_request';
}

export class AuthenticationError extends GatewayError {
  readonly status = 401;
  readonly kind = 'authentication';
}

export class PermissionDeniedError extends GatewayError {
  readonly status = 403;
  readonly kind = 'permission';
}

export class NotFoundError extends GatewayError {
  readonly status = 404;
  readonly kind = 'not_found';
}

/** The request conflicts with the current state (an id in use, an account that still has children). */
export class ConflictError extends GatewayError {
  readonly status = 409;
  readonly kind = 'invalid_request';
}

/** A policy write that would allow more than the parent allows (a child's policy never widens its parent's); `param` names the field. */
export class PolicyWideningError extends GatewayError {
  readonly status = 422;
  readonly kind = 'invalid_request';
  constructor(field: string, message: string) {
    super('policy_widening', message, field);
  }
}

/** A feature whose secret or binding is not configured: refused plainly, never a 500. */
export class NotConfiguredError extends GatewayError {
  readonly status = 503;
  readonly kind = 'overloaded';
}

export class PayloadTooLargeError extends GatewayError {
  readonly status = 413;
  readonly kind = 'payload_too_large';
}

export class RateLimitError extends GatewayError {
  readonly status = 429;
  readonly kind = 'rate_limit';
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
  override headers(): Record<string, string> {
    return { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

/** Daily and budget limits: retrying soon will not help, so no Retry-After. */
export class QuotaExceededError extends GatewayError {
  readonly status = 429;
  readonly kind = 'quota';
}

/** The upstream failed in a way the gateway could not absorb; never carries upstream internals. */
export class UpstreamError extends GatewayError {
  readonly kind = 'upstream';
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number = 502,
  ) {
    super(code, message);
  }
}

export class OverloadedError extends GatewayError {
  readonly status = 503;
  readonly kind = 'overloaded';
}

/** Anything unexpected; the message shown to callers is generic, the cause is logged. */
export class InternalError extends GatewayError {
  readonly status = 500;
  readonly kind = 'internal';
  constructor() {
    super('internal_error', 'The gateway hit an unexpected error. Quote the request id when reporting it.');
  }
}
