// The events of the catalogue (catalogue.ts), built where they happen. Each id is derived from
// the occurrence itself, so the same occurrence emitted twice (an overlapping cron run, a retried
// step) is one event and each endpoint receives it once.
import type { GatewayEvent } from './catalogue';
import { publish } from './deliver';

interface AccountRef {
  id: string;
  path: string;
}

export function accountSuspended(
  account: AccountRef,
  occurrence: string,
  reason: 'admin' | 'anomaly',
  at: number,
): GatewayEvent {
  return {
    id: `evt_account_suspended_${account.id}_${occurrence}`,
    type: 'account.suspended',
    accountId: account.id,
    accountPath: account.path,
    data: { reason },
    at,
  };
}

export function budgetThreshold(
  account: AccountRef,
  alert: { budget: string; period: string; threshold: number; spent: number; limit: number },
  at: number,
): GatewayEvent {
  return {
    id: `evt_budget_${account.id}_${alert.budget}_${alert.period}_${alert.threshold}`,
    type: 'budget.threshold_reached',
    accountId: account.id,
    accountPath: account.path,
    data: {
      budget: alert.budget,
      period: alert.period,
      threshold_percent: alert.threshold,
      spent_micros: alert.spent,
      limit_micros: alert.limit,
    },
    at,
  };
}

/** Available credit fell below a tenth of the funds; one per funding level. */
export function creditLow(account: AccountRef, funds: number, available: number, at: number): GatewayEvent {
  return {
    id: `evt_credit_low_${account.id}_${Math.floor(funds)}`,
    type: 'credit.low',
    accountId: account.id,
    accountPath: account.path,
    data: { funds_micros: Math.floor(funds), available_micros: Math.max(0, Math.floor(available)) },
    at,
  };
}

/** One per funding level: after new money the next exhaustion is a new event. */
export function creditExhausted(account: AccountRef, funds: number, at: number): GatewayEvent {
  return {
    id: `evt_credit_exhausted_${account.id}_${Math.floor(funds)}`,
    type: 'credit.exhausted',
    accountId: account.id,
    accountPath: account.path,
    data: { funds_micros: Math.floor(funds) },
    at,
  };
}

export function planExpiring(
  account: AccountRef,
  grant: { id: string; planId: string; kind: string; expiresAt: number },
  at: number,
): GatewayEvent {
  return {
    id: `evt_plan_expiring_${grant.id}`,
    type: 'plan.expiring',
    accountId: account.id,
    accountPath: account.path,
    data: {
      grant_id: grant.id,
      plan_id: grant.planId,
      kind: grant.kind,
      expires_at: new Date(grant.expiresAt).toISOString(),
    },
    at,
  };
}

export function anomalyDetected(
  account: AccountRef,
  anomaly: { day: string; metric: string; value: number; mean: number; zScore: number | null },
  action: 'alert' | 'suspend' | 'cap',
  at: number,
): GatewayEvent {
  return {
    id: `evt_anomaly_${account.id}_${anomaly.day}_${anomaly.metric}`,
    type: 'anomaly.detected',
    accountId: account.id,
    accountPath: account.path,
    data: {
      day: anomaly.day,
      metric: anomaly.metric,
      value: anomaly.value,
      mean: anomaly.mean,
      z_score: anomaly.zScore,
      action,
    },
    at,
  };
}

/** Upstream keys are the gateway's, not a tenant's: the event goes to every root account. */
export async function publishUpstreamKey(
  env: Env,
  type: 'upstream_key.disabled' | 'upstream_key.enabled',
  key: { id: string; levelId: number | null; reason: string | null },
  at: number,
): Promise<void> {
  const { results } = await env.DB.prepare('SELECT id, path FROM accounts WHERE parent_id IS NULL').all<{
    id: string;
    path: string;
  }>();
  for (const root of results)
    await publish(env, {
      id: `evt_${type.replace('.', '_')}_${key.id}_${at}`,
      type,
      accountId: root.id,
      accountPath: root.path,
      data: { upstream_key_id: key.id, level_id: key.levelId, reason: key.reason },
      at,
    });
}
