// What operators see and do about governance through the admin API (limits and quotas; routing and key
// pools): a key the provider
// refuses is disabled, alerted and reported; an operator re-enables it; counters are live.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, applyPolicy, call, chat, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** When the first request was sent: the rpm bucket refills 500 / 60 000 tokens per ms since. */
let firstRequestAt = 0;

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'ga-org',
          name: 'Org',
          policy: { level_mapper: { 'solo-*': 12, '*': 11 }, limits: { rpm: 500, rpd: 1_000 } },
        },
      ],
      levels: [
        {
          id: 11,
          name: 'one refused key, one good key',
          retries: 2,
          keys: [
            {
              id: 'ga-refused',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'BAD',
              weight: 100,
            },
            { id: 'ga-good', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'GOOD' },
          ],
        },
        {
          id: 12,
          name: 'only a refused key',
          keys: [
            { id: 'ga-solo', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'SOLO' },
          ],
        },
      ],
      gateway_keys: [{ id: 'ga-key', account: 'ga-org', name: 'k', key_env: 'K' }],
    },
    {
      gatewayKeys: { 'ga-key': key },
      upstreamKeys: { 'ga-refused': 'fake-401', 'ga-good': 'fake-ok', 'ga-solo': 'fake-401' },
    },
  );
});

describe('governance in the admin API', () => {
  it('disables a 401 key with an alert, keeps serving, and lets an operator re-enable it', async () => {
    firstRequestAt = Date.now();
    for (let i = 0; i < 3; i++) {
      const res = await chat(key, { model: 'fake-m', messages: [{ role: 'user', content: `try ${i}` }] });
      expect(res.status).toBe(200);
      await res.text();
    }
    const health = await call('/admin/v1/levels/11/health', { headers: admin });
    expect(health.status).toBe(200);
    const body = (await health.json()) as {
      keys: Record<string, { disabled: boolean; lastError?: string; errorCount?: number }>;
      alerts: { keyId: string }[];
    };
    expect(body.keys['ga-refused']).toMatchObject({
      disabled: true,
      lastError: 'auth_failed_401',
      errorCount: 1,
    });
    expect(body.keys['ga-good']).toBeUndefined();
    expect(body.alerts.map((a) => a.keyId)).toEqual(['ga-refused']);

    const enabled = await call('/admin/v1/upstream-keys/ga-refused/enable', {
      method: 'POST',
      headers: admin,
    });
    expect(enabled.status).toBe(200);
    const after = (await (await call('/admin/v1/levels/11/health', { headers: admin })).json()) as {
      keys: Record<string, unknown>;
    };
    expect(after.keys['ga-refused']).toBeUndefined();
    const missing = await call('/admin/v1/upstream-keys/nope/enable', { method: 'POST', headers: admin });
    expect(missing.status).toBe(404);
  });

  it('says a level is out of keys because they are disabled, not because none is configured', async () => {
    const first = await chat(key, { model: 'solo-m', messages: [{ role: 'user', content: 'x' }] });
    expect(first.status).toBe(502);
    expect(await first.json()).toMatchObject({ error: { code: 'upstream_auth_failed' } });
    const next = await chat(key, { model: 'solo-m', messages: [{ role: 'user', content: 'x' }] });
    expect(next.status).toBe(503);
    const { error } = (await next.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('no_upstream_available');
    expect(error.message).toMatch(
      /^Every provider key of level 12 is disabled: the provider refused its credentials/,
    );
  });

  it("shows an account's live counters from its governor, and hides other tenants'", async () => {
    const res = await call('/admin/v1/accounts/ga-org/counters', { headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      pools: Record<string, { used?: number; tokens?: number }>;
      inFlight: number;
    };
    expect(body.pools['rpd']?.used).toBeGreaterThanOrEqual(3);
    const refilled = Math.floor(((Date.now() - firstRequestAt) * 500) / 60_000);
    expect(body.pools['rpm']?.tokens).toBeLessThanOrEqual(497 + refilled);
    expect(body.inFlight).toBe(0);
    expect((await call('/admin/v1/accounts/nobody/counters', { headers: admin })).status).toBe(404);
  });
});
