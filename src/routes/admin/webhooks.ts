// Webhook endpoints and their deliveries (usage pipeline); the event catalogue is in docs/webhooks.
import { createRoute, z } from '@hono/zod-openapi';
import { keyRing } from '../../state/keyring';
import {
  createEndpoint,
  type DeliveryRow,
  deleteEndpoint,
  type EndpointRow,
  listDeliveries,
  listEndpoints,
  rotateSecret,
  scheduleRedelivery,
} from '../../tenancy/webhooks';
import { eventTypes } from '../../webhooks/catalogue';
import { deliverDue } from '../../webhooks/deliver';
import {
  adminContext,
  adminRouter,
  body,
  created,
  deleted,
  idParam,
  iso,
  OK,
  ok,
  okSchema,
  security,
} from './openapi';

const base = { tags: ['Webhooks'], security };

const endpointSchema = z
  .object({
    id: z.string(),
    account_id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    previous_secret_expires_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WebhookEndpoint');

const deliverySchema = z
  .object({
    id: z.string(),
    event_id: z.string(),
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    delivered_at: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

const endpointOut = (e: EndpointRow): z.infer<typeof endpointSchema> => ({
  id: e.id,
  account_id: e.accountId,
  url: e.url,
  events: e.events,
  status: e.status,
  previous_secret_expires_at: iso(e.previousExpiresAt),
  created_at: iso(e.createdAt) as string,
});

const deliveryOut = (d: DeliveryRow): z.infer<typeof deliverySchema> => ({
  id: d.id,
  event_id: d.eventId,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  created_at: iso(d.createdAt) as string,
  delivered_at: iso(d.deliveredAt),
});

const withSecret = endpointSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`), shown in this response only' }),
});

export const webhooksRoute = adminRouter()
  .openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/accounts/{id}/webhooks',
      request: { params: idParam },
      responses: ok(z.object({ data: z.array(endpointSchema) }), 'Endpoints'),
    }),
    async (c) =>
      c.json({ data: (await listEndpoints(adminContext(c), c.req.valid('param').id)).map(endpointOut) }, 200),
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/accounts/{id}/webhooks',
      summary: "An endpoint receiving the events of the account's subtree",
      request: {
        params: idParam,
        body: body(
          z
            .object({
              url: z.url().max(2_000),
              events: z
                .array(z.enum([...eventTypes, '*']))
                .max(50)
                .optional(),
            })
            .strict(),
        ),
      },
      responses: created(withSecret, 'The endpoint and its secret'),
    }),
    async (c) => {
      const { endpoint, secret } = await createEndpoint(
        adminContext(c),
        await keyRing(c.env),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json({ ...endpointOut(endpoint), secret }, 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/webhooks/{id}',
      request: { params: idParam },
      responses: deleted,
    }),
    async (c) => {
      await deleteEndpoint(adminContext(c), c.req.valid('param').id);
      return c.json(OK, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/webhooks/{id}/rotate-secret',
      summary: 'A new secret; the previous one keeps signing (a second `v1=`) for 24 hours',
      request: { params: idParam },
      responses: ok(withSecret, 'The endpoint and its new secret'),
    }),
    async (c) => {
      const { endpoint, secret } = await rotateSecret(
        adminContext(c),
        await keyRing(c.env),
        c.req.valid('param').id,
      );
      return c.json({ ...endpointOut(endpoint), secret }, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      summary: 'The last deliveries, newest first, with their status',
      request: {
        params: idParam,
        query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
      responses: ok(z.object({ data: z.array(deliverySchema) }), 'Deliveries'),
    }),
    async (c) => {
      const rows = await listDeliveries(adminContext(c), c.req.valid('param').id, c.req.valid('query').limit);
      return c.json({ data: rows.map(deliveryOut) }, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/webhooks/{id}/deliveries/{delivery_id}/redeliver',
      summary: 'Send a delivery again now: the same body and event id',
      request: { params: idParam.extend({ delivery_id: z.string().min(1).max(100) }) },
      responses: ok(okSchema, 'Sent (see its status in the deliveries)'),
    }),
    async (c) => {
      const ctx = adminContext(c);
      const { id, delivery_id } = c.req.valid('param');
      const row = await scheduleRedelivery(ctx, id, delivery_id);
      await deliverDue(c.env, ctx.now, row.eventId);
      return c.json(OK, 200);
    },
  );
