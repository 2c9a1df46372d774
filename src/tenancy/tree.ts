// The console's tree (account tree and identity, console): one account's children a page at a time (or a name search over its
// subtree), each with its status, how many children it has, today's spend of its subtree and the
// use of the daily and monthly limits its own layer sets — so a tree of thousands of accounts is
// browsed without ever being loaded whole. Three indexed reads per page: the children (parent
// index), their child counts, and the rollups of exactly the page's subtrees (one index range
// per node: a page is sorted by name, so its subtrees are not one contiguous path range).
import { and, asc, count, eq, gt, gte, inArray, lt, or, sql, sum } from 'drizzle-orm';
import { accounts, policies, usageDaily } from '../db/schema';
import { InvalidRequestError } from '../errors/gateway-error';
import { type PolicyLayer, resolveEffectivePolicy } from '../policy/effective';
import { type Policy, policySchema, toMicros } from '../policy/schema';
import { type AccountRow, accountInScope, layersOf, loadChain, subtreeRange } from './chain';
import type { AdminContext } from './context';
import { decodeCursor, encodeCursor } from './paging';
import { inSubtree } from './permissions';

export interface QuotaUse {
  item: 'rpd' | 'tpd' | 'daily_budget' | 'monthly_budget';
  /** Requests, tokens, or micro-units for budgets. */
  limit: number;
  used: number;
  /** Whole percent of the limit used. */
  percent: number;
}

export interface TreeNode {
  account: AccountRow;
  children: number;
  /** Today's requests and cost (micro-units) of the node's whole subtree. */
  today: { requests: number; cost: number };
  /** Limits the node's own layer sets, against its subtree's use this day / month. */
  quota: QuotaUse[];
  /** The effective daily budget (micro-units) and the layer that sets it, if any. */
  dailyBudget: { value: number; source: string } | null;
}

export interface TreePage {
  node: TreeNode;
  /** From the caller's own account down to the node's parent, for breadcrumbs. */
  ancestors: { id: string; name: string }[];
  data: TreeNode[];
  nextCursor: string | null;
}

interface Usage {
  path: string;
  today: boolean;
  requests: number;
  tokens: number;
  cost: number;
}

/** The node's quota use from its own limits and the usage rows (pure). */
export function quotaUse(path: string, policy: Policy, rows: readonly Usage[]): QuotaUse[] {
  const day = { requests: 0, tokens: 0, cost: 0 };
  let month = 0;
  for (const r of rows) {
    if (!r.path.startsWith(path)) continue;
    month += r.cost;
    if (!r.today) continue;
    day.requests += r.requests;
    day.tokens += r.tokens;
    day.cost += r.cost;
  }
  const l = policy.limits ?? {};
  const out: QuotaUse[] = [];
  const push = (item: QuotaUse['item'], limit: number | undefined, used: number) => {
    if (limit === undefined) return;
    out.push({ item, limit, used, percent: limit > 0 ? Math.floor((used * 100) / limit) : 100 });
  };
  push('rpd', l.rpd, day.requests);
  push('tpd', l.tpd, day.tokens);
  push('daily_budget', l.daily_budget === undefined ? undefined : toMicros(l.daily_budget), day.cost);
  push('monthly_budget', l.monthly_budget === undefined ? undefined : toMicros(l.monthly_budget), month);
  return out;
}

/** One subtree's rollups this month, per path and today-or-not. */
function usageQuery(ctx: AdminContext, path: string, today: string) {
  const isToday = sql<number>`${usageDaily.day} = ${today}`;
  const { lower, upper } = subtreeRange(path);
  return ctx.db
    .select({
      path: usageDaily.accountPath,
      today: isToday,
      requests: sum(usageDaily.requests),
      tokens: sql<number>`SUM(${usageDaily.promptTokens} + ${usageDaily.completionTokens})`,
      cost: sum(usageDaily.costMicros),
    })
    .from(usageDaily)
    .where(
      and(
        gte(usageDaily.accountPath, lower),
        lt(usageDaily.accountPath, upper),
        gte(usageDaily.day, `${today.slice(0, 7)}-01`),
        sql`${usageDaily.day} <= ${today}`,
      ),
    )
    .groupBy(usageDaily.accountPath, isToday);
}

/**
 * Rollups of the subtrees at `paths`: one index range each, in one D1 batch (a page sorted by name
 * is not one contiguous path range, and D1 caps a statement's bound parameters at 100).
 */
async function usageOf(ctx: AdminContext, paths: string[], today: string): Promise<Usage[]> {
  const [first, ...rest] = paths.map((p) => usageQuery(ctx, p, today));
  if (!first) return [];
  const results = await ctx.db.batch([first, ...rest]);
  // Search hits may nest (a and a/x): a row read twice counts once.
  const unique = new Map(results.flat().map((r) => [`${r.path}\u0000${r.today}`, r]));
  return [...unique.values()].map((r) => ({
    path: r.path,
    today: Number(r.today) === 1,
    requests: Number(r.requests ?? 0),
    tokens: Number(r.tokens ?? 0),
    cost: Number(r.cost ?? 0),
  }));
}

