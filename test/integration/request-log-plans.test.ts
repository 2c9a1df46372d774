// The request log's statements use the index each plan was written for, in order: no plan sorts
// the table (a page then reads about `limit` rows, whatever the table's size). Checked with
// EXPLAIN QUERY PLAN on the real D1 schema; the latency at 1 M events is in `npm run bench:requests`.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  type Plan,
  pageStatement,
  pathsStatement,
  type RequestFilters,
} from '../../src/analytics/request-plan';

async function explain(s: { sql: string; params: (string | number)[] }): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`)
    .bind(...s.params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

const base: RequestFilters = { path: '/acme/eng/', from: 0, to: 2_000_000_000_000 };
const after = { ts: 1_900_000_000_000, requestId: 'req_x' };
const everyFilter: RequestFilters = {
  ...base,
  model: 'gpt-x',
  status: 'error',
  protocol: 'openai',
  provider: 'openai',
  level: 1,
  estimated: false,
  unpriced: false,
  minCost: 1,
  minLatency: 1,
};

describe('request log query plans', () => {
  const cases: [string, RequestFilters, Exclude<Plan, { kind: 'empty' }>, RegExp][] = [
    [
      'scan',
      everyFilter,
      { kind: 'scan' },
      /SEARCH usage_events USING INDEX usage_events_ts_idx \(ts>\? AND ts<\?\)/,
    ],
    [
      'key',
      { ...everyFilter, keyId: 'key_1' },
      { kind: 'key' },
      /SEARCH usage_events USING INDEX usage_events_key_ts_idx \(key_id=\? AND ts>\? AND ts<\?\)/,
    ],
    [
      'paths',
      everyFilter,
      { kind: 'paths', paths: ['/acme/eng/', '/acme/eng/alice/'] },
      /SEARCH usage_events USING INDEX usage_events_path_ts_idx \(account_path=\? AND ts>\? AND ts<\?\)/,
    ],
    [
      // More paths than D1 allows terms in one compound SELECT (5): nested merges.
      'paths, 12',
      everyFilter,
      { kind: 'paths', paths: Array.from({ length: 12 }, (_, i) => `/acme/eng/u${i}/`) },
      /SEARCH usage_events USING INDEX usage_events_path_ts_idx \(account_path=\? AND ts>\? AND ts<\?\)/,
    ],
    [
      'request',
      { ...base, requestId: 'req_1' },
      { kind: 'request' },
      /SEARCH usage_events USING INDEX sqlite_autoindex_usage_events_1 \(request_id=\?\)/,
    ],
  ];
  it.each(cases)('%s: on its index, in index order', async (_, filters, plan, uses) => {
    for (const keyset of [undefined, after]) {
      const detail = await explain(pageStatement(filters, plan, keyset, 50));
      expect(detail.join('\n')).toMatch(uses);
      // No sort over table rows. The per-path plan merges its branches (MERGE (UNION ALL)), each
      // sorted after its LIMIT: at most limit + 1 rows per branch.
      detail.forEach((d, i) => {
        if (d.includes('TEMP B-TREE')) expect(detail[i - 1]).toMatch(/^SCAN \(subquery-\d+\)$/);
      });
      if (plan.kind !== 'paths') expect(detail.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
      else {
        expect(detail[0]).toBe('MERGE (UNION ALL)');
        const searches = detail.filter((d) => d.startsWith('SEARCH usage_events'));
        expect(searches).toHaveLength(plan.paths.length);
      }
    }
  });

  it("lists a subtree's paths by seeks on the rollups' (account_path, day) index", async () => {
    const detail = await explain(pathsStatement('/acme/eng/', '2026-10-01', '2026-10-02'));
    // Every read of usage_daily is a SEARCH on the index (no SCAN of the table or the index).
    const reads = detail.filter((d) => d.includes('usage_daily'));
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const d of reads)
      expect(d).toMatch(/^SEARCH (d|usage_daily) USING COVERING INDEX usage_daily_path_day_idx/);
    expect(reads.join('\n')).toContain('(account_path=? AND day>? AND day<?)');
  });
});
