// GET /admin/v1/usage/daily — daily rollups (account × day × model) of the caller's subtree.
import { createRoute, z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { dailyRollups } from '../../analytics/daily';
import { usageDaily } from '../../db/schema';
import { adminContext, adminRouter, ok, security } from './openapi';

const query = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** Narrow to this account's subtree (must be inside the caller's). */
  account: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** A usage_daily row as stored: the table is the one source of its fields. */
export const usageDailyRowSchema = createSelectSchema(usageDaily).openapi('UsageDailyRow', {
  description: 'One account × day × model: requests, errors, token classes, units and cost (micro-units)',
});

const daily = createRoute({
  method: 'get',
  path: '/',
  tags: ['Usage'],
  security,
  request: { query },
  responses: ok(z.object({ data: z.array(usageDailyRowSchema) }), 'Rollups, oldest day first'),
});

export const usageDailyRoute = adminRouter().openapi(daily, async (c) =>
  c.json({ data: await dailyRollups(adminContext(c), c.req.valid('query')) }, 200),
);
