import { describe, expect, it } from 'vitest';
import {
  anomalies,
  billingBreakdown,
  dailyTrend,
  latencyByModel,
  modelDistribution,
  percentile,
  type RollupRow,
  stackedTrend,
  subAccountRanking,
  toCsv,
  totals,
} from './views';

// A seeded dataset: accounts under /org/, days, models, with deterministic pseudo-random numbers.
/** mulberry32: a small, well-distributed 32-bit PRNG, so the dataset is the same on every run. */
function lcg(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const accounts = [
  { id: 'org', path: '/org/' },
  { id: 'eng', path: '/org/eng/' },
  { id: 'alice', path: '/org/eng/alice/' },
  { id: 'ops', path: '/org/ops/' },
];
const models = ['gpt-4o', 'claude', 'gemini'];
const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-05'];

function dataset(): RollupRow[] {
  const rnd = lcg(42);
  const rows: RollupRow[] = [];
  for (const a of accounts)
    for (const day of days)
      for (const model of models) {
        if (rnd(4) === 0) continue;
        const prompt = 100 + rnd(1000);
        rows.push({
          accountId: a.id,
          accountPath: a.path,
          day,
          model,
          requests: 1 + rnd(20),
          errors: rnd(3),
          promptTokens: prompt,
          completionTokens: rnd(500),
          cachedReadTokens: rnd(prompt),
          cacheWriteTokens: rnd(50),
          reasoningTokens: rnd(30),
          images: rnd(2),
          webSearchCalls: rnd(2),
          costMicros: rnd(100_000),
        });
      }
  return rows;
}

const rows = dataset();
const sum = (xs: RollupRow[], f: (r: RollupRow) => number) => {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
};

describe('analytics views', () => {
  it('totals every class exactly', () => {
    const t = totals(rows);
    expect(t.requests).toBe(sum(rows, (r) => r.requests));
    expect(t.costMicros).toBe(sum(rows, (r) => r.costMicros));
    expect(t.cachedReadTokens).toBe(sum(rows, (r) => r.cachedReadTokens));
    expect(t.webSearchCalls).toBe(sum(rows, (r) => r.webSearchCalls));
  });

  it('distributes cost and calls by model, shares adding up to one', () => {
    const dist = modelDistribution(rows);
    expect(dist.map((d) => d.model).sort()).toEqual([...models].sort());
    for (const d of dist)
      expect(d.costMicros).toBe(
        sum(
          rows.filter((r) => r.model === d.model),
          (r) => r.costMicros,
        ),
      );
    expect(dist.reduce((a, d) => a + d.costShare, 0)).toBeCloseTo(1, 3);
    expect(dist[0]?.costMicros).toBeGreaterThanOrEqual(dist[1]?.costMicros ?? 0);
  });

  it('zero-fills the daily trend over the range', () => {
    const trend = dailyTrend(rows, '2026-10-31', '2026-11-05');
    expect(trend.map((t) => t.day)).toEqual([
      '2026-10-31',
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
    ]);
    expect(trend[0]?.requests).toBe(0);
    expect(trend[4]?.requests).toBe(0);
    expect(trend[1]?.requests).toBe(
      sum(
        rows.filter((r) => r.day === '2026-11-01'),
        (r) => r.requests,
      ),
    );
  });

  it('ranks direct children by their whole subtree, with share and dominant model', () => {
    const ranking = subAccountRanking(rows, '/org/');
    expect(ranking.map((r) => r.accountId).sort()).toEqual(['eng', 'ops']);
    const eng = ranking.find((r) => r.accountId === 'eng');
    const engRows = rows.filter((r) => r.accountPath.startsWith('/org/eng/'));
    expect(eng?.costMicros).toBe(sum(engRows, (r) => r.costMicros));
    const byModel = new Map<string, number>();
    for (const r of engRows) byModel.set(r.model, (byModel.get(r.model) ?? 0) + r.costMicros);
    expect(eng?.dominantModel).toBe([...byModel].sort((a, b) => b[1] - a[1])[0]?.[0]);
    expect(ranking.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 3);
  });

  it('breaks billing down per day with the cache share of input tokens', () => {
    const day = billingBreakdown(rows).find((b) => b.day === '2026-11-02');
    const dayRows = rows.filter((r) => r.day === '2026-11-02');
    const cached = sum(dayRows, (r) => r.cachedReadTokens);
    const prompt = sum(dayRows, (r) => r.promptTokens);
    expect(day).toMatchObject({ cachedReadTokens: cached, promptTokens: prompt });
    expect(day?.cacheShare).toBeCloseTo(cached / prompt, 4);
  });

  it('flags today far outside the trailing baseline, and not a quiet account', () => {
    const base: RollupRow[] = [];
    const row = (accountId: string, day: string, costMicros: number, requests = 10): RollupRow => ({
      ...(rows[0] as RollupRow),
      accountId,
      accountPath: `/org/${accountId}/`,
      day,
      model: 'm',
      requests,
      costMicros,
    });
    let d = '2026-11-01';
    for (let i = 0; i < 14; i++) {
      base.push(
        row('steady', d, 2_000_000 + (i % 2) * 100_000),
        row('spiky', d, 2_000_000 + (i % 2) * 100_000),
      );
      d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    }
    base.push(row('steady', d, 2_050_000), row('spiky', d, 40_000_000), row('new', d, 10, 1));
    const flags = anomalies(base, d);
    expect(flags.map((f) => `${f.accountId}:${f.metric}`)).toEqual(['spiky:costMicros']);
    expect(flags[0]?.zScore).toBeGreaterThan(3);
  });

  it('exports CSV with quoting', () => {
    expect(
      toCsv([
        { a: 'x,y', b: 'say "hi"', c: null },
        { a: 1, b: 2, c: 3 },
      ]),
    ).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n1,2,3\r\n');
    expect(toCsv([])).toBe('');
  });

  it('stacks cost and requests per day by model or by direct child, zero-filled, adding up to the trend', () => {
    const rows = dataset();
    const trend = dailyTrend(rows, '2026-11-01', '2026-11-05');
    for (const by of ['model', 'account'] as const) {
      const stacked = stackedTrend(rows, '2026-11-01', '2026-11-05', by, '/org/');
      const keys = [...new Set(stacked.map((r) => r.key))];
      expect(keys.sort()).toEqual(by === 'model' ? [...models].sort() : ['eng', 'ops', 'org']);
      expect(stacked).toHaveLength(5 * keys.length);
      for (const point of trend) {
        const day = stacked.filter((r) => r.day === point.day);
        expect(day.reduce((n, r) => n + r.costMicros, 0)).toBe(point.costMicros);
        expect(day.reduce((n, r) => n + r.requests, 0)).toBe(point.requests);
      }
    }
    // alice is inside eng: her usage stacks under eng, not under her own id.
    const eng = stackedTrend(rows, '2026-11-01', '2026-11-05', 'account', '/org/')
      .filter((r) => r.key === 'eng')
      .reduce((n, r) => n + r.costMicros, 0);
    const engRows = rows.filter((r) => r.accountPath.startsWith('/org/eng/'));
    expect(eng).toBe(engRows.reduce((n, r) => n + r.costMicros, 0));
    expect(
      stackedTrend(rows, '2026-11-04', '2026-11-04', 'model', '/org/').every((r) => r.requests === 0),
    ).toBe(true);
  });

  it('takes nearest-rank percentiles of latency and TTFT per model, with the error rate', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 95)).toBe(10);
    const samples = [
      ...ten.map((i) => ({ model: 'a', status: i === 3 ? 502 : 200, latencyMs: i * 100, ttftMs: i * 10 })),
      { model: 'b', status: 200, latencyMs: 40, ttftMs: null },
      { model: 'b', status: 429, latencyMs: 20, ttftMs: null },
    ];
    expect(latencyByModel(samples)).toEqual([
      {
        model: 'a',
        requests: 10,
        errorRate: 0.1,
        latencyP50: 500,
        latencyP95: 1000,
        ttftP50: 50,
        ttftP95: 100,
      },
      {
        model: 'b',
        requests: 2,
        errorRate: 0.5,
        latencyP50: 20,
        latencyP95: 40,
        ttftP50: null,
        ttftP95: null,
      },
    ]);
  });
});
