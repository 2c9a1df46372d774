// The request log's SQL (analytics), pure: filters and a keyset become one statement over usage_events,
// newest first (ts desc, request_id desc), on the index that keeps a page near `limit` row reads.
//
// A subtree is a range of account paths, and a B-tree cannot seek by time inside every path of a
// range, so the plan picks one of four shapes:
// - `request`: a request id was given, the primary key answers;
// - `key`: a gateway key was given, its (key_id, ts) index is in order;
// - `paths`: the subtree had traffic on few account paths in the range (pathsStatement, from the
//   rollups): one ordered branch per path on (account_path, ts), each stopping at `limit + 1`
//   rows, merged five at a time (D1's cap on a compound SELECT);
// - `scan`: many paths: walk (ts, request_id, account_path) newest first and check the path in the
//   index; a page reads about limit ÷ (the subtree's share of the traffic) entries.
import { subtreeRange } from '../tenancy/chain';

export const statusClasses = ['2xx', '4xx', '5xx', 'error'] as const;
export type StatusClass = (typeof statusClasses)[number];

export interface RequestFilters {
  /** The subtree to read, e.g. `/acme/eng/`. */
  path: string;
  /** Inclusive lower bound, ms since the epoch. */
  from: number;
  /** Exclusive upper bound, ms since the epoch. */
  to: number;
  keyId?: string;
  /** Matches the served or the requested model. */
  model?: string;
  status?: StatusClass;
  protocol?: string;
  provider?: string;
  level?: number;
  estimated?: boolean;
  unpriced?: boolean;
  minCost?: number;
  minLatency?: number;
  requestId?: string;
  /** Known to match nothing (a key of an account outside the subtree): no statement runs. */
  none?: boolean;
}

/** The last row of the previous page. */
export interface Keyset {
  ts: number;
  requestId: string;
}

export type Plan =
  | { kind: 'request' }
  | { kind: 'key' }
  | { kind: 'scan' }
  | { kind: 'paths'; paths: string[] }
  /** No traffic in the subtree and range: nothing to read. */
  | { kind: 'empty' };

/** At most this many per-path branches; D1 binds at most 100 parameters per statement. */
export const MAX_PATH_BRANCHES = 40;

export interface Statement {
  sql: string;
  params: (string | number)[];
}

const STATUS_RANGES: Record<StatusClass, [number, number]> = {
  '2xx': [200, 300],
  '4xx': [400, 500],
  '5xx': [500, 600],
  error: [400, 1000],
};

const ORDER = 'ORDER BY ts DESC, request_id DESC';

/** Chooses the shape; `paths` are the subtree's account paths with traffic in the range, if known. */
export function choosePlan(filters: RequestFilters, paths: readonly string[] | null): Plan {
  if (filters.none) return { kind: 'empty' };
  if (filters.requestId !== undefined) return { kind: 'request' };
  if (filters.keyId !== undefined) return { kind: 'key' };
  if (paths?.length === 0) return { kind: 'empty' };
  if (paths && paths.length <= MAX_PATH_BRANCHES) return { kind: 'paths', paths: [...paths] };
  return { kind: 'scan' };
}

/** Numbered placeholders, so the per-path branches share one copy of every filter value. */
class Params {
  readonly values: (string | number)[] = [];
  add(value: string | number): string {
    this.values.push(value);
    return `?${this.values.length}`;
  }
}

/** Every condition except the subtree's, which depends on the plan. */
function conditions(f: RequestFilters, after: Keyset | undefined, p: Params): string[] {
  const out = [`ts >= ${p.add(f.from)}`];
  if (after && after.ts < f.to) {
    // One upper bound, so it is the one the index range starts from (with two, SQLite may pick
    // `to` and walk every newer row down to the cursor); the OR only breaks ties within one ms.
    const ts = p.add(after.ts);
    out.push(`ts <= ${ts}`, `(ts < ${ts} OR request_id < ${p.add(after.requestId)})`);
  } else out.push(`ts < ${p.add(f.to)}`);
  if (f.requestId !== undefined) out.push(`request_id = ${p.add(f.requestId)}`);
  if (f.keyId !== undefined) out.push(`key_id = ${p.add(f.keyId)}`);
  if (f.model !== undefined) {
    const m = p.add(f.model);
    out.push(`(model = ${m} OR model_requested = ${m})`);
  }
  if (f.status !== undefined) {
    const [lo, hi] = STATUS_RANGES[f.status];
    out.push(`status >= ${p.add(lo)}`, `status < ${p.add(hi)}`);
  }
  if (f.protocol !== undefined) out.push(`client_protocol = ${p.add(f.protocol)}`);
  if (f.provider !== undefined) out.push(`provider = ${p.add(f.provider)}`);
  if (f.level !== undefined) out.push(`level = ${p.add(f.level)}`);
  if (f.estimated !== undefined) out.push(`estimated = ${p.add(f.estimated ? 1 : 0)}`);
  if (f.unpriced !== undefined) out.push(`unpriced = ${p.add(f.unpriced ? 1 : 0)}`);
  if (f.minCost !== undefined) out.push(`cost_micros >= ${p.add(f.minCost)}`);
  if (f.minLatency !== undefined) out.push(`latency_ms >= ${p.add(f.minLatency)}`);
  return out;
}

