// Prepaid credit gates admission (credits and plans): the paying wallet's credit is a pool of its governor,
// seeded
// from the ledger, so a request its credit cannot cover is refused before the upstream is called.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, applyPolicy, call, chat, eventually, newKey } from './helpers';

const solo = newKey();
const team = newKey();
const own = newKey();

// Output only is priced, $1 000 per million tokens: the mock answers "Mock reply from mock-small:
// hi" (5 tokens) and max_tokens 5 reserves exactly that, so a request reserves what it costs
// (5 000 micro-units) and the bound in docs/credits.md (actual − reserved, per request in flight) is zero.
const hi = { model: 'mock-small', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
const COST = 5_000;
const fakeUrl = inject('fakeProviderUrl');

function money(path: string, amount: string) {
  return call(`/admin/v1/accounts/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    json: { amount },
  });
}

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'cr-org',
          name: 'Org',
          timezone: 'UTC',
          policy: { prepaid: true, allow_models: ['mock-*'], level_mapper: { 'mock-*': 1 } },
        },
        { id: 'cr-solo', parent: 'cr-org', name: 'Solo', policy: {} },
        { id: 'cr-dept', parent: 'cr-org', name: 'Department', policy: {} },
        { id: 'cr-team', parent: 'cr-dept', name: 'Team', policy: { wallet: 'inherit' } },
        { id: 'cr-own', parent: 'cr-dept', name: 'Own wallet', policy: {} },
      ],
      levels: [{ id: 1, name: 'mock', keys: [{ id: 'cr-mock', provider: 'mock' }] }],
      gateway_keys: [
        { id: 'cr-solo-key', account: 'cr-solo', name: 's', key_env: 'S' },
        { id: 'cr-team-key', account: 'cr-team', name: 't', key_env: 'T' },
        { id: 'cr-own-key', account: 'cr-own', name: 'o', key_env: 'O' },
      ],
      prices: [{ model: 'mock-small', input: '0', output: '1000' }],
    },
    { gatewayKeys: { 'cr-solo-key': solo, 'cr-team-key': team, 'cr-own-key': own } },
  );
  // The org hears of its subtree's wallets running low and dry.
  const hook = await call('/admin/v1/accounts/cr-org/webhooks', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    json: { url: `${fakeUrl}/webhook/credit`, events: ['credit.low', 'credit.exhausted'] },
  });
  expect(hook.status).toBe(201);
  expect((await money('cr-org/ledger/topup', '10')).status).toBe(201);
  // Credit for exactly 10 requests.
  expect((await money('cr-solo/ledger/allocate', '0.05')).status).toBe(201);
  // The department's wallet: 3 requests for the team once 2 went to cr-own's wallet.
  expect((await money('cr-dept/ledger/allocate', '0.025')).status).toBe(201);
  expect((await money('cr-own/ledger/allocate', '0.01')).status).toBe(201);
});

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; type: string; message: string } }).error;
}

describe('prepaid credit', () => {
  it('admits at most the credit of 50 concurrent requests, then refuses with insufficient_quota', async () => {
    const race = await Promise.all(Array.from({ length: 50 }, () => chat(solo, hi)));
    const ok = race.filter((r) => r.status === 200);
    const refused = race.filter((r) => r.status !== 200);
    // The bound is zero here (reservations equal actual cost): 10 at most, never more.
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length).toBeLessThanOrEqual(10);
    for (const r of refused) {
      expect(r.status).toBe(429);
      const error = await errorOf(r);
      expect(error).toMatchObject({ code: 'insufficient_quota', type: 'insufficient_quota' });
      expect(error.message).toContain('account "cr-solo"');
    }
    await Promise.all(ok.map((r) => r.text()));
    // Sequential requests may use what the race's grants held, but never more than the credit.
    let admitted = ok.length;
    let refusals = 0;
    for (let i = 0; i < 20 && refusals < 2; i++) {
      const res = await chat(solo, hi);
      await res.text();
      if (res.status === 200) admitted++;
      else {
        refusals++;
        await new Promise((r) => setTimeout(r, 600));
      }
    }
    expect(admitted).toBe(10);
    const spent = await eventually(async () => {
      const row = await env.DB.prepare(
        "SELECT sum(cost_micros) AS cost, sum(requests) AS n FROM usage_daily WHERE account_id = 'cr-solo'",
      ).first<{ cost: number; n: number }>();
      return row && row.n >= admitted ? row : undefined;
    });
    expect(spent.cost).toBe(10 * COST);
    const balance = await call('/admin/v1/accounts/cr-solo/balance', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(await balance.json()).toMatchObject({ balance_micros: 0 });
    // Each once: low (under a tenth left), then exhausted, for this funding level.
    const events = await eventually(async () => {
      const res = await fetch(`${fakeUrl}/__fake/requests`);
      const { requests } = (await res.json()) as { requests: { path: string; body: unknown }[] };
      const mine = requests
        .filter((r) => r.path === '/webhook/credit')
        .map((r) => r.body as { type: string; account_id: string; data: { funds_micros: number } })
        .filter((e) => e.account_id === 'cr-solo');
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => e.type).sort()).toEqual(['credit.exhausted', 'credit.low']);
    expect(events[0]?.data.funds_micros).toBe(10 * COST);
  });

  it("answers in the caller's protocol: Anthropic's 400 credit error, Gemini's RESOURCE_EXHAUSTED", async () => {
    const messages = await call('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': solo, 'anthropic-version': '2023-06-01' },
      json: hi,
    });
    expect(messages.status).toBe(400);
    expect(await messages.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'insufficient_quota' },
    });
    const gemini = await call('/v1beta/models/mock-small:generateContent', {
      method: 'POST',
      headers: { 'x-goog-api-key': solo },
      json: {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        generationConfig: { maxOutputTokens: 5 },
      },
    });
    expect(gemini.status).toBe(429);
    const body = (await gemini.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.message).toContain('account "cr-solo"');
  });

  it("refuses a child that inherits its parent's wallet when that wallet runs dry, naming the parent; a child with its own wallet is served", async () => {
    let admitted = 0;
    let refusal: Response | undefined;
    for (let i = 0; i < 10 && !refusal; i++) {
      const res = await chat(team, hi);
      if (res.status === 200) {
        admitted++;
        await res.text();
      } else refusal = res;
    }
    expect(admitted).toBe(3);
    expect(refusal?.status).toBe(429);
    const error = await errorOf(refusal as Response);
    expect(error.code).toBe('insufficient_quota');
    expect(error.message).toContain('account "cr-dept"');
    // The child with its own wallet (and credit in it) is not held back by its parent's.
    const res = await chat(own, hi);
    expect(res.status).toBe(200);
    await res.text();
    // The team's usage is charged to the department's wallet, not its own.
    const charged = await eventually(async () => {
      const row = await env.DB.prepare(
        "SELECT account_id, -sum(amount) AS amount FROM ledger_entries WHERE kind = 'usage' AND account_id IN ('cr-team', 'cr-dept') GROUP BY account_id",
      ).all<{ account_id: string; amount: number }>();
      const dept = row.results.find((r) => r.account_id === 'cr-dept');
      return dept && dept.amount >= 3 * COST ? row.results : undefined;
    });
    expect(charged).toEqual([{ account_id: 'cr-dept', amount: 3 * COST }]);
  });

  it('lets the account through again within a second of an allocation', async () => {
    const refused = await chat(team, hi);
    expect(refused.status).toBe(429);
    await refused.text();
    expect((await money('cr-dept/ledger/allocate', '0.005')).status).toBe(201);
    const started = Date.now();
    let res = await chat(team, hi);
    while (res.status !== 200 && Date.now() - started < 3_000) {
      await res.text();
      await new Promise((r) => setTimeout(r, 50));
      res = await chat(team, hi);
    }
    await res.text();
    expect(res.status).toBe(200);
    // An isolate remembers a refusal for up to a second; a loose bound for a loaded machine.
    expect(Date.now() - started).toBeLessThan(1_500);
    // And exactly that request's worth: the next one is refused again.
    const next = await chat(team, hi);
    expect(next.status).toBe(429);
    await next.text();
  });

  it('keeps a subtree prepaid: a child may not turn postpaid under a prepaid parent', async () => {
    const res = await call('/admin/v1/accounts/cr-dept/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      json: { prepaid: false },
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('prepaid');
  });
});
