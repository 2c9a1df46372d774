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

export async function listAudit(ctx: AdminContext, q: { account?: string; cursor?: string; limit: number }) {
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
