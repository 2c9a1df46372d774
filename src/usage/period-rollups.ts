// A subtree's usage in the current day and month, from the daily rollups (usage pipeline; analytics): one
// range scan
// on (account_path, day), summed per account path so that every nested subtree's totals can be
// added up from the same rows without another query. Also the plain range read the analytics
// views and the daily table share.
import { and, gte, lt, lte } from 'drizzle-orm';
import type { Database } from '../db/client';
import { usageDaily } from '../db/schema';
import { subtreeRange } from '../tenancy/chain';

/** The rollup rows of the subtree at `path`, between the days given (inclusive). */
export function subtreeRollups(db: Database, path: string, from?: string, to?: string) {
  const { lower, upper } = subtreeRange(path);
  return db
    .select()
    .from(usageDaily)
    .where(
      and(
        gte(usageDaily.accountPath, lower),
        lt(usageDaily.accountPath, upper),
        from ? gte(usageDaily.day, from) : undefined,
        to ? lte(usageDaily.day, to) : undefined,
      ),
    );
}
export interface PeriodTotals {
  requests: number;
  tokens: number;
  cost: number;
}

/** Rollups summed per account path, today apart from the rest of the month. */
export interface PathUsage {
  accountPath: string;
  today: boolean;
  requests: number;
  tokens: number;
  cost: number;
}

export async function periodRollups(db: D1Database, path: string, today: string): Promise<PathUsage[]> {
  const { lower, upper } = subtreeRange(path);
  const { results } = await db
    .prepare(
      `SELECT account_path, day = ?1 AS today, SUM(requests) AS requests,
         SUM(prompt_tokens + completion_tokens) AS tokens, SUM(cost_micros) AS cost
       FROM usage_daily WHERE account_path >= ?2 AND account_path < ?3 AND day >= ?4 AND day <= ?1
       GROUP BY account_path, day = ?1`,
    )
    .bind(today, lower, upper, `${today.slice(0, 7)}-01`)
    .all<{ account_path: string; today: number; requests: number; tokens: number; cost: number }>();
  return results.map((r) => ({
    accountPath: r.account_path,
    today: r.today === 1,
    requests: r.requests,
    tokens: r.tokens,
    cost: r.cost,
  }));
}

const zero = (): PeriodTotals => ({ requests: 0, tokens: 0, cost: 0 });

/** The subtree at `path` (pure): its day totals and its month totals (which include the day). */
export function subtreeUsage(path: string, rows: PathUsage[]): { day: PeriodTotals; month: PeriodTotals } {
  const day = zero();
  const month = zero();
  for (const r of rows) {
    if (!r.accountPath.startsWith(path)) continue;
    for (const t of r.today ? [day, month] : [month]) {
      t.requests += r.requests;
      t.tokens += r.tokens;
      t.cost += r.cost;
    }
  }
  return { day, month };
}