function inSubtree(path: string, p: Params): string {
  const { lower, upper } = subtreeRange(path);
  return `account_path >= ${p.add(lower)} AND account_path < ${p.add(upper)}`;
}

/** One page (`limit + 1` rows, to tell whether another page follows) of the filtered events. */
export function pageStatement(
  filters: RequestFilters,
  plan: Exclude<Plan, { kind: 'empty' }>,
  after: Keyset | undefined,
  limit: number,
): Statement {
  const p = new Params();
  const where = conditions(filters, after, p);
  const n = p.add(limit + 1);
  const select = (index: string | null, extra: string) =>
    `SELECT * FROM usage_events${index ? ` INDEXED BY ${index}` : ''} WHERE ${[extra, ...where].join(' AND ')}`;
  const orderLimit = `${ORDER} LIMIT ${n}`;
  switch (plan.kind) {
    case 'request':
      return { sql: `${select(null, inSubtree(filters.path, p))} ${orderLimit}`, params: p.values };
    case 'key':
      return {
        sql: `${select('usage_events_key_ts_idx', inSubtree(filters.path, p))} ${orderLimit}`,
        params: p.values,
      };
    case 'scan':
      return {
        sql: `${select('usage_events_ts_idx', inSubtree(filters.path, p))} ${orderLimit}`,
        params: p.values,
      };
    case 'paths': {
      const branches = plan.paths.map((path) =>
        select('usage_events_path_ts_idx', `account_path = ${p.add(path)}`),
      );
      return { sql: merged(branches, orderLimit), params: p.values };
    }
  }
}

/** D1 builds SQLite with SQLITE_LIMIT_COMPOUND_SELECT = 5 (the default is 500). */
export const MAX_COMPOUND_TERMS = 5;

/**
 * Selects merged newest first. Up to five terms are one UNION ALL under the ORDER BY: SQLite then
 * reads every branch in its index order and merges lazily (MERGE (UNION ALL)), stopping at the
 * LIMIT, so a page reads about `limit` matching rows in all. More terms go in groups of five (a
 * subquery starts its own count); each group stops at `limit + 1` rows and the groups' rows are
 * sorted and merged.
 */
function merged(terms: string[], orderLimit: string): string {
  if (terms.length <= MAX_COMPOUND_TERMS) return `${terms.join(' UNION ALL ')} ${orderLimit}`;
  const groups: string[] = [];
  for (let i = 0; i < terms.length; i += MAX_COMPOUND_TERMS)
    groups.push(
      `SELECT * FROM (${terms.slice(i, i + MAX_COMPOUND_TERMS).join(' UNION ALL ')} ${orderLimit})`,
    );
  return merged(groups, orderLimit);
}

/**
 * The subtree's account paths with rollups in the days around [from, to), at most
 * MAX_PATH_BRANCHES + 1 of them. The day of an event is in the root's time zone when it was
 * written, so the caller adds a day either side. A skip scan: each step seeks the next distinct
 * path on (account_path, day) and probes its days, so the cost grows with the paths visited, not
 * with the rollup rows (kept forever) under them.
 */
export function pathsStatement(path: string, fromDay: string, toDay: string): Statement {
  const p = new Params();
  const { lower, upper } = subtreeRange(path);
  const lo = p.add(lower);
  const hi = p.add(upper);
  return {
    sql: `WITH RECURSIVE p(path) AS (
  SELECT MIN(account_path) FROM usage_daily WHERE account_path >= ${lo} AND account_path < ${hi}
  UNION ALL
  SELECT (SELECT MIN(account_path) FROM usage_daily WHERE account_path > p.path AND account_path < ${hi})
  FROM p WHERE p.path IS NOT NULL
)
SELECT path AS account_path FROM p WHERE path IS NOT NULL AND EXISTS (
  SELECT 1 FROM usage_daily d WHERE d.account_path = p.path AND d.day >= ${p.add(fromDay)} AND d.day <= ${p.add(toDay)}
) LIMIT ${p.add(MAX_PATH_BRANCHES + 1)}`,
    params: p.values,
  };
}
