// The request log (analytics): raw usage events of the caller's subtree, filtered, newest first, in keyset
// pages. Scoping is the account path: an `account` outside the caller's subtree is the same 404 as
// one that does not exist, and every statement is bounded to the subtree's path range.
import { eq } from 'drizzle-orm';
import { accounts, gatewayKeys } from '../db/schema';
import { InvalidRequestError } from '../errors/gateway-error';
import { dayIn, startOfDayIn } from '../lib/time';
import { accountInScope } from '../tenancy/chain';
import { type AdminContext, requireCapability } from '../tenancy/context';
import { decodeCursor, encodeCursor } from '../tenancy/paging';
import { inSubtree } from '../tenancy/permissions';
import { BOOLEAN_EVENT_COLUMNS, type EventBySqlName, type EventColumn } from '../usage/record';
import {
  choosePlan,
  type Keyset,
  pageStatement,
  pathsStatement,
  type RequestFilters,
  type StatusClass,
} from './request-plan';
import { nextDay, previousDay } from './views';

/** One usage event as the API shows it: every column, snake_case, booleans as booleans. */
export type RequestEvent = EventBySqlName;

export type EventRow = Record<EventColumn, string | number | null>;

export function eventOut(row: EventRow): RequestEvent {
  const out: Record<string, unknown> = { ...row };
  for (const c of BOOLEAN_EVENT_COLUMNS) out[c] = row[c] === 1;
  return out as RequestEvent;
}

export interface RequestQuery {
  from?: string;
  to?: string;
  account?: string;
  key?: string;
  model?: string;
  status?: StatusClass;
  protocol?: string;
  provider?: string;
  level?: number;
  estimated?: boolean;
  unpriced?: boolean;
  min_cost?: number;
  min_latency?: number;
  request_id?: string;
  cursor?: string;
}

const DAY = 86_400_000;

/** A date-time, or a date read as midnight in the root's time zone. */
function instant(value: string, timeZone: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? startOfDayIn(timeZone, value) : Date.parse(value);
}

/** The subtree and filters of a query, checked against the caller's scope. */
export async function resolveFilters(
  ctx: AdminContext,
  q: RequestQuery,
  timeZone: string,
): Promise<RequestFilters> {
  requireCapability(ctx.actor, 'usage:read');
  const path = q.account ? (await accountInScope(ctx, q.account, 'usage:read')).path : ctx.actor.accountPath;
  // Default: the last 24 hours, including this millisecond.
  const to = q.to ? instant(q.to, timeZone) : ctx.now + 1;
  const from = q.from ? instant(q.from, timeZone) : to - DAY;
  if (from >= to) throw new InvalidRequestError('invalid_request', 'from: must be before `to`', 'from');
  return {
    // A key elsewhere answers at once, as a key that does not exist would: no read of its events
    // whose cost could tell another tenant's busy key from a missing one.
    none: q.key !== undefined && !(await keyMayMatch(ctx, q.key, path)),
    path,
    from,
    to,
    keyId: q.key,
    model: q.model,
    status: q.status,
    protocol: q.protocol,
    provider: q.provider,
    level: q.level,
    estimated: q.estimated,
    unpriced: q.unpriced,
    minCost: q.min_cost,
    minLatency: q.min_latency,
    requestId: q.request_id,
  };
}

/** False when the key exists on an account outside `path` (a missing key may have old events). */
async function keyMayMatch(ctx: AdminContext, keyId: string, path: string): Promise<boolean> {
  const [key] = await ctx.db
    .select({ path: accounts.path })
    .from(gatewayKeys)
    .innerJoin(accounts, eq(accounts.id, gatewayKeys.accountId))
    .where(eq(gatewayKeys.id, keyId))
    .limit(1);
  return !key || inSubtree(path, key.path);
}

export function parseCursor(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined) return undefined;
  const [ts, requestId, extra] = decodeCursor(cursor) ?? [];
  if (typeof ts !== 'number' || typeof requestId !== 'string' || extra !== undefined)
    throw new InvalidRequestError('invalid_request', 'cursor: not a cursor from this API', 'cursor');
  return { ts, requestId };
}

export interface RequestPage {
  data: RequestEvent[];
  nextCursor: string | null;
}

/** One page of the filtered events after `after`, newest first. */
export async function requestPage(
  ctx: AdminContext,
  filters: RequestFilters,
  timeZone: string,
  after: Keyset | undefined,
  limit: number,
): Promise<RequestPage> {
  const to = after ? Math.min(filters.to, after.ts + 1) : filters.to;
  let paths: string[] | null = null;
  if (!filters.none && filters.requestId === undefined && filters.keyId === undefined) {
    const s = pathsStatement(
      filters.path,
      previousDay(dayIn(timeZone, filters.from)),
      nextDay(dayIn(timeZone, to - 1)),
    );
    const { results } = await ctx.db.$client
      .prepare(s.sql)
      .bind(...s.params)
      .all<{ account_path: string }>();
    paths = results.map((r) => r.account_path);
  }
  const plan = choosePlan(filters, paths);
  if (plan.kind === 'empty') return { data: [], nextCursor: null };
  const s = pageStatement(filters, plan, after, limit);
  const { results } = await ctx.db.$client
    .prepare(s.sql)
    .bind(...s.params)
    .all<EventRow>();
  const page = results.slice(0, limit).map(eventOut);
  const last = page.at(-1);
  return {
    data: page,
    nextCursor: results.length > limit && last ? encodeCursor([last.ts, last.request_id]) : null,
  };
}

/** `GET /admin/v1/requests`: one page of the caller's (or an account's) subtree. */
export async function listRequests(
  ctx: AdminContext,
  q: RequestQuery,
  timeZone: string,
  limit: number,
): Promise<RequestPage> {
  const filters = await resolveFilters(ctx, q, timeZone);
  return requestPage(ctx, filters, timeZone, parseCursor(q.cursor), limit);
}
