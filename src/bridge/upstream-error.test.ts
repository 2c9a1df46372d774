import { describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  RateLimitError,
  UpstreamError,
} from '../errors/gateway-error';
import { CONTEXT_LENGTH_MESSAGE, gatewayErrorFrom, retryAfterSeconds } from './upstream-error';

describe('gatewayErrorFrom', () => {
  it.each([
    [400, InvalidRequestError, 'upstream_invalid_request', 400],
    [422, InvalidRequestError, 'upstream_invalid_request', 400],
    [404, NotFoundError, 'upstream_not_found', 404],
    [413, PayloadTooLargeError, 'upstream_payload_too_large', 413],
    [401, UpstreamError, 'upstream_auth_failed', 502],
    [403, UpstreamError, 'upstream_auth_failed', 502],
    [402, UpstreamError, 'upstream_billing', 502],
    [429, RateLimitError, 'upstream_rate_limited', 429],
    [503, OverloadedError, 'upstream_overloaded', 503],
    [529, OverloadedError, 'upstream_overloaded', 503],
    [504, UpstreamError, 'upstream_timeout', 504],
    [500, UpstreamError, 'upstream_error', 502],
  ])('HTTP %i → %o %s', (status, cls, code, httpStatus) => {
    const err = gatewayErrorFrom({ status, message: 'org-123 key sk-abc…xyz internal detail' });
    expect(err).toBeInstanceOf(cls);
    expect([err.code, err.status]).toEqual([code, httpStatus]);
  });

  it("keeps the provider's message only for the caller's own mistakes", () => {
    const internal = 'org-123 key sk-abc…xyz internal detail';
    expect(gatewayErrorFrom({ status: 400, message: 'messages: bad role', param: 'messages' })).toMatchObject(
      {
        message: 'messages: bad role',
        param: 'messages',
      },
    );
    for (const status of [401, 403, 429, 500, 503, 529]) {
      expect(gatewayErrorFrom({ status, message: internal }).message).not.toContain('org-123');
    }
    expect(gatewayErrorFrom({ status: 400 }).message).toBe('The provider rejected the request (HTTP 400).');
  });

  it('lets the body override the status: bad key on a 400, context length, retry delay', () => {
    expect(gatewayErrorFrom({ status: 400, kind: 'auth' }).code).toBe('upstream_auth_failed');
    const ctx = gatewayErrorFrom({ status: 400, kind: 'context_length', message: 'prompt is too long' });
    expect(ctx).toBeInstanceOf(InvalidRequestError);
    expect([ctx.code, ctx.message, ctx.param]).toEqual([
      'context_length_exceeded',
      CONTEXT_LENGTH_MESSAGE,
      'messages',
    ]);
    const rl = gatewayErrorFrom({ status: 429, retryAfterSeconds: 23 });
    expect(rl.headers()).toEqual({ 'retry-after': '23' });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and ignores dates and junk', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(' 0 ')).toBe(0);
    expect(retryAfterSeconds('Wed, 21 Oct 2026 07:28:00 GMT')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('-1')).toBeUndefined();
  });
});
