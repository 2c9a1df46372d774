// The daily rollups (account × day × model) of the caller's subtree, oldest day first: the raw
// table behind GET /admin/v1/usage/daily.
import { asc, eq } from 'drizzle-orm';
import { accounts, usageDaily } from '../db/schema';
import { NotFoundError } from '../errors/gateway-error';
import { type AdminContext, requireCapability } from '../tenancy/context';
import { subtreeRollups } from '../usage/period-rollups';

export interface DailyQuery {
  from?: string;
  to?: string;
  /** Narrow to this account's subtree (must be inside the caller's). */
  account?: string;
  limit: number;
}

export async function dailyRollups(ctx: AdminContext, q: DailyQuery) {
  let path = ctx.actor.accountPath;
  if (q.account) {
    const [row] = await ctx.db
      .select({ path: accounts.path })
      .from(accounts)
      .where(eq(accounts.id, q.account));
    // Outside the caller's subtree reads exactly like "does not exist": no leak of other tenants.
    if (!row?.path.startsWith(ctx.actor.accountPath))
      throw new NotFoundError('account_not_found', `No account "${q.account}".`);
    path = row.path;
  }
  requireCapability(ctx.actor, 'usage:read');
  return subtreeRollups(ctx.db, path, q.from, q.to)
    .orderBy(asc(usageDaily.day), asc(usageDaily.accountPath), asc(usageDaily.model))
    .limit(q.limit);
}
