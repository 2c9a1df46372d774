import { describe, expect, it } from 'vitest';
import { policyFileSchema } from './file-schema';
import { desiredState, type GatewayState, PlanError, planChanges } from './plan';
import { fromMicros, toMicros } from './schema';

const file = policyFileSchema.parse({
  version: 1,
  accounts: [
    { id: 'team', parent: 'org', name: 'Team' },
    { id: 'org', name: 'Org', timezone: 'Europe/Paris', policy: { limits: { rpm: 10 } } },
  ],
  levels: [{ id: 1, name: 'L1', keys: [{ id: 'k1', provider: 'openai', key_env: 'OPENAI_KEY' }] }],
  gateway_keys: [{ id: 'g1', account: 'team', name: 'CI', key_env: 'GW_KEY' }],
  prices: [{ model: 'gpt-4o', input: '2.50', output: '10' }],
});
const secrets = {
  upstreamFingerprints: { k1: 'fp1' },
  gatewayKeys: { g1: { hash: 'a'.repeat(64), prefix: 'sy_abc' } },
};
const empty: GatewayState = { accounts: [], levels: [], upstreamKeys: [], gatewayKeys: [], prices: [] };

describe('policy plan', () => {
  it('creates everything on an empty gateway, parents first', () => {
    const changes = planChanges(empty, desiredState(file, secrets));
    expect(changes.filter((c) => c.entity === 'account').map((c) => c.id)).toEqual(['org', 'team']);
    expect(changes.every((c) => c.op === 'create')).toBe(true);
    expect(changes).toHaveLength(6);
  });

  it('is empty when the gateway already matches (idempotence)', () => {
    const desired = desiredState(file, secrets);
    expect(planChanges(desired, desiredState(file, secrets))).toEqual([]);
  });

  it('names the fields that changed, and a changed secret only by its fingerprint', () => {
    const current = desiredState(file, secrets);
    const changed = desiredState(file, { ...secrets, upstreamFingerprints: { k1: 'fp2' } });
    expect(planChanges(current, changed)).toEqual([
      { entity: 'upstream_key', id: 'k1', op: 'update', fields: ['fingerprint'] },
    ]);
  });

  it('refuses moves, a different root, and unresolved secrets', () => {
    const current = desiredState(file, secrets);
    const moved = {
      ...current,
      accounts: current.accounts.map((a) => (a.id === 'team' ? { ...a, parentId: 'other' } : a)),
    };
    expect(() => planChanges(moved, current)).toThrow(PlanError);
    const otherRoot = {
      ...empty,
      accounts: [{ ...(current.accounts[0] as GatewayState['accounts'][0]), id: 'x', parentId: null }],
    };
    expect(() => planChanges(otherRoot, current)).toThrow(/root account is "x"/);
    expect(() => desiredState(file, { ...secrets, upstreamFingerprints: {} })).toThrow(/key_env OPENAI_KEY/);
  });

  it('rejects an unknown time zone', () => {
    const bad = policyFileSchema.parse({
      version: 1,
      accounts: [{ id: 'org', name: 'Org', timezone: 'Mars/Base' }],
    });
    expect(() => desiredState(bad, secrets)).toThrow(/unknown time zone/);
  });
});

describe('policy file schema', () => {
  it('refuses inline secrets for real providers and a missing base_url', () => {
    const r = policyFileSchema.safeParse({
      version: 1,
      accounts: [{ id: 'org', name: 'Org' }],
      levels: [
        {
          id: 1,
          name: 'L',
          keys: [
            { id: 'k', provider: 'openai', key: 'secret' },
            { id: 'c', provider: 'openai-compatible', key_env: 'X' },
          ],
        },
      ],
    });
    expect(r.success).toBe(false);
    const messages = r.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toContain('inline keys are only allowed for the mock provider; use key_env');
    expect(messages).toContain('base_url is required for openai-compatible');
  });

  it('requires exactly one root and known parents and levels', () => {
    const r = policyFileSchema.safeParse({
      version: 1,
      accounts: [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
        { id: 'c', parent: 'zz', name: 'C', policy: { level_mapper: { '*': 9 } } },
      ],
    });
    const messages = r.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        'exactly one account (the root) must have no parent',
        'unknown parent "zz"',
        'unknown level 9',
      ]),
    );
  });

  it('converts decimal money to micro-units exactly', () => {
    expect(toMicros('0.1')).toBe(100_000);
    expect(toMicros('12.345678')).toBe(12_345_678);
    expect(toMicros('3')).toBe(3_000_000);
    expect(fromMicros(12_500_000)).toBe('12.5');
    expect(fromMicros(1)).toBe('0.000001');
  });
});
