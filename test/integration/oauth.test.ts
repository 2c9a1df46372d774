// OAuth refresh-token credentials (protocol bridge): the access token is fetched once and shared by every
// request, and a refresh the token endpoint refuses disables the key like a 401.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, chat, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

interface Seen {
  requests: { path: string; key: string | null }[];
}

beforeAll(async () => {
  await fetch(`${fakeUrl}/__fake/reset`, { method: 'POST' });
  const oauth = { token_url: `${fakeUrl}/oauth/token`, client_id: 'switchyard-test' };
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'oa-org',
          name: 'Org',
          policy: { level_mapper: { 'oauth-*': 7, 'mixed-*': 8, 'html-*': 9, 'down-*': 10 } },
        },
      ],
      levels: [
        {
          id: 7,
          name: 'oauth',
          keys: [
            {
              id: 'oa-good',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'GOOD',
              oauth,
            },
          ],
        },
        {
          id: 8,
          name: 'a refused refresh token next to a plain key',
          retries: 2,
          keys: [
            {
              id: 'oa-bad',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'BAD',
              oauth,
              weight: 100,
            },
            { id: 'oa-plain', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'PLAIN' },
          ],
        },
        {
          id: 9,
          name: 'a refresh refused with a non-JSON page next to a plain key',
          retries: 2,
          keys: [
            {
              id: 'oa-html',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'HTML',
              oauth,
              weight: 100,
            },
            { id: 'oa-plain-2', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'PLAIN' },
          ],
        },
        {
          id: 10,
          name: 'a token endpoint nobody listens on next to a plain key',
          retries: 2,
          keys: [
            {
              id: 'oa-down',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'DOWN',
              // Port 1 on loopback: nothing listens, the connection is refused at once.
              oauth: { token_url: 'http://127.0.0.1:1/oauth/token', client_id: 'switchyard-test' },
              weight: 100,
            },
            { id: 'oa-plain-3', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'PLAIN' },
          ],
        },
      ],
      gateway_keys: [{ id: 'oa-key', account: 'oa-org', name: 'k', key_env: 'K' }],
    },
    {
      gatewayKeys: { 'oa-key': key },
      upstreamKeys: {
        'oa-good': JSON.stringify({ refresh_token: 'fake-refresh-ok' }),
        'oa-bad': JSON.stringify({ refresh_token: 'fake-refresh-revoked' }),
        'oa-plain': 'fake-ok',
        'oa-plain-2': 'fake-ok',
        'oa-plain-3': 'fake-ok',
        'oa-down': JSON.stringify({ refresh_token: 'fake-refresh-ok' }),
        'oa-html': JSON.stringify({ refresh_token: 'fake-refresh-refused-html' }),
      },
    },
  );
});

async function seen(): Promise<Seen['requests']> {
  return ((await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as Seen).requests;
}

describe('OAuth refresh credentials', () => {
  it('refreshes once for 20 concurrent requests and calls the provider with the access token', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        chat(key, { model: 'oauth-m', messages: [{ role: 'user', content: `hi ${i}` }] }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const all = await seen();
    expect(all.filter((r) => r.path === '/oauth/token' && r.key === 'fake-refresh-ok')).toHaveLength(1);
    expect(
      all.filter((r) => r.path === '/v1/chat/completions' && r.key === 'fake-ok').length,
    ).toBeGreaterThanOrEqual(20);
  });

  it('disables a key whose refresh is refused, raises an alert, and serves from the next key', async () => {
    const res = await chat(key, { model: 'mixed-m', messages: [{ role: 'user', content: 'still works' }] });
    expect(res.status).toBe(200);
    const pool = env.KEY_POOL.get(env.KEY_POOL.idFromName('level:8'));
    const health = await pool.health();
    expect(health.keys['oa-bad']).toMatchObject({ disabled: true, lastError: 'auth_failed_400' });
    expect(health.alerts.map((a) => a.keyId)).toContain('oa-bad');
    // No further refresh attempts for the disabled key.
    await chat(key, { model: 'mixed-m', messages: [{ role: 'user', content: 'again' }] });
    expect((await seen()).filter((r) => r.key === 'fake-refresh-revoked')).toHaveLength(1);
  });

  it('disables (not cools) a key whose refresh is refused with a body that is not JSON', async () => {
    const res = await chat(key, { model: 'html-m', messages: [{ role: 'user', content: 'still works' }] });
    expect(res.status).toBe(200);
    const health = await env.KEY_POOL.get(env.KEY_POOL.idFromName('level:9')).health();
    expect(health.keys['oa-html']).toMatchObject({ disabled: true, lastError: 'auth_failed_401' });
    expect(health.alerts.map((a) => a.keyId)).toContain('oa-html');
  });

  it('only cools a key whose token endpoint cannot be reached (the refresh token may be fine)', async () => {
    const res = await chat(key, { model: 'down-m', messages: [{ role: 'user', content: 'still works' }] });
    expect(res.status).toBe(200);
    const health = await env.KEY_POOL.get(env.KEY_POOL.idFromName('level:10')).health();
    expect(health.keys['oa-down']).toMatchObject({ disabled: false });
    expect(health.keys['oa-down']?.coolUntil).toBeGreaterThan(Date.now());
    expect(health.alerts.map((a) => a.keyId)).not.toContain('oa-down');
  });
});
