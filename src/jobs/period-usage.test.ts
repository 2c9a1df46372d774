import { describe, expect, it } from 'vitest';
import { subtreeUsage } from '../usage/period-rollups';
import { jobAccounts, reachedThresholds, rollupCounters } from './period-usage';

const rows = [
  {
    id: 'root',
    path: '/root/',
    parentId: null,
    timezone: 'Asia/Tokyo',
    policy: { budget_alerts: [90, 50, 90] },
  },
  { id: 'team', path: '/root/team/', parentId: 'root', timezone: null, policy: { limits: { rpd: 10 } } },
  {
    id: 'alice',
    path: '/root/team/alice/',
    parentId: 'team',
    timezone: null,
    policy: { limits: { daily_budget: '2' }, budget_alerts: [75] },
  },
  { id: 'bob', path: '/root/team/bob/', parentId: 'team', timezone: null, policy: {} },
];

describe('scheduled job planning', () => {
  it('keeps accounts with period limits, with the nearest thresholds and the root’s time zone', () => {
    expect(jobAccounts(rows)).toEqual([
      {
        id: 'team',
        path: '/root/team/',
        rootId: 'root',
        timeZone: 'Asia/Tokyo',
        limits: { rpd: 10 },
        alertThresholds: [50, 90],
      },
      {
        id: 'alice',
        path: '/root/team/alice/',
        rootId: 'root',
        timeZone: 'Asia/Tokyo',
        limits: { dailyBudget: 2_000_000 },
        alertThresholds: [75],
      },
    ]);
  });

  it('sums a subtree’s day and month, and nothing outside it', () => {
    const usage = [
      { accountPath: '/root/team/', today: true, requests: 1, tokens: 10, cost: 100 },
      { accountPath: '/root/team/alice/', today: true, requests: 2, tokens: 20, cost: 200 },
      { accountPath: '/root/team/alice/', today: false, requests: 4, tokens: 40, cost: 400 },
      { accountPath: '/root/teamx/', today: true, requests: 8, tokens: 80, cost: 800 },
    ];
    const team = subtreeUsage('/root/team/', usage);
    expect(team).toEqual({
      day: { requests: 3, tokens: 30, cost: 300 },
      month: { requests: 7, tokens: 70, cost: 700 },
    });
    expect(rollupCounters({ rpd: 1, tpd: 1, monthlyBudget: 5 }, team)).toEqual({
      rpd: 3,
      tpd: 30,
      monthly_budget: 700,
    });
  });

  it('reports each reached threshold of each budget, in exact integer math', () => {
    const [, alice] = jobAccounts(rows);
    if (!alice) throw new Error('alice missing');
    const at = (cost: number) =>
      reachedThresholds(
        { ...alice, limits: { dailyBudget: 2_000_000, monthlyBudget: 4_000_000 }, alertThresholds: [50, 75] },
        { day: { requests: 0, tokens: 0, cost }, month: { requests: 0, tokens: 0, cost } },
        '2026-01-31',
      ).map((a) => `${a.period} ${a.threshold}`);
    expect(at(999_999)).toEqual([]);
    expect(at(1_000_000)).toEqual(['day:2026-01-31 50']);
    expect(at(3_000_000)).toEqual([
      'day:2026-01-31 50',
      'day:2026-01-31 75',
      'month:2026-01 50',
      'month:2026-01 75',
    ]);
  });
});
