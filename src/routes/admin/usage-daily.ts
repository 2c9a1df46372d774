// GET /admin/v1/usage/daily — daily rollups (account × day × model) of the caller's subtree.
import { createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { requireScope } from '../../auth/admin-actor';
import { database } from '../../db/client';
import { accounts, usageDaily } from '../../db/schema';
import { NotFoundError } from '../../errors/gateway-error';
import { subtreeRollups } from '../../usage/period-rollups';
import { adminRouter, errorResponses, json, security } from './openapi';

const query = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** Narrow to this account's subtree (must be inside the caller's). */
  account: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

const rowSchema = z.record(z.string(), z.union([z.string(), z.number()])).openapi('UsageDailyRow', {
  description: 'accountId, day, model, accountPath, requests, errors, token classes, costMicros, …',
});

const daily = createRoute({
  method: 'get',
  path: '/',
  tags: ['Usage'],
  security,
  request: { query },
  responses: {
    200: json(z.object({ data: z.array(rowSchema) }), 'Rollups, oldest day first'),
    ...errorResponses,
  },
});

export const usageDailyRoute = adminRouter().openapi(daily, async (c) => {
  const actor = c.get('actor');
  const q = c.req.valid('query');
  const db = database(c.env.DB);
  let path = actor.accountPath;
  if (q.account) {
    const [row] = await db.select({ path: accounts.path }).from(accounts).where(eq(accounts.id, q.account));
    // Outside the caller's subtree reads exactly like "does not exist": no leak of other tenants.
    if (!row?.path.startsWith(actor.accountPath))
      throw new NotFoundError('account_not_found', `No account "${q.account}".`);
    path = row.path;
  }
  requireScope(actor, 'usage:read');
  const rows = await subtreeRollups(db, path, q.from, q.to)
    .orderBy(asc(usageDaily.day), asc(usageDaily.accountPath), asc(usageDaily.model))
    .limit(q.limit);
  return c.json({ data: rows }, 200);
});