async function describe(
  ctx: AdminContext,
  rows: AccountRow[],
  parentLayers: (account: AccountRow) => PolicyLayer[],
  today: string,
): Promise<TreeNode[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [counts, own, usage] = await Promise.all([
    ctx.db
      .select({ parent: accounts.parentId, n: count() })
      .from(accounts)
      .where(inArray(accounts.parentId, ids))
      .groupBy(accounts.parentId),
    ctx.db
      .select({ id: policies.accountId, body: policies.body })
      .from(policies)
      .where(inArray(policies.accountId, ids)),
    usageOf(
      ctx,
      rows.map((r) => r.path),
      today,
    ),
  ]);
  return rows.map((account) => {
    const policy = policySchema.parse(own.find((p) => p.id === account.id)?.body ?? {});
    const effective = resolveEffectivePolicy([
      ...parentLayers(account),
      { source: `account:${account.id}`, policy },
    ]);
    const day = { requests: 0, cost: 0 };
    for (const u of usage)
      if (u.today && u.path.startsWith(account.path)) {
        day.requests += u.requests;
        day.cost += u.cost;
      }
    return {
      account,
      children: counts.find((c) => c.parent === account.id)?.n ?? 0,
      today: day,
      quota: quotaUse(account.path, policy, usage),
      dailyBudget: effective.limits.daily_budget ?? null,
    };
  });
}

function cursorKey(cursor: string): string {
  const [key] = decodeCursor(cursor) ?? [];
  if (typeof key !== 'string')
    throw new InvalidRequestError('invalid_request', 'cursor: not a cursor from this API', 'cursor');
  return key;
}

/**
 * One page of `id`'s children ordered by name (then id), or with `q` the accounts of its whole
 * subtree whose name or id contains `q`, ordered by path.
 */
export async function listTreePage(
  ctx: AdminContext,
  id: string,
  q: { cursor?: string; limit: number; q?: string },
  today: string,
): Promise<TreePage> {
  const node = await accountInScope(ctx, id, 'read');
  const chain = await loadChain(ctx.db, node.path);
  const after = q.cursor === undefined ? undefined : cursorKey(q.cursor);
  const search = q.q?.trim();
  let rows: AccountRow[];
  if (search) {
    const { lower, upper } = subtreeRange(node.path);
    const pattern = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    rows = await ctx.db
      .select()
      .from(accounts)
      .where(
        and(
          gt(accounts.path, after ?? lower),
          lt(accounts.path, upper),
          or(
            sql`${accounts.name} LIKE ${pattern} ESCAPE '\\'`,
            sql`${accounts.id} LIKE ${pattern} ESCAPE '\\'`,
          ),
        ),
      )
      .orderBy(asc(accounts.path))
      .limit(q.limit + 1);
  } else {
    // The cursor is `name \u0000 id`: names repeat, ids do not.
    const [name, afterId] = after === undefined ? [] : after.split('\u0000');
    rows = await ctx.db
      .select()
      .from(accounts)
      .where(
        and(
          eq(accounts.parentId, node.id),
          name === undefined
            ? undefined
            : or(gt(accounts.name, name), and(eq(accounts.name, name), gt(accounts.id, afterId ?? ''))),
        ),
      )
      .orderBy(asc(accounts.name), asc(accounts.id))
      .limit(q.limit + 1);
  }
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor([search ? last.path : `${last.name}\u0000${last.id}`])
      : null;
  // A page's nodes all hang under `node`; a search hit's own chain is loaded for its layers.
  const layersByPath = new Map<string, PolicyLayer[]>();
  layersByPath.set(node.path, layersOf(chain));
  if (search) {
    for (const r of page) {
      const parentPath = r.path.slice(0, r.path.slice(0, -1).lastIndexOf('/') + 1);
      if (!layersByPath.has(parentPath))
        layersByPath.set(parentPath, layersOf(await loadChain(ctx.db, parentPath)));
    }
  }
  const parentLayers = (a: AccountRow) =>
    layersByPath.get(a.path.slice(0, a.path.slice(0, -1).lastIndexOf('/') + 1)) ?? [];
  const [self] = await describe(ctx, [node], () => layersOf(chain.slice(0, -1)), today);
  return {
    node: self as TreeNode,
    ancestors: chain
      .slice(0, -1)
      .filter((l) => inSubtree(ctx.actor.accountPath, l.account.path))
      .map((l) => ({ id: l.account.id, name: l.account.name })),
    data: await describe(ctx, page, parentLayers, today),
    nextCursor,
  };
}
