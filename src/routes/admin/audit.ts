// GET /admin/v1/audit — every admin write in the caller's subtree, newest first (security and failure
// behaviour).
import { createRoute, z } from '@hono/zod-openapi';
import { type AuditRow, listAudit } from '../../tenancy/audit';
import { adminContext, adminRouter, iso, ok, pageQuery, security } from './openapi';

const auditSchema = z
  .object({
    id: z.string(),
    ts: z.string(),
    actor_type: z.enum(['user', 'management_token', 'bootstrap', 'system']),
    actor_id: z.string().nullable(),
    account_path: z.string(),
    action: z.string().openapi({ example: 'key.revoke' }),
    target_type: z.string(),
    target_id: z.string().nullable(),
    before: z.unknown().openapi({ description: 'Secrets and hashes redacted' }),
    after: z.unknown(),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
  })
  .openapi('AuditEntry');

const auditOut = (r: AuditRow): z.infer<typeof auditSchema> => ({
  id: r.id,
  ts: iso(r.ts) as string,
  actor_type: r.actorType,
  actor_id: r.actorId,
  account_path: r.accountPath,
  action: r.action,
  target_type: r.targetType,
  target_id: r.targetId,
  before: r.before,
  after: r.after,
  ip: r.ip,
  request_id: r.requestId,
});

const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['Audit'],
  security,
  summary: 'Admin writes of the subtree, newest first; filter by actor, action, target and time',
  request: {
    query: pageQuery.extend({
      account: z.string().optional(),
      actor: z.string().max(200).optional().openapi({ description: 'Actor id (user, token) or type' }),
      action: z
        .string()
        .max(100)
        .optional()
        .openapi({ description: 'An action (`price.import`) or a family ending in a dot (`price.`)' }),
      target: z.string().max(200).optional().openapi({ description: 'Target id, or target type' }),
      since: z.iso.datetime({ offset: true }).optional(),
      until: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Exclusive' }),
    }),
  },
  responses: ok(
    z.object({ data: z.array(auditSchema), next_cursor: z.string().nullable() }),
    'One page of entries',
  ),
});

export const auditRoute = adminRouter().openapi(list, async (c) => {
  const page = await listAudit(adminContext(c), c.req.valid('query'));
  return c.json({ data: page.data.map(auditOut), next_cursor: page.nextCursor }, 200);
});
