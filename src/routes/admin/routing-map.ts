// GET /admin/v1/accounts/{id}/routes — where each model a request of this account might name goes:
// the mapped model, the level, the switch-over chain, and which layer decided (inherited policy, routing and key pools).
import { createRoute, z } from '@hono/zod-openapi';
import { accountRoutingMap } from '../../tenancy/routing-view';
import { adminContext, adminRouter, errorResponses, idParam, json, security } from './openapi';

const routeSchema = z
  .object({
    requested: z.string(),
    model: z.string().openapi({ description: 'After model_mapper' }),
    level: z.number().int().nullable(),
    switch_over: z.array(z.number().int()).openapi({ description: 'Backup levels, in order' }),
    mapped_by: z.string().nullable().openapi({ example: 'account:acme' }),
    level_by: z
      .string()
      .nullable()
      .openapi({ description: "The level_mapper's layer; null: the account's default level" }),
    refused: z.string().nullable().openapi({ example: 'model_not_allowed' }),
  })
  .openapi('ModelRoute');

const route = createRoute({
  method: 'get',
  path: '/accounts/{id}/routes',
  tags: ['Policies'],
  security,
  summary: "The account's routing map: model → mapped model → level → switch-over levels",
  request: {
    params: idParam,
    query: z.object({
      model: z
        .string()
        .max(2000)
        .optional()
        .openapi({ description: 'Comma-separated model names to resolve as well' }),
    }),
  },
  responses: {
    200: json(
      z.object({
        default_level: z.object({ value: z.number().int(), source: z.string() }).nullable(),
        data: z.array(routeSchema),
      }),
      'One entry per model name',
    ),
    ...errorResponses,
  },
});

export const routingMapRoute = adminRouter().openapi(route, async (c) => {
  const extra = (c.req.valid('query').model ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '' && m.length <= 200)
    .slice(0, 50);
  const map = await accountRoutingMap(adminContext(c), c.req.valid('param').id, extra);
  return c.json(
    {
      default_level: map.defaultLevel,
      data: map.routes.map((r) => ({
        requested: r.requested,
        model: r.model,
        level: r.level,
        switch_over: r.switchOver,
        mapped_by: r.mappedBy,
        level_by: r.levelBy,
        refused: r.refused,
      })),
    },
    200,
  );
});
