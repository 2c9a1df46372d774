// The scheduled job (credits and plans; usage pipeline) through the Worker's real `scheduled` handler, real
// D1 and real
// governors: budget alerts once per threshold to a webhook, governor counters reconciled with the
// rollups, expired cards leaving the balance.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import worker from '../../src/index';
import type { Policy } from '../../src/policy/schema';
import { ADMIN_TOKEN } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const NOW = Date.parse('2026-10-15T15:00:00Z'); // 11:00 in New York, the root's time zone
const TODAY = '2026-10-15';

async function runJob(webhook: string | undefined, now = NOW) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: now, cron: '*/5 * * * *' }),
    { ...env, SWITCHYARD_ALERT_WEBHOOK_URL: webhook },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

async function addAccount(id: string, parent: string | null, policy: Policy, timezone?: string) {
  const path = parent ? `/job-root/${id}/` : `/${id}/`;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO accounts (id, parent_id, path, depth, name, timezone, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
    ).bind(id, parent, path, parent ? 1 : 0, id, timezone ?? null),
    env.DB.prepare('INSERT INTO policies (account_id, body, updated_at) VALUES (?, ?, 0)').bind(
      id,
      JSON.stringify(policy),
    ),
  ]);
}

async function addRollup(accountId: string, day: string, requests: number, cost: number, model = 'm') {
  await env.DB.prepare(
    `INSERT INTO usage_daily (account_id, day, model, account_path, requests, prompt_tokens, completion_tokens, cost_micros)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, day, model) DO UPDATE SET requests = requests + excluded.requests,
       prompt_tokens = prompt_tokens + excluded.prompt_tokens,
       completion_tokens = completion_tokens + excluded.completion_tokens,
       cost_micros = cost_micros + excluded.cost_micros`,
  )
    .bind(accountId, day, model, `/job-root/${accountId}/`, requests, requests * 10, requests * 5, cost)
    .run();
}

interface Hook {
  path: string;
  body: { account_id: string; budget: string; period: string; threshold_percent: number; spent: string };
}

async function hooks(): Promise<Hook[]> {
  const res = await fetch(`${fakeUrl}/__fake/requests`);
  const { requests } = (await res.json()) as { requests: Hook[] };
  return requests.filter((r) => r.path.startsWith('/webhook/'));
}

async function counters(id: string) {
  const res = await worker.fetch(
    new Request(`http://gateway.test/admin/v1/accounts/${id}/counters`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }),
    env,
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { pools: Record<string, { used?: number }> }).pools;
}

beforeAll(async () => {
  await fetch(`${fakeUrl}/__fake/reset`, { method: 'POST' });
  await addAccount('job-root', null, { budget_alerts: [50, 90] }, 'America/New_York');
  // $0.001 a day (1000 micro-units), $0.01 a month; thresholds inherited from the root.
  await addAccount('spender', 'job-root', { limits: { daily_budget: '0.001', monthly_budget: '0.01' } });
  await addAccount('counted', 'job-root', { limits: { rpd: 100, tpd: 100_000 } });
});

