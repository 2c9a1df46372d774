// One request of the log (analytics) with what the list leaves out: the account's and key's names, the
// upstream key's last four characters (never its secret), the upstream's provider kind, the price
// row that applied, and how long raw events are kept. Outside the caller's subtree it is 404.
import { and, eq } from 'drizzle-orm';
import type { PriceRow } from '../billing/prices';
import { findPrice } from '../billing/pricing';
import { accounts, gatewayKeys, modelPrices, upstreamKeys } from '../db/schema';
import { NotFoundError } from '../errors/gateway-error';
import { type AdminContext, requireCapability } from '../tenancy/context';
import { inSubtree } from '../tenancy/permissions';
import { type EventRow, eventOut, type RequestEvent } from './requests';

export interface RequestDetail extends RequestEvent {
  /** The account id when the account has since been deleted. */
  account_name: string;
  key_name: string | null;
  key_prefix: string | null;
  upstream_key_last4: string | null;
  /** The provider kind of the upstream key (or the event's provider once the key is gone). */
  upstream_protocol: string | null;
  price: PriceRow | null;
  retention_days: number;
}

const notFound = (id: string) => new NotFoundError('request_not_found', `No request "${id}".`);

/**
 * The price in force for the event's served model, account and day, as the table holds it now: a
 * price row edited in place since then shows its new amounts (the event's cost is what was charged).
 */
async function appliedPrice(ctx: AdminContext, e: RequestEvent): Promise<PriceRow | null> {
  const rows = await ctx.db
    .select({ price: modelPrices, path: accounts.path })
    .from(modelPrices)
    .leftJoin(accounts, eq(accounts.id, modelPrices.accountId))
    .where(eq(modelPrices.model, e.model));
  // An override whose account is gone no longer applies (as the gateway's config loader drops it).
  const candidates = rows.flatMap(({ price, path }) =>
    price.accountId && !path ? [] : [{ ...price, accountPath: price.accountId ? path : null }],
  );
  const best = findPrice(candidates, e.model, e.account_path, e.day);
  if (!best) return null;
  const { accountPath: _, ...price } = best;
  return price;
}

export async function readRequest(
  ctx: AdminContext,
  requestId: string,
  retentionDays: number,
): Promise<RequestDetail> {
  requireCapability(ctx.actor, 'usage:read');
  const row = await ctx.db.$client
    .prepare('SELECT * FROM usage_events WHERE request_id = ?')
    .bind(requestId)
    .first<EventRow>();
  if (!row) throw notFound(requestId);
  const event = eventOut(row);
  if (!inSubtree(ctx.actor.accountPath, event.account_path)) throw notFound(requestId);
  const [account, key, upstream, price] = await Promise.all([
    ctx.db.select({ name: accounts.name }).from(accounts).where(eq(accounts.id, event.account_id)).limit(1),
    event.key_id
      ? ctx.db
          .select({ name: gatewayKeys.name, prefix: gatewayKeys.prefix })
          .from(gatewayKeys)
          // The key's account too: a key id is only shown with the account it belongs to.
          .where(and(eq(gatewayKeys.id, event.key_id), eq(gatewayKeys.accountId, event.account_id)))
          .limit(1)
      : [],
    event.upstream_key_id
      ? ctx.db
          .select({ last4: upstreamKeys.last4, provider: upstreamKeys.provider })
          .from(upstreamKeys)
          .where(eq(upstreamKeys.id, event.upstream_key_id))
          .limit(1)
      : [],
    appliedPrice(ctx, event),
  ]);
  return {
    ...event,
    account_name: account[0]?.name ?? event.account_id,
    key_name: key[0]?.name ?? null,
    key_prefix: key[0]?.prefix ?? null,
    upstream_key_last4: upstream[0]?.last4 ?? null,
    upstream_protocol: upstream[0]?.provider ?? event.provider,
    price,
    retention_days: retentionDays,
  };
}
