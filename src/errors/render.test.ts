import { describe, expect, it } from 'vitest';
import { credentialFrom } from '../auth/credentials';
import { outcomeForStatus, retryAfterMs } from '../proxy/outcome';
import { PermissionDeniedError, RateLimitError } from './gateway-error';
import { protocolForPath } from './protocol';
import { errorBody, errorResponse } from './render';

describe('error shapes', () => {
  const err = new RateLimitError('rate_limit_exceeded', 'Slow down.', 1.2);

  it("renders each protocol's own shape with the stable code", () => {
    expect(errorBody(err, 'openai', 'req_1')).toEqual({
      error: {
        message: 'Slow down.',
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
        request_id: 'req_1',
      },
    });
    expect(errorBody(err, 'anthropic', 'req_1')).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down.' },
    });
    expect(errorBody(new PermissionDeniedError('model_not_allowed', 'No.'), 'gemini', 'req_1')).toMatchObject(
      {
        error: { code: 403, status: 'PERMISSION_DENIED', message: 'No.' },
      },
    );
  });

  it('sets the status and a whole-second Retry-After', () => {
    const res = errorResponse(err, 'openai', 'req_1');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('picks the protocol from the path', () => {
    expect(protocolForPath('/v1/messages')).toBe('anthropic');
    expect(protocolForPath('/v1/messages/count_tokens')).toBe('anthropic');
    expect(protocolForPath('/v1beta/models/x:generateContent')).toBe('gemini');
    expect(protocolForPath('/v1/chat/completions')).toBe('openai');
    expect(protocolForPath('/admin/v1/usage/daily')).toBe('admin');
  });
});

describe('credentials', () => {
  const url = new URL('http://x/v1beta/models?key=from-query');
  it("reads each SDK's header, in order", () => {
    expect(credentialFrom(new Headers({ authorization: 'Bearer  abc ' }), () => url)).toBe('abc');
    expect(credentialFrom(new Headers({ 'x-api-key': 'def' }), () => url)).toBe('def');
    expect(credentialFrom(new Headers({ 'x-goog-api-key': 'ghi' }), () => url)).toBe('ghi');
    expect(credentialFrom(new Headers(), () => url)).toBe('from-query');
    expect(
      credentialFrom(new Headers({ authorization: 'Basic xyz' }), () => new URL('http://x/')),
    ).toBeNull();
  });
});

describe('upstream outcomes', () => {
  it('classifies statuses and parses Retry-After in both forms', () => {
    expect(outcomeForStatus(429, '3', 0)).toEqual({ kind: 'rate_limited', retryAfterMs: 3_000 });
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(outcomeForStatus(503, null, 0)).toEqual({ kind: 'server_error' });
    expect(outcomeForStatus(401, null, 0)).toEqual({ kind: 'auth_failed', status: 401 });
    expect(outcomeForStatus(400, null, 0)).toBeNull();
  });
});