describe('budget alerts', () => {
  it('sends each threshold once per period, and retries one the webhook did not take', async () => {
    await addRollup('spender', TODAY, 3, 600);
    await addRollup('spender', '2026-10-01', 10, 4_100); // earlier this month: monthly only

    // The webhook is down: nothing is recorded as sent.
    await runJob(`${fakeUrl}/webhook/fail`);
    expect((await hooks()).map((h) => h.path)).toEqual(['/webhook/fail']);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM budget_alerts').first()).toEqual({ n: 0 });

    await runJob(`${fakeUrl}/webhook/ok`);
    const sent = (await hooks()).filter((h) => h.path === '/webhook/ok').map((h) => h.body);
    // Daily: 600 of 1000 = 60% (50 reached); monthly: 4700 of 10000 = 47% (none yet).
    expect(sent).toEqual([
      expect.objectContaining({
        account_id: 'spender',
        budget: 'daily_budget',
        period: `day:${TODAY}`,
        threshold_percent: 50,
        spent: '0.0006',
      }),
    ]);

    // Running again sends nothing new; 350 more crosses 90% daily (950) and 50% monthly (5050).
    await runJob(`${fakeUrl}/webhook/ok`);
    expect((await hooks()).filter((h) => h.path === '/webhook/ok')).toHaveLength(1);
    await addRollup('spender', TODAY, 2, 350, 'other-model');
    await runJob(`${fakeUrl}/webhook/ok`);
    await runJob(`${fakeUrl}/webhook/ok`);
    const all = (await hooks()).filter((h) => h.path === '/webhook/ok').map((h) => h.body);
    expect(all.map((b) => `${b.period} ${b.threshold_percent}`).sort()).toEqual([
      `day:${TODAY} 50`,
      `day:${TODAY} 90`,
      'month:2026-10 50',
    ]);
  });

  it('starts over the next day in the root’s time zone', async () => {
    // 23:30 New York on the 15th is still the 15th there; 00:30 on the 16th is a new day.
    await runJob(`${fakeUrl}/webhook/ok`, Date.parse('2026-10-16T03:30:00Z'));
    expect((await hooks()).filter((h) => h.path === '/webhook/ok')).toHaveLength(3);
    await addRollup('spender', '2026-10-16', 1, 950);
    await runJob(`${fakeUrl}/webhook/ok`, Date.parse('2026-10-16T04:30:00Z'));
    const periods = (await hooks()).filter((h) => h.path === '/webhook/ok').map((h) => h.body.period);
    expect(periods.filter((p) => p === 'day:2026-10-16')).toHaveLength(2);
  });
});

describe('reconciliation', () => {
  it('raises the governor’s counters to what the rollups recorded, and never lowers them', async () => {
    // A governor never goes back to an older period, and a test above ran the job on 2026-10-16:
    // this one runs on the day after.
    const day = '2026-10-17';
    const at = Date.parse('2026-10-17T15:00:00Z');
    await addRollup('counted', day, 60, 0);
    await runJob(undefined, at);
    const pools = await counters('counted');
    expect(pools['rpd']).toEqual({ kind: 'period', used: 60, key: day });
    expect(pools['tpd']).toEqual({ kind: 'period', used: 60 * 15, key: day });
    // Counters above the rollups (requests in flight) stay where they are.
    await env.DB.prepare("UPDATE usage_daily SET requests = 10 WHERE account_id = 'counted'").run();
    await runJob(undefined, at);
    expect((await counters('counted'))['rpd']).toEqual({ kind: 'period', used: 60, key: day });
  });
});

describe('grant expiry', () => {
  it('expires cards once, taking their unused value out of the balance', async () => {
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO plans (id, name, kind, amount, validity_days, price, created_at)
         VALUES ('job-card', 'card', 'card', 500, 1, 0, 0)`,
      ),
      env.DB.prepare(
        `INSERT INTO plan_grants (id, account_id, plan_id, kind, starts_at, expires_at, remaining, status, created_at)
         VALUES ('old-card', 'spender', 'job-card', 'card', 0, ?, 120, 'active', 0),
                ('new-card', 'spender', 'job-card', 'card', 0, ?, 500, 'active', 0)`,
      ).bind(NOW - 1, NOW + 86_400_000),
      env.DB.prepare(
        `INSERT INTO ledger_entries (id, account_id, kind, amount, ref, created_at)
         VALUES ('l-old', 'spender', 'card', 500, 'old-card', 0), ('l-new', 'spender', 'card', 500, 'new-card', 0)`,
      ),
    ]);
    await runJob(undefined);
    await runJob(undefined);
    const grants = await env.DB.prepare(
      "SELECT id, status, remaining FROM plan_grants WHERE account_id = 'spender' ORDER BY id",
    ).all();
    expect(grants.results).toEqual([
      { id: 'new-card', status: 'active', remaining: 500 },
      { id: 'old-card', status: 'expired', remaining: 0 },
    ]);
    const expiries = await env.DB.prepare(
      "SELECT amount, ref FROM ledger_entries WHERE account_id = 'spender' AND kind = 'expire'",
    ).all();
    expect(expiries.results).toEqual([{ amount: -120, ref: 'old-card' }]);
  });
});
