// The scheduled job (credits and plans; usage pipeline), every five minutes: expires grants, applies
// retention to raw usage
// events, reconciles the governors' period counters with the rollups and sends budget alerts. Each
// step runs on its own, so one failing step does not hold back the others; all are idempotent, so
// a run that overlaps or repeats another changes nothing twice.

import { NEW_LEDGER_ID } from '../billing/charging';
import { renewPlans } from '../billing/renewals';
import { creditChanged } from '../governance/credit';
import { dayIn } from '../lib/time';
import { policySchema } from '../policy/schema';
import { expireStoredResponses } from '../proxy/stored-responses';
import { formatMicros } from '../tenancy/paging';
import { periodRollups, subtreeUsage } from '../usage/period-rollups';
import { applyRetention, retentionDays } from '../usage/retention';
import { deliverDue, EXPIRING_WITHIN_MS, publish } from '../webhooks/deliver';
import { budgetThreshold, planExpiring } from '../webhooks/events';
import { actOnAnomalies } from './anomaly-actions';
import {
  type AccountPolicyRow,
  type BudgetAlert,
  type JobAccount,
  jobAccounts,
  reachedThresholds,
  rollupCounters,
  walletAccounts,
} from './period-usage';

export async function runScheduled(env: Env, now: number): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['expire grants', () => expireGrants(env.DB, now)],
    ['retention', () => applyRetention(env.DB, retentionDays(env), now)],
    ['limits', () => watchLimits(env, now)],
    ['stored responses', () => expireStoredResponses(env.DB, now)],
    // Prepaid wallets read their credit from the ledger again (cards expired, plans ended).
    ['credit', async () => creditChanged(env, walletAccounts(await loadAccountRows(env.DB)))],
    ['anomalies', async () => actOnAnomalies(env, await loadAccountRows(env.DB), now)],
    ['plans expiring', () => plansExpiring(env, now)],
    ['renewals', () => renewPlans(env.DB, now)],
    // Webhook deliveries that failed and are due again (exponential backoff).
    ['webhooks', () => deliverDue(env, now)],
  ];
  const results = await Promise.allSettled(steps.map(([, run]) => run()));
  results.forEach((r, i) => {
    const step = steps[i]?.[0];
    if (r.status === 'rejected')
      console.error(JSON.stringify({ msg: 'scheduled step failed', step, error: String(r.reason) }));
    else console.log(JSON.stringify({ msg: 'scheduled step done', step, result: r.value ?? null }));
  });
}

/**
 * Grants past their expiry become `expired`; a card's unused value leaves the balance with an
 * `expire` entry (ref = grant id, so it is written once) in the same transaction.
 */
export async function expireGrants(db: D1Database, now: number): Promise<number> {
  const [, expired] = await db.batch([
    db
      .prepare(
        `INSERT OR IGNORE INTO ledger_entries (id, account_id, kind, amount, ref, memo, created_at, created_by, grant_id)
         SELECT ${NEW_LEDGER_ID}, account_id, 'expire', -remaining, id, 'card expired', ?, 'system', id
         FROM plan_grants WHERE kind = 'card' AND status = 'active' AND expires_at <= ? AND remaining > 0`,
      )
      .bind(now, now),
    db
      .prepare(
        `UPDATE plan_grants SET status = 'expired', remaining = CASE WHEN kind = 'card' THEN 0 ELSE remaining END
         WHERE status = 'active' AND expires_at <= ?`,
      )
      .bind(now),
  ]);
  return expired?.meta.changes ?? 0;
}

