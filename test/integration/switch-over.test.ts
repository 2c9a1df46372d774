// switch_over (routing and key pools): when every key of a level fails, the explicit backup level serves;
// without a
// configured backup there is no fallback, and the failure is reported cleanly.

import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, chat, eventually, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

beforeAll(async () => {
  const compat = (id: string, env: string) => ({
    id,
    provider: 'openai-compatible' as const,
    base_url: `${fakeUrl}/v1`,
    key_env: env,
  });
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'so-org',
          name: 'Org',
          policy: { level_mapper: { 'primary-*': 21, 'lonely-*': 23 }, switch_over: { '21': 22 } },
        },
      ],
      levels: [
        {
          id: 21,
          name: 'primary, all failing',
          retries: 1,
          keys: [compat('so-a', 'A'), compat('so-b', 'B')],
        },
        { id: 22, name: 'backup', keys: [compat('so-backup', 'C')] },
        { id: 23, name: 'no backup configured', retries: 0, keys: [compat('so-lonely', 'D')] },
      ],
      gateway_keys: [{ id: 'so-key', account: 'so-org', name: 'k', key_env: 'K' }],
    },
    {
      gatewayKeys: { 'so-key': key },
      upstreamKeys: {
        'so-a': 'fake-500',
        'so-b': 'fake-503',
        'so-backup': 'fake-ok',
        'so-lonely': 'fake-500',
      },
    },
  );
});

describe('switch-over', () => {
  it('follows switch_over when every key of the level failed, and records it', async () => {
    const res = await chat(key, {
      model: 'primary-m',
      messages: [{ role: 'user', content: 'please switch' }],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('Echo: please switch');
    const requestId = res.headers.get('x-request-id');
    const event = await eventually(
      async () =>
        (await env.DB.prepare(
          'SELECT level, upstream_key_id, retries, switched_over FROM usage_events WHERE request_id = ?',
        )
          .bind(requestId)
          .first()) ?? undefined,
    );
    expect(event).toEqual({ level: 22, upstream_key_id: 'so-backup', retries: 2, switched_over: 1 });
  });

  it('has no fallback that is not configured: the failure is a clean 502', async () => {
    const res = await chat(key, { model: 'lonely-m', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
  });
});
