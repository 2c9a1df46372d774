import { describe, expect, it } from 'vitest';
import {
  choosePlan,
  MAX_PATH_BRANCHES,
  pageStatement,
  pathsStatement,
  type RequestFilters,
} from './request-plan';

const base: RequestFilters = { path: '/acme/eng/', from: 1000, to: 9000 };

describe('choosePlan', () => {
  it('prefers the primary key, then the key index, then per-path branches, then the scan', () => {
    expect(choosePlan({ ...base, requestId: 'r', keyId: 'k' }, null)).toEqual({ kind: 'request' });
    expect(choosePlan({ ...base, keyId: 'k' }, ['/acme/eng/'])).toEqual({ kind: 'key' });
    expect(choosePlan(base, ['/acme/eng/', '/acme/eng/a/'])).toEqual({
      kind: 'paths',
      paths: ['/acme/eng/', '/acme/eng/a/'],
    });
    expect(choosePlan(base, [])).toEqual({ kind: 'empty' });
    const many = Array.from({ length: MAX_PATH_BRANCHES + 1 }, (_, i) => `/acme/eng/${i}/`);
    expect(choosePlan(base, many)).toEqual({ kind: 'scan' });
    expect(choosePlan(base, many.slice(1))).toMatchObject({ kind: 'paths' });
  });
});

describe('pageStatement', () => {
  it('bounds the subtree by its path range and binds every value', () => {
    const s = pageStatement(
      { ...base, model: 'm', status: '4xx', estimated: true },
      { kind: 'scan' },
      undefined,
      50,
    );
    expect(s.sql).toBe(
      'SELECT * FROM usage_events INDEXED BY usage_events_ts_idx WHERE account_path >= ?8 AND account_path < ?9 AND ts >= ?1 AND ts < ?2 AND (model = ?3 OR model_requested = ?3) AND status >= ?4 AND status < ?5 AND estimated = ?6 ORDER BY ts DESC, request_id DESC LIMIT ?7',
    );
    expect(s.params).toEqual([1000, 9000, 'm', 400, 500, 1, 51, '/acme/eng/', '/acme/eng0']);
  });

  it('after a cursor, starts the range at the cursor: one upper bound on ts', () => {
    const s = pageStatement(base, { kind: 'scan' }, { ts: 5000, requestId: 'r5' }, 10);
    expect(s.sql).toContain('ts >= ?1 AND ts <= ?2 AND (ts < ?2 OR request_id < ?3)');
    expect(s.sql).not.toMatch(/ AND ts < /);
    expect(s.params.slice(0, 3)).toEqual([1000, 5000, 'r5']);
    // A cursor at or past `to` leaves `to` as the bound.
    const past = pageStatement(base, { kind: 'scan' }, { ts: 9000, requestId: 'r' }, 10);
    expect(past.sql).toContain('ts >= ?1 AND ts < ?2');
    expect(past.params.slice(0, 2)).toEqual([1000, 9000]);
  });

  it('shares one copy of the filter values across the per-path branches', () => {
    const s = pageStatement(
      { ...base, provider: 'openai' },
      { kind: 'paths', paths: ['/a/', '/a/b/'] },
      undefined,
      5,
    );
    expect(s.params).toEqual([1000, 9000, 'openai', 6, '/a/', '/a/b/']);
    expect(s.sql.match(/provider = \?3/g)).toHaveLength(2);
    expect(s.sql).toContain('account_path = ?5');
    expect(s.sql).toContain('account_path = ?6');
    expect(s.sql).toMatch(/UNION ALL .* ORDER BY ts DESC, request_id DESC LIMIT \?4$/);
  });

  it('maps the status classes to ranges', () => {
    const range = (status: RequestFilters['status']) =>
      pageStatement({ ...base, status }, { kind: 'scan' }, undefined, 1).params.slice(2, 4);
    expect(range('2xx')).toEqual([200, 300]);
    expect(range('4xx')).toEqual([400, 500]);
    expect(range('5xx')).toEqual([500, 600]);
    expect(range('error')).toEqual([400, 1000]);
  });
});

describe('pathsStatement', () => {
  it('asks for one more path than the per-path plan takes', () => {
    expect(pathsStatement('/a/', '2026-10-01', '2026-10-02').params).toEqual([
      '/a/',
      '/a0',
      '2026-10-01',
      '2026-10-02',
      MAX_PATH_BRANCHES + 1,
    ]);
  });
});
