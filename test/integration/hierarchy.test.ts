// Limits at every level of the tree, through the real gateway and Durable Objects (limits and quotas).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, chat, eventually, newKey } from './helpers';

const alice = newKey();
const bob = newKey();
const carol = newKey();

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [
        { id: 'h-org', name: 'Org', policy: { allow_models: ['mock-*'], level_mapper: { 'mock-*': 1 } } },
        { id: 'h-dept', parent: 'h-org', name: 'Department', policy: { limits: { rpd: 20 } } },
        { id: 'h-alice', parent: 'h-dept', name: 'Alice', policy: { limits: { rpm: 1000 } } },
        { id: 'h-bob', parent: 'h-dept', name: 'Bob', policy: { limits: { rpm: 1000 } } },
        // $0.06 a day; each "hi" costs 6 tokens × $0.001 = $0.006 (actual), so 10 requests' worth.
        { id: 'h-carol', parent: 'h-org', name: 'Carol', policy: { limits: { daily_budget: '0.06' } } },
      ],
      levels: [{ id: 1, name: 'mock', keys: [{ id: 'h-mock', provider: 'mock' }] }],
      gateway_keys: [
        { id: 'h-alice-key', account: 'h-alice', name: 'a', key_env: 'A' },
        { id: 'h-bob-key', account: 'h-bob', name: 'b', key_env: 'B' },
        { id: 'h-carol-key', account: 'h-carol', name: 'c', key_env: 'C' },
      ],
      prices: [{ model: 'mock-small', input: '1000', output: '1000' }],
    },
    { gatewayKeys: { 'h-alice-key': alice, 'h-bob-key': bob, 'h-carol-key': carol } },
  );
});

const hi = { model: 'mock-small', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

describe('hierarchical limits', () => {
  it("lets one child use up the parent's daily quota, then refuses the sibling too, naming the parent", async () => {
    let admitted = 0;
    for (let i = 0; i < 30; i++) {
      const res = await chat(alice, hi);
      if (res.status === 200) admitted++;
      else {
        expect(res.status).toBe(429);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'daily_request_quota_exceeded',
        );
      }
      if (!res.bodyUsed) await res.body?.cancel();
    }
    expect(admitted).toBe(20);
    const res = await chat(bob, hi);
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'daily_request_quota_exceeded' });
    expect(body.error.message).toContain('account "h-dept"');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('never overshoots a daily budget while 100 requests race, and refuses with a quota error', async () => {
    const race = await Promise.all(Array.from({ length: 100 }, () => chat(carol, hi)));
    const ok = race.filter((r) => r.status === 200);
    const refused = race.filter((r) => r.status !== 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of refused)
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('daily_budget_exceeded');
    await Promise.all(ok.map((r) => r.text()));
    // Reservations were estimates (body size and max_tokens) above the actual usage; settled, the
    // difference comes back, so sequential requests can use the rest — but never more.
    // A refusal can come from units still held by a live grant (at most 500 ms, see docs/limits.md's
    // bounds): only two refusals a grant's life apart mean the budget is spent.
    let refusals = 0;
    for (let i = 0; i < 30 && refusals < 2; i++) {
      const res = await chat(carol, hi);
      await res.text();
      if (res.status !== 200) {
        refusals++;
        await new Promise((r) => setTimeout(r, 600));
      }
    }
    const spent = await eventually(async () => {
      const row = await env.DB.prepare(
        "SELECT sum(cost_micros) AS cost, sum(requests) AS n FROM usage_daily WHERE account_id = 'h-carol'",
      ).first<{ cost: number; n: number }>();
      return row && row.n >= ok.length ? row : undefined;
    });
    expect(spent.cost).toBeLessThanOrEqual(60_000);
    // And it did not stop early by more than one request's reservation: input estimated at a
    // token per 4 bytes of body, output at max_tokens, $0.001 a token.
    const reservation = (Math.ceil(JSON.stringify(hi).length / 4) + hi.max_tokens) * 1_000;
    expect(spent.cost).toBeGreaterThan(60_000 - reservation);
  });
});
