import { describe, expect, it } from 'vitest';
import { resolveEffectivePolicy } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { effectivePolicyView } from './effective-view';
import { policyRefusals } from './policy-check';
import { diffViews, flattenView } from './policy-diff';
import { quotaUse } from './tree';

const view = (...policies: Policy[]) =>
  effectivePolicyView(
    resolveEffectivePolicy(policies.map((policy, i) => ({ source: `account:a${i}`, policy }))),
    null,
  );

describe('flattenView', () => {
  it('gives one entry per leaf with its origin; intersected lists name every layer', () => {
    const flat = flattenView(
      view(
        {
          allow_models: ['mock-*'],
          limits: { rpm: 100, daily_budget: '5' },
          model_mapper: { fast: 'mock-a' },
        },
        { allow_models: ['mock-a'], limits: { rpm: 50 }, model_limits: { 'mock-*': { tpm: 9 } } },
      ),
    );
    expect(Object.fromEntries(flat)).toEqual({
      allow_models: { value: 'mock-* ∧ mock-a', source: 'account:a0 ∧ account:a1' },
      'limits.rpm': { value: '50', source: 'account:a1' },
      'limits.daily_budget': { value: '5', source: 'account:a0' },
      'model_mapper.fast': { value: 'mock-a', source: 'account:a0' },
      'model_limits.mock-*.tpm': { value: '9', source: 'account:a1' },
    });
  });
});

describe('diffViews', () => {
  it('lists a field whose value or origin changes, and nothing else', () => {
    const root: Policy = { limits: { rpm: 100, tpm: 1000 } };
    const changes = diffViews(view(root, { limits: { tpm: 500 } }), view(root, { limits: { rpm: 10 } }));
    expect(changes).toEqual([
      {
        field: 'limits.rpm',
        before: { value: '100', source: 'account:a0' },
        after: { value: '10', source: 'account:a1' },
      },
      // tpm: back to the root's.
      {
        field: 'limits.tpm',
        before: { value: '500', source: 'account:a1' },
        after: { value: '1000', source: 'account:a0' },
      },
    ]);
    expect(diffViews(view(root), view(root))).toEqual([]);
  });
});

describe('policyRefusals', () => {
  it('names invalid values first, then widenings, as the API param names them', () => {
    const parent = resolveEffectivePolicy([{ source: 'account:a', policy: { limits: { rpm: 10 } } }]);
    expect(policyRefusals(parent, { ip_allow: ['nope'], limits: { rpm: 11 } })).toEqual([
      { kind: 'invalid', field: 'policy.ip_allow.0', message: '"nope" is not an IPv4 or IPv6 CIDR.' },
      {
        kind: 'widening',
        field: 'policy.limits.rpm',
        message: '11 is above the limit of 10 set on account:a.',
      },
    ]);
    expect(policyRefusals(parent, { limits: { rpm: 10 } })).toEqual([]);
  });
});

describe('quotaUse', () => {
  it("counts the node's subtree only, today for daily limits and the month for monthly ones", () => {
    const rows = [
      { path: '/r/a/', today: true, requests: 3, tokens: 30, cost: 300 },
      { path: '/r/a/x/', today: true, requests: 1, tokens: 10, cost: 100 },
      { path: '/r/a/', today: false, requests: 5, tokens: 50, cost: 500 },
      { path: '/r/ab/', today: true, requests: 7, tokens: 70, cost: 700 },
    ];
    const policy: Policy = { limits: { rpd: 8, daily_budget: '0.0004', monthly_budget: '0.001', rpm: 5 } };
    expect(quotaUse('/r/a/', policy, rows)).toEqual([
      { item: 'rpd', limit: 8, used: 4, percent: 50 },
      { item: 'daily_budget', limit: 400, used: 400, percent: 100 },
      { item: 'monthly_budget', limit: 1000, used: 900, percent: 90 },
    ]);
    expect(quotaUse('/r/a/', {}, rows)).toEqual([]);
  });
});
