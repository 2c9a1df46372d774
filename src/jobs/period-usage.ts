// What the scheduled job needs to know about each account (usage pipeline), pure: its own limits, the budget
// alert thresholds it inherits, its root's time zone, and its subtree's usage in the current day
// and month, summed from rollups. A limit counts its whole subtree (limits and quotas), and so do these
// totals.
import type { LimitSet } from '../../durable-objects/dims';
import { limitSetOf } from '../governance/chain';
import type { Policy } from '../policy/schema';
import type { PeriodTotals } from '../usage/period-rollups';

export interface AccountPolicyRow {
  id: string;
  path: string;
  parentId: string | null;
  timezone: string | null;
  policy: Policy;
}

export interface JobAccount {
  id: string;
  path: string;
  rootId: string;
  timeZone: string;
  limits: LimitSet;
  /** Percent thresholds, from the nearest account on the chain that sets `budget_alerts`. */
  alertThresholds: number[];
}

/** Accounts with limits of their own (the only ones with counters to reconcile or budgets to watch). */
export function jobAccounts(rows: AccountPolicyRow[]): JobAccount[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: JobAccount[] = [];
  for (const row of rows) {
    const limits = limitSetOf(row.policy);
    if (limits.rpd === undefined && limits.tpd === undefined && !limits.dailyBudget && !limits.monthlyBudget)
      continue;
    let thresholds: number[] | undefined;
    let root = row;
    for (
      let at: AccountPolicyRow | undefined = row;
      at;
      at = at.parentId ? byId.get(at.parentId) : undefined
    ) {
      thresholds ??= at.policy.budget_alerts;
      root = at;
    }
    out.push({
      id: row.id,
      path: row.path,
      rootId: root.id,
      timeZone: root.timezone ?? 'UTC',
      limits,
      alertThresholds: [...new Set(thresholds ?? [])].sort((a, b) => a - b),
    });
  }
  return out;
}

/** The period counters of the governor, as the rollups see them. */
export function rollupCounters(limits: LimitSet, usage: { day: PeriodTotals; month: PeriodTotals }) {
  const actual: Record<string, number> = {};
  if (limits.rpd !== undefined) actual['rpd'] = usage.day.requests;
  if (limits.tpd !== undefined) actual['tpd'] = usage.day.tokens;
  if (limits.dailyBudget !== undefined) actual['daily_budget'] = usage.day.cost;
  if (limits.monthlyBudget !== undefined) actual['monthly_budget'] = usage.month.cost;
  return actual;
}

export interface BudgetAlert {
  accountId: string;
  budget: 'daily_budget' | 'monthly_budget';
  /** `day:YYYY-MM-DD` or `month:YYYY-MM`: an alert fires once per threshold and period. */
  period: string;
  threshold: number;
  spent: number;
  limit: number;
}

/** Every threshold the account's spend has reached this period, per budget. */
export function reachedThresholds(
  account: JobAccount,
  usage: { day: PeriodTotals; month: PeriodTotals },
  today: string,
): BudgetAlert[] {
  const out: BudgetAlert[] = [];
  const budgets = [
    ['daily_budget', account.limits.dailyBudget, usage.day.cost, `day:${today}`],
    ['monthly_budget', account.limits.monthlyBudget, usage.month.cost, `month:${today.slice(0, 7)}`],
  ] as const;
  for (const [budget, limit, spent, period] of budgets) {
    if (!limit) continue;
    for (const threshold of account.alertThresholds) {
      // Integer math: spent / limit >= threshold %.
      if (spent * 100 >= limit * threshold)
        out.push({ accountId: account.id, budget, period, threshold, spent, limit });
    }
  }
  return out;
}

/** Accounts that pay from their own prepaid wallet: the ones whose governor holds credit. */
export function walletAccounts(rows: AccountPolicyRow[]): string[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return rows
    .filter((row) => row.parentId === null || row.policy.wallet !== 'inherit')
    .filter((row) => {
      for (
        let at: AccountPolicyRow | undefined = row;
        at;
        at = at.parentId ? byId.get(at.parentId) : undefined
      )
        if (at.policy.prepaid !== undefined) return at.policy.prepaid;
      return false;
    })
    .map((row) => row.id);
}

/** The anomaly action on the account's chain: the nearest account that sets one, else alert. */
export function anomalyPolicy(
  rows: Map<string, AccountPolicyRow>,
  id: string,
): NonNullable<Policy['anomaly']> {
  for (let at = rows.get(id); at; at = at.parentId ? rows.get(at.parentId) : undefined)
    if (at.policy.anomaly) return at.policy.anomaly;
  return { action: 'alert' };
}
