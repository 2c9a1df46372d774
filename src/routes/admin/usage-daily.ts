// GET /admin/v1/usage/daily — daily rollups (account × day × model) of the caller's subtree.
import { and, asc, eq, gte, lt, lte } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../app-env';
import { database } from '../../db/client';
import { accounts, usageDaily } from '../../db/schema';
import { NotFoundError } from '../../errors/gateway-error';
import { parseWith } from '../../lib/validate';
import { requireScope, subtreeRange } from './actor';

const query = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** Narrow to this account's subtree (must be inside the caller's). */
  account: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const usageDailyRoute = new Hono<AppEnv>().get('/', async (c) => {
  const actor = c.get('actor');
  requireScope(actor, 'usage:read');
  const q = parseWith(query, c.req.query());
  const db = database(c.env.DB);
  let path = actor.accountPath;
  if (q.account) {
    const [row] = await db.select({ path: accounts.path }).from(accounts).where(eq(accounts.id, q.account));
    // Outside the caller's subtree reads exactly like "does not exist": no leak of other tenants.
    if (!row?.path.startsWith(actor.accountPath))
      throw new NotFoundError('account_not_found', `No account "${q.account}".`);
    path = row.path;
  }
  const { lower, upper } = subtreeRange(path);
  const rows = await db
    .select()
    .from(usageDaily)
    .where(
      and(
        gte(usageDaily.accountPath, lower),
        lt(usageDaily.accountPath, upper),
        q.from ? gte(usageDaily.day, q.from) : undefined,
        q.to ? lte(usageDaily.day, q.to) : undefined,
      ),
    )
    .orderBy(asc(usageDaily.day), asc(usageDaily.accountPath), asc(usageDaily.model))
    .limit(q.limit);
  return c.json({ data: rows });
});