/** One `plan.expiring` event per grant that ends within EXPIRING_WITHIN_MS. */
export async function plansExpiring(env: Env, now: number): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT g.id, g.plan_id, g.kind, g.expires_at, a.id AS account_id, a.path FROM plan_grants g
     JOIN accounts a ON a.id = g.account_id
     WHERE g.status = 'active' AND g.expires_at > ?1 AND g.expires_at <= ?2`,
  )
    .bind(now, now + EXPIRING_WITHIN_MS)
    .all<{
      id: string;
      plan_id: string;
      kind: string;
      expires_at: number;
      account_id: string;
      path: string;
    }>();
  for (const g of results)
    await publish(
      env,
      planExpiring(
        { id: g.account_id, path: g.path },
        { id: g.id, planId: g.plan_id, kind: g.kind, expiresAt: g.expires_at },
        now,
      ),
    );
  return results.length;
}

export async function loadAccountRows(db: D1Database): Promise<AccountPolicyRow[]> {
  const { results } = await db
    .prepare(
      `SELECT a.id, a.path, a.parent_id, a.timezone, p.body FROM accounts a
       LEFT JOIN policies p ON p.account_id = a.id`,
    )
    .all<{
      id: string;
      path: string;
      parent_id: string | null;
      timezone: string | null;
      body: string | null;
    }>();
  const rows: AccountPolicyRow[] = results.map((r) => ({
    id: r.id,
    path: r.path,
    parentId: r.parent_id,
    timezone: r.timezone,
    // A policy that no longer parses is skipped here as the loader skips it: with no limits.
    policy: policySchema.safeParse(r.body ? JSON.parse(r.body) : {}).data ?? {},
  }));
  return rows;
}

async function loadJobAccounts(db: D1Database): Promise<JobAccount[]> {
  return jobAccounts(await loadAccountRows(db));
}

/** Reconciles every limited account's governor and sends the budget alerts now due. */
export async function watchLimits(env: Env, now: number) {
  const accounts = await loadJobAccounts(env.DB);
  const roots = new Map<string, JobAccount[]>();
  for (const a of accounts) roots.set(a.rootId, [...(roots.get(a.rootId) ?? []), a]);
  let raised = 0;
  let alerts = 0;
  for (const [rootId, members] of roots) {
    const today = dayIn(members[0]?.timeZone ?? 'UTC', now);
    const usage = await periodRollups(env.DB, `/${rootId}/`, today);
    for (const account of members) {
      const totals = subtreeUsage(account.path, usage);
      const governor = env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName(account.id));
      const rose = await governor.reconcile({
        limits: account.limits,
        actual: rollupCounters(account.limits, totals),
        timeZone: account.timeZone,
        now,
      });
      if (Object.keys(rose).length) {
        raised++;
        console.warn(
          JSON.stringify({ msg: 'governor counters raised to the rollups', account: account.id, rose }),
        );
      }
      for (const alert of reachedThresholds(account, totals, today))
        if (await sendOnce(env, account, alert, now)) alerts++;
    }
  }
  return { accounts: accounts.length, raised, alerts };
}

/**
 * Claims the (account, period, threshold) row first, so each alert goes out once even when runs
 * overlap; a webhook that fails gives the claim back, and the next run tries again.
 */
async function sendOnce(env: Env, account: JobAccount, alert: BudgetAlert, now: number): Promise<boolean> {
  const claim = await env.DB.prepare(
    'INSERT OR IGNORE INTO budget_alerts (account_id, period, threshold, sent_at) VALUES (?, ?, ?, ?)',
  )
    .bind(alert.accountId, alert.period, alert.threshold, now)
    .run();
  if ((claim.meta.changes ?? 0) === 0) return false;
  await publish(env, budgetThreshold(account, alert, now));
  const payload = {
    type: 'budget_alert',
    account_id: account.id,
    account_path: account.path,
    budget: alert.budget,
    period: alert.period,
    threshold_percent: alert.threshold,
    spent: formatMicros(alert.spent),
    limit: formatMicros(alert.limit),
    spent_micros: alert.spent,
    limit_micros: alert.limit,
    at: new Date(now).toISOString(),
  };
  const url = env.SWITCHYARD_ALERT_WEBHOOK_URL;
  if (!url) {
    console.warn(JSON.stringify({ msg: 'budget alert (no webhook configured)', ...payload }));
    return true;
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'switchyard-alerts' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    await res.body?.cancel();
    return true;
  } catch (err) {
    await env.DB.prepare('DELETE FROM budget_alerts WHERE account_id = ? AND period = ? AND threshold = ?')
      .bind(alert.accountId, alert.period, alert.threshold)
      .run();
    // The URL may carry a token (Slack-style webhooks): log the failure, never the URL.
    console.error(
      JSON.stringify({ msg: 'budget alert not delivered; will retry', error: String(err).slice(0, 200) }),
    );
    return false;
  }
}
