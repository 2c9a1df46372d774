// Anomalies that act (usage pipeline): the scheduled job flags accounts whose usage today is far outside
// their
// last 14 days (the analytics `anomalies` view, per account's own usage) and does what the
// account's policy says — `alert` sends the `anomaly.detected` event; `suspend` also suspends the
// account; `cap` also lowers its `limits.daily_budget` to the policy's amount — each with an audit
// entry by the system. Claimed once per account and day (an `anomaly_actions` row), so
// overlapping runs act once; an admin clears a suspension or a cap as usual.
import { anomalies, previousDay } from '../analytics/views';
import { database } from '../db/client';
import { dayIn } from '../lib/time';
import { type Policy, toMicros } from '../policy/schema';
import { notifyConfigChange } from '../state/propagation';
import { subtreeRollups } from '../usage/period-rollups';
import { publish } from '../webhooks/deliver';
import { accountSuspended, anomalyDetected } from '../webhooks/events';
import { type AccountPolicyRow, anomalyPolicy } from './period-usage';

const AUDIT = `INSERT INTO audit_log (id, ts, actor_type, actor_id, account_path, action, target_type, target_id, before, after, ip, request_id)
  VALUES ('aud_' || lower(hex(randomblob(12))), ?1, 'system', 'anomaly-watch', ?2, ?3, 'account', ?4, ?5, ?6, NULL, NULL)`;

export async function actOnAnomalies(env: Env, rows: AccountPolicyRow[], now: number) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  let acted = 0;
  let changedConfig = false;
  for (const root of rows.filter((r) => r.parentId === null)) {
    const today = dayIn(root.timezone ?? 'UTC', now);
    let from = today;
    for (let i = 0; i < 14; i++) from = previousDay(from);
    const usage = await subtreeRollups(database(env.DB), root.path, from, today);
    const flagged = anomalies(usage, today);
    for (const accountId of new Set(flagged.map((f) => f.accountId))) {
      const account = byId.get(accountId);
      if (!account) continue;
      const policy = anomalyPolicy(byId, accountId);
      const first = flagged.find((f) => f.accountId === accountId) as (typeof flagged)[number];
      const claim = await env.DB.prepare(
        'INSERT OR IGNORE INTO anomaly_actions (account_id, day, action, metric, at) VALUES (?, ?, ?, ?, ?)',
      )
        .bind(accountId, today, policy.action, first.metric, now)
        .run();
      if ((claim.meta.changes ?? 0) === 0) continue;
      const detail = {
        day: today,
        metric: first.metric,
        value: first.today,
        mean: first.baselineMean,
        zScore: Number.isFinite(first.zScore) ? first.zScore : null,
      };
      changedConfig = (await act(env, account, policy, detail, now)) || changedConfig;
      await publish(env, anomalyDetected(account, detail, policy.action, now));
      acted++;
    }
  }
  if (changedConfig) await notifyConfigChange(env);
  return { acted };
}

/** Applies the action; true when it changed how requests are handled. */
async function act(
  env: Env,
  account: AccountPolicyRow,
  policy: NonNullable<Policy['anomaly']>,
  detail: Record<string, unknown>,
  now: number,
): Promise<boolean> {
  const audit = (action: string, before: unknown, after: unknown) =>
    env.DB.prepare(AUDIT).bind(
      now,
      account.path,
      action,
      account.id,
      before === null ? null : JSON.stringify(before),
      JSON.stringify(after),
    );
  if (policy.action === 'suspend') {
    const [updated] = await env.DB.batch([
      env.DB.prepare(
        `UPDATE accounts SET status = 'suspended', updated_at = ?2, config_version = config_version + 1
         WHERE id = ?1 AND status = 'active'`,
      ).bind(account.id, now),
      audit('anomaly.suspend', { status: 'active' }, { status: 'suspended', anomaly: detail }),
    ]);
    if ((updated?.meta.changes ?? 0) === 0) return false;
    await publish(env, accountSuspended(account, `anomaly_${String(detail['day'])}`, 'anomaly', now));
    return true;
  }
  if (policy.action === 'cap' && policy.daily_budget) {
    const current = account.policy.limits?.daily_budget;
    const cap =
      current !== undefined && toMicros(current) <= toMicros(policy.daily_budget)
        ? current
        : policy.daily_budget;
    const next: Policy = { ...account.policy, limits: { ...account.policy.limits, daily_budget: cap } };
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO policies (account_id, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      ).bind(account.id, JSON.stringify(next), now),
      env.DB.prepare('UPDATE accounts SET config_version = config_version + 1 WHERE id = ?').bind(account.id),
      audit('anomaly.cap', { limits: account.policy.limits ?? {} }, { limits: next.limits, anomaly: detail }),
    ]);
    return true;
  }
  await audit('anomaly.alert', null, { anomaly: detail }).run();
  return false;
}
