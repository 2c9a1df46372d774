// Reading the audit log (security and failure behaviour), scoped like everything else: one index range on
// the account path of
// each row, newest first.
import { and, desc, eq, gte, lt, or } from 'drizzle-orm';
import { auditLog } from '../db/schema';
import { InvalidRequestError } from '../errors/gateway-error';
import { accountInScope, subtreeRange } from './chain';
import { type AdminContext, requireCapability } from './context';
import { decodeCursor, encodeCursor } from './paging';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditQuery {
  account?: string | undefined;
  cursor?: string | undefined;
  limit: number;
  /** An actor id, or an actor type (`bootstrap`, `system`…). */
  actor?: string | undefined;
  /** An action, or a family of them when it ends with a dot (`price.`). */
  action?: string | undefined;
  /** A target id, or a target type. */
  target?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

function filters(q: AuditQuery) {
  const actorTypes = ['user', 'management_token', 'bootstrap', 'system'] as const;
  const asType = actorTypes.find((t) => t === q.actor);
  return [
    q.actor ? (asType ? eq(auditLog.actorType, asType) : eq(auditLog.actorId, q.actor)) : undefined,
    q.action
      ? q.action.endsWith('.')
        ? and(gte(auditLog.action, q.action), lt(auditLog.action, `${q.action.slice(0, -1)}/`))
        : eq(auditLog.action, q.action)
      : undefined,
    q.target ? or(eq(auditLog.targetId, q.target), eq(auditLog.targetType, q.target)) : undefined,
    q.since ? gte(auditLog.ts, Date.parse(q.since)) : undefined,
    q.until ? lt(auditLog.ts, Date.parse(q.until)) : undefined,
  ];
}

export async function listAudit(ctx: AdminContext, q: AuditQuery) {
  requireCapability(ctx.actor, 'read');
  const path = q.account ? (await accountInScope(ctx, q.account, 'read')).path : ctx.actor.accountPath;
  const [ts, id] = q.cursor ? (decodeCursor(q.cursor) ?? []) : [];
  if (q.cursor && (typeof ts !== 'number' || typeof id !== 'string'))
    throw new InvalidRequestError('invalid_request', 'cursor: not a cursor from this API', 'cursor');
  const { lower, upper } = subtreeRange(path);
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        gte(auditLog.accountPath, lower),
        lt(auditLog.accountPath, upper),
        ...filters(q),
        typeof ts === 'number' && typeof id === 'string'
          ? or(lt(auditLog.ts, ts), and(eq(auditLog.ts, ts), lt(auditLog.id, id)))
          : undefined,
      ),
    )
    .orderBy(desc(auditLog.ts), desc(auditLog.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.ts, last.id]) : null };
}
