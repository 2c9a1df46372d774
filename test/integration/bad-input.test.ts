// Bad input gets a clear 4xx in the caller's protocol shape with a stable code — never a 500.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { basePolicy, upstreamKeys } from './fixtures';
import { applyPolicy, call, chat, newKey } from './helpers';

const key = newKey();
const internKey = newKey();

beforeAll(async () => {
  await applyPolicy(basePolicy(inject('fakeProviderUrl')), {
    gatewayKeys: { 'team-key': key, 'intern-key': internKey },
    upstreamKeys,
  });
});

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; type: string; request_id: string };
  };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
  expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  return body.error;
}

describe('bad input on /v1/chat/completions', () => {
  it('malformed JSON', async () => {
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: '{"model": ',
    });
    await expectError(res, 400, 'invalid_json');
  });

  it('wrong types name the field', async () => {
    const err = await expectError(
      await chat(key, { model: 'mock-small', messages: 'hi' }),
      400,
      'invalid_request',
    );
    expect(err.message).toMatch(/^messages:/);
    await expectError(
      await chat(key, { model: 42, messages: [{ role: 'user', content: 'x' }] }),
      400,
      'invalid_request',
    );
    await expectError(await chat(key, { model: 'mock-small', messages: [] }), 400, 'invalid_request');
  });

  it('huge bodies', async () => {
    const big = 'x'.repeat(33 * 1024 * 1024);
    const res = await chat(key, { model: 'mock-small', messages: [{ role: 'user', content: big }] });
    await expectError(res, 413, 'request_too_large');
  });

  it('missing, unknown and malformed keys', async () => {
    await expectError(
      await call('/v1/chat/completions', { method: 'POST', json: {} }),
      401,
      'missing_api_key',
    );
    await expectError(
      await chat('sy_not_a_real_key', { model: 'mock-small', messages: [] }),
      401,
      'invalid_api_key',
    );
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
      json: {},
    });
    await expectError(res, 401, 'missing_api_key');
  });

  it('unknown and disallowed models', async () => {
    const err = await expectError(
      await chat(key, { model: 'gpt-5-ultra', messages: [{ role: 'user', content: 'x' }] }),
      403,
      'model_not_allowed',
    );
    expect(err.message).toContain('gpt-5-ultra');
    // The intern's own allowlist is narrower than its ancestors'.
    await expectError(
      await chat(internKey, { model: 'fake-small', messages: [{ role: 'user', content: 'x' }] }),
      403,
      'model_not_allowed',
    );
  });

  it("unknown endpoints, in each protocol's shape", async () => {
    await expectError(
      await call('/v1/nope', { method: 'POST', headers: { authorization: `Bearer ${key}` } }),
      404,
      'unknown_endpoint',
    );
    const gemini = await call('/v1beta/models/x:nope', {
      method: 'POST',
      headers: { 'x-goog-api-key': 'sy_nope' },
    });
    expect(gemini.status).toBe(401);
    expect(await gemini.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const anthropic = await call('/v1/messages/batches', {
      method: 'POST',
      headers: { 'x-api-key': key },
      json: {},
    });
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const invalid = await call('/v1/messages', { method: 'POST', headers: { 'x-api-key': key }, json: {} });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_request' },
    });
  });
});

describe('bad input on the admin API', () => {
  it('refuses missing and wrong tokens and bad queries', async () => {
    await expectError(await call('/admin/v1/usage/daily'), 401, 'missing_management_token');
    await expectError(
      await call('/admin/v1/usage/daily', { headers: { authorization: 'Bearer forged' } }),
      401,
      'invalid_management_token',
    );
    const res = await call('/admin/v1/usage/daily?from=yesterday', {
      headers: { authorization: 'Bearer sya_test_admin_token' },
    });
    const err = await expectError(res, 400, 'invalid_request');
    expect(err.message).toMatch(/^from:/);
  });

  it('refuses an invalid policy with the path of the problem', async () => {
    const res = await call('/admin/v1/policy/apply', {
      method: 'POST',
      headers: { authorization: 'Bearer sya_test_admin_token' },
      json: {
        policy: { version: 1, accounts: [{ id: 'org', name: 'Org', policy: { limits: { rpm: -1 } } }] },
      },
    });
    const err = await expectError(res, 400, 'invalid_request');
    expect(err.message).toContain('policy.accounts.0.policy.limits.rpm');
  });
});
