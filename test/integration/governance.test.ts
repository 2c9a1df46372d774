// Limits hold under parallel requests, and failing upstream keys are slept while healthy ones serve.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { basePolicy } from './fixtures';
import { applyPolicy, chat, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

beforeAll(async () => {
  const policy = basePolicy(fakeUrl);
  const [org, team, intern] = policy.accounts;
  policy.accounts = [org, { ...team, policy: { limits: { rpm: 50 } } }, intern] as typeof policy.accounts;
  await applyPolicy(policy, {
    gatewayKeys: { 'team-key': key, 'intern-key': newKey() },
    // Key a is rate limited upstream for 30 s; key b is healthy.
    upstreamKeys: { 'fake-a': 'fake-429-ra30', 'fake-b': 'fake-ok' },
  });
});

describe('governance', () => {
  it('admits the RPM limit, plus only what refilled meanwhile, when 200 calls race', async () => {
    const stub = env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName('race-test'));
    // The object decides time by its own clock (a caller's `now` is not trusted for the period),
    // so on a loaded machine the 200 calls may span more than the 1.2 s one token takes to refill.
    const started = Date.now();
    const exchange = () =>
      stub.exchange({
        chain: [{ id: 'race-test', limits: { rpm: 50 } }],
        timeZone: 'UTC',
        now: started,
        model: 'm',
        want: { requests: 1 },
        need: { requests: 1 },
      });
    const results = await Promise.all(Array.from({ length: 200 }, exchange));
    const refilled = Math.floor(((Date.now() - started) * 50) / 60_000);
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBeGreaterThanOrEqual(50);
    expect(admitted).toBeLessThanOrEqual(50 + refilled);
  });

  it('admits the RPM limit (plus only what refilled meanwhile) of 200 parallel requests, refusing the rest with Retry-After', async () => {
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        chat(key, { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] }),
      ),
    );
    // A token bucket refills rpm/60 000 tokens per ms: that, and nothing more, may be admitted beyond 50.
    const refilled = Math.floor(((Date.now() - started) * 50) / 60_000);
    const statuses = responses.map((r) => r.status);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(50);
    expect(admitted).toBeLessThanOrEqual(50 + refilled);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - admitted);
    const refused = responses.find((r) => r.status === 429) as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limit_exceeded');
    expect(body.error.message).toContain('account "team"');
    await Promise.all(responses.filter((r) => !r.bodyUsed).map((r) => r.body?.cancel()));
  });
});
