// Live governance state (limits and quotas; routing and key pools) for operators: a level's key health and
// disabled-key alerts,
// re-enabling a key, and an account's (or key's) live limit counters from its governor.
import { createRoute, z } from '@hono/zod-openapi';
import type { PoolState } from '../../../durable-objects/pools';
import { assertRootCatalog, auditUpstreamKeyEnabled, upstreamKeyLevel } from '../../tenancy/catalog';
import { accountInScope } from '../../tenancy/chain';
import { publishUpstreamKey } from '../../webhooks/events';
import { adminContext, adminRouter, idParam, OK, ok, okSchema, security } from './openapi';

const tags = ['Governance'];

const healthSchema = z
  .object({
    coolUntil: z.number(),
    disabled: z.boolean(),
    failures: z.number(),
    lastError: z.string().optional(),
    lastErrorAt: z.number().optional(),
    errorCount: z.number().optional(),
  })
  .openapi('KeyHealth');

const levelParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const keyParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const pool = (env: Env, levelId: number) => env.KEY_POOL.get(env.KEY_POOL.idFromName(`level:${levelId}`));

/** A governor's pool (durable-objects/pools.ts PoolState), as the counters route shows it. */
const poolStateSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('bucket'), tokens: z.number(), at: z.number() }),
    z.object({ kind: z.literal('period'), used: z.number(), key: z.string() }),
    z.object({ kind: z.literal('credit'), funds: z.number(), used: z.number(), day: z.string() }),
  ])
  .openapi('PoolState');
const poolStateMatches: PoolState extends z.infer<typeof poolStateSchema> ? true : never = true;
void poolStateMatches;

export const governanceRoute = adminRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/levels/{id}/health',
      tags,
      security,
      summary: "Each key's sleep-on-error state and the level's disabled-key alerts (root only)",
      request: { params: levelParam },
      responses: ok(
        z.object({
          keys: z.record(z.string(), healthSchema),
          alerts: z.array(z.object({ keyId: z.string(), at: z.number(), reason: z.string() })),
        }),
        'Keys without an entry are healthy',
      ),
    }),
    async (c) => {
      assertRootCatalog(adminContext(c), 'read');
      return c.json(await pool(c.env, c.req.valid('param').id).health(), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/upstream-keys/{id}/enable',
      tags,
      security,
      summary: 'Re-enable a disabled upstream key (or end its cool-down); root only',
      request: { params: keyParam },
      responses: ok(okSchema, 'Enabled'),
    }),
    async (c) => {
      const ctx = adminContext(c);
      assertRootCatalog(ctx, 'catalog:write');
      const { id } = c.req.valid('param');
      const key = { levelId: await upstreamKeyLevel(ctx, id) };
      const stub = pool(c.env, key.levelId);
      // The key's sleep-on-error state before and after, for the audit row.
      const before = (await stub.health()).keys[id] ?? null;
      await stub.enable(id);
      await publishUpstreamKey(
        c.env,
        'upstream_key.enabled',
        { id, levelId: key.levelId, reason: null },
        ctx.now,
      );
      const after = (await stub.health()).keys[id] ?? null;
      await auditUpstreamKeyEnabled(ctx, { id, levelId: key.levelId, before, after });
      return c.json(OK, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{id}/counters',
      tags,
      security,
      summary: "The account's live limit pools, parent lease and in-flight requests, from its governor",
      request: { params: idParam },
      responses: ok(
        z.object({
          pools: z.record(z.string(), poolStateSchema).openapi({ description: 'Keyed by dimension' }),
          lease: z.object({ balances: z.record(z.string(), z.number()), expiresAt: z.number() }),
          inFlight: z.number(),
        }),
        'Pools are token buckets, period counters or credit pools',
      ),
    }),
    async (c) => {
      const account = await accountInScope(adminContext(c), c.req.valid('param').id, 'read');
      const snap = await c.env.ACCOUNT_GOVERNOR.get(c.env.ACCOUNT_GOVERNOR.idFromName(account.id)).snapshot();
      return c.json(
        {
          pools: snap.state.pools,
          lease: { balances: snap.state.lease.balances, expiresAt: snap.state.lease.expiresAt },
          inFlight: snap.inFlight,
        },
        200,
      );
    },
  );
