import { describe, expect, it } from 'vitest';
import { quotaStatus } from './quota';

describe("today's quota status", () => {
  const usage = [
    { accountPath: '/org/', today: true, requests: 5, tokens: 50, cost: 500 },
    { accountPath: '/org/team/', today: true, requests: 2, tokens: 20, cost: 200 },
    { accountPath: '/org/team/', today: false, requests: 9, tokens: 90, cost: 900 },
  ];
  const credit = {
    allowance: { total: 0, used: 0 },
    addon: { total: 1_000, used: 1_250 },
    cards: 0,
    balance: 7,
  };

  it('hides the usage behind limits above the caller, and caps remaining at zero', () => {
    const rows = quotaStatus(
      'team',
      [
        { id: 'org', path: '/org/', limits: { rpd: 100 }, visible: false },
        { id: 'team', path: '/org/team/', limits: { monthlyBudget: 1_000 }, visible: true },
      ],
      usage,
      credit,
    );
    expect(rows).toEqual([
      {
        item: 'rpd',
        account_id: 'org',
        unit: 'requests',
        limit: 100,
        used: null,
        remaining: null,
        percent: null,
      },
      {
        item: 'monthly_budget',
        account_id: 'team',
        unit: 'micros',
        limit: 1_000,
        used: 1_100,
        remaining: 0,
        percent: 110,
      },
      {
        item: 'addon',
        account_id: 'team',
        unit: 'micros',
        limit: 1_000,
        used: 1_250,
        remaining: 0,
        percent: 125,
      },
      {
        item: 'cards',
        account_id: 'team',
        unit: 'micros',
        limit: null,
        used: null,
        remaining: 0,
        percent: null,
      },
      {
        item: 'balance',
        account_id: 'team',
        unit: 'micros',
        limit: null,
        used: null,
        remaining: 7,
        percent: null,
      },
    ]);
  });
});
