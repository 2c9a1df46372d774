import { describe, expect, it } from 'vitest';
import { explainEffective } from './explain';
import type { AccountState, GatewayState } from './plan';
import { nextState, planRefusals, planRemovals } from './prune';

const account = (id: string, parentId: string | null, policy: AccountState['policy']): AccountState => ({
  id,
  parentId,
  name: id,
  kind: 'team',
  status: 'active',
  level: null,
  timezone: null,
  policy,
});
const state = (accounts: AccountState[], extra: Partial<GatewayState> = {}): GatewayState => ({
  accounts,
  levels: [],
  upstreamKeys: [],
  gatewayKeys: [],
  prices: [],
  ...extra,
});
const key = {
  id: 'ci-key',
  accountId: 'eng',
  name: 'CI',
  hash: 'h',
  prefix: 'p',
  expiresAt: null,
  policy: null,
};

describe('explainEffective', () => {
  it('reports inherited limit and model changes on untouched accounts and keys', () => {
    const root = account('corp', null, { allow_models: ['gpt-4o*'], limits: { rpm: 600 } });
    const before = state(
      [root, account('eng', 'corp', { limits: { rpm: 120 } }), account('alice', 'eng', {})],
      {
        gatewayKeys: [key],
        prices: [],
      },
    );
    const after = state(
      [
        root,
        account('eng', 'corp', { allow_models: ['gpt-4o-mini'], limits: { rpm: 60 } }),
        account('alice', 'eng', {}),
      ],
      { gatewayKeys: [key] },
    );
    const texts = explainEffective(before, after).map((e) => e.text);
    expect(texts).toContain('alice: rpm 120 → 60 (from eng)');
    expect(texts).toContain('ci-key: rpm 120 → 60 (from eng)');
    expect(texts).not.toContain('corp: rpm 600 → 600 (from corp)');
  });
});

describe('prune', () => {
  it('deletes children before parents, and only file-made gateway keys', () => {
    const current = state([account('corp', null, {}), account('a', 'corp', {}), account('b', 'a', {})], {
      gatewayKeys: [key, { ...key, id: 'key_api', accountId: 'corp' }],
    });
    const desired = state([account('corp', null, {})]);
    const removals = planRemovals(current, desired, new Set(['ci-key']));
    expect(removals).toEqual([
      { entity: 'gateway_key', id: 'ci-key' },
      { entity: 'account', id: 'b' },
      { entity: 'account', id: 'a' },
    ]);
    expect(nextState(current, desired, removals).gatewayKeys.map((k) => k.id)).toEqual(['key_api']);
  });

  it('refuses a listed layer wider than its parent, naming the field and layer', () => {
    const next = state([
      account('corp', null, { limits: { rpm: 10 } }),
      account('eng', 'corp', { limits: { rpm: 50 } }),
    ]);
    const refusals = planRefusals(next, next, new Map([['account:eng', 'accounts[1]']]));
    expect(refusals).toEqual([
      {
        kind: 'widening',
        path: 'accounts[1].policy.limits.rpm',
        message: "widens account:corp's policy: 50 is above the limit of 10 set on account:corp.",
      },
    ]);
  });
});
