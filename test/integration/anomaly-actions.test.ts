// Anomalies that act (usage pipeline): the scheduled job flags accounts far outside their last 14 days and
// does what their policy says — suspend, cap the daily budget, or only alert — with an audit entry.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src';
import { previousDay } from '../../src/analytics/views';
import { ADMIN_TOKEN, applyPolicy, call, chat, newKey } from './helpers';

const NOW = Date.now();
const TODAY = new Date(NOW).toISOString().slice(0, 10);
const spikyKey = newKey();

async function runJob(now = NOW) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: now, cron: '*/5 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** 14 quiet days (10 requests, $0.10 each), then a spike today (900 requests, $40). */
async function seedSpike(accountId: string) {
  const path = `/an-org/${accountId}/`;
  const insert = (day: string, requests: number, cost: number) =>
    env.DB.prepare(
      `INSERT INTO usage_daily (account_id, day, model, account_path, requests, cost_micros) VALUES (?, ?, 'mock-small', ?, ?, ?)`,
    ).bind(accountId, day, path, requests, cost);
  const statements = [insert(TODAY, 900, 40_000_000)];
  let day = TODAY;
  for (let i = 0; i < 14; i++) {
    day = previousDay(day);
    statements.push(insert(day, 10, 100_000));
  }
  await env.DB.batch(statements);
}

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [
        {
          id: 'an-org',
          name: 'Org',
          timezone: 'UTC',
          policy: { allow_models: ['mock-*'], level_mapper: { 'mock-*': 1 } },
        },
        { id: 'an-spiky', parent: 'an-org', name: 'Spiky', policy: { anomaly: { action: 'suspend' } } },
        {
          id: 'an-capped',
          parent: 'an-org',
          name: 'Capped',
          policy: { anomaly: { action: 'cap', daily_budget: '5' }, limits: { rpm: 100 } },
        },
        { id: 'an-calm', parent: 'an-org', name: 'Calm', policy: {} },
      ],
      levels: [{ id: 1, name: 'mock', keys: [{ id: 'an-mock', provider: 'mock' }] }],
      gateway_keys: [{ id: 'an-spiky-key', account: 'an-spiky', name: 's', key_env: 'S' }],
      prices: [],
    },
    { gatewayKeys: { 'an-spiky-key': spikyKey } },
  );
  for (const id of ['an-spiky', 'an-capped', 'an-calm']) await seedSpike(id);
});

const audit = async (id: string) =>
  (
    await env.DB.prepare(
      "SELECT action, actor_type, after FROM audit_log WHERE target_id = ? AND action LIKE 'anomaly.%'",
    )
      .bind(id)
      .all<{ action: string; actor_type: string; after: string }>()
  ).results;

describe('anomaly actions', () => {
  it('suspends an account whose policy says so, with the audit entry, and refuses its keys', async () => {
    const before = await chat(spikyKey, { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(before.status).toBe(200);
    await before.text();
    await runJob();
    const account = await env.DB.prepare("SELECT status FROM accounts WHERE id = 'an-spiky'").first();
    expect(account).toEqual({ status: 'suspended' });
    const entries = await audit('an-spiky');
    expect(entries).toEqual([expect.objectContaining({ action: 'anomaly.suspend', actor_type: 'system' })]);
    expect(JSON.parse(entries[0]?.after ?? '{}')).toMatchObject({
      status: 'suspended',
      anomaly: { day: TODAY },
    });
    // The config epoch moved: the key is refused at once.
    const after = await chat(spikyKey, { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(after.status).toBe(403);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('account_suspended');
  });

  it('caps an account to its policy daily budget, and only alerts by default; a second run acts no more', async () => {
    const res = await call('/admin/v1/accounts/an-capped/policy', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const policy = (await res.json()) as { policy: { limits: Record<string, unknown> } };
    expect(policy.policy.limits).toEqual({ rpm: 100, daily_budget: '5' });
    expect((await audit('an-capped')).map((a) => a.action)).toEqual(['anomaly.cap']);
    expect((await audit('an-calm')).map((a) => a.action)).toEqual(['anomaly.alert']);
    expect(await env.DB.prepare("SELECT status FROM accounts WHERE id = 'an-calm'").first()).toEqual({
      status: 'active',
    });
    await runJob(NOW + 60_000);
    expect(await audit('an-capped')).toHaveLength(1);
    expect(await audit('an-calm')).toHaveLength(1);
  });

  it('refuses a cap without an amount', async () => {
    const res = await call('/admin/v1/accounts/an-calm/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      json: { anomaly: { action: 'cap' } },
    });
    expect(res.status).toBe(400);
  });
});
