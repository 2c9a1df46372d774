import { describe, expect, it } from 'vitest';
import { type PolicyLayer, resolveEffectivePolicy } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { findWidening, globWithin, invalidPolicyValues } from './widening';

const root: Policy = {
  allow_models: ['gpt-4o*', 'mock-*', 'claude-3-5-sonnet'],
  limits: {
    rpm: 100,
    tpm: 10_000,
    rpd: 1000,
    tpd: 100_000,
    daily_budget: '10',
    monthly_budget: '200',
    concurrency: 5,
  },
  model_limits: { 'gpt-4o*': { rpm: 50, tpm: 5000 } },
  resources: ['/v1/chat/*', '/v1/embeddings'],
  ip_allow: ['10.0.0.0/8', '2001:db8::/32'],
};
const team: Policy = { allow_models: ['gpt-4o-mini', 'mock-*'], limits: { rpm: 60 } };
const layers: PolicyLayer[] = [
  { source: 'account:root', policy: root },
  { source: 'account:team', policy: team },
];
const parent = resolveEffectivePolicy(layers);

const fields = (child: Policy) => findWidening(parent, child).map((w) => w.field);

describe('globWithin', () => {
  it.each([
    ['gpt-4o', 'gpt-4o*', true],
    ['gpt-4o-mini*', 'gpt-4o*', true],
    ['gpt-4o*', 'gpt-4o*', true],
    ['gpt-4*', 'gpt-4o*', false],
    ['*', 'gpt-*', false],
    ['x', '*', true],
    ['a*z', '*z', true],
    ['a*y', '*z', false],
    ['openai/gpt-4o', 'openai/*', true],
    ['gpt-?o', 'gpt-*', true],
    ['gpt-4o', 'gpt-4?', true],
    ['gpt-4oo', 'gpt-4?', false],
    ['gpt-4o*', 'gpt-?o*', false], // undecided containment is refused
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(globWithin(inner, outer)).toBe(expected);
  });
});

describe('findWidening, field by field', () => {
  it('accepts a narrower or equal child, and an empty one', () => {
    expect(
      findWidening(parent, {
        allow_models: ['gpt-4o-mini'],
        model_mapper: { fast: 'gpt-4o-mini' },
        limits: { rpm: 60, tpm: 10_000, daily_budget: '9.5', concurrency: 1 },
        model_limits: { 'gpt-4o-mini': { rpm: 10 } },
        resources: ['/v1/chat/completions'],
        ip_allow: ['10.1.0.0/16', '2001:db8:1::/48', '10.9.9.9'],
      }),
    ).toEqual([]);
    expect(findWidening(parent, {})).toEqual([]);
  });

  it('allow_models: a model or glob outside any ancestor allowlist', () => {
    expect(fields({ allow_models: ['gpt-4o'] })).toEqual(['allow_models']); // root allows it, team does not
    expect(fields({ allow_models: ['*'] })).toEqual(['allow_models']);
    const [w] = findWidening(parent, { allow_models: ['claude-3-5-sonnet'] });
    expect(w?.message).toContain('account:team');
  });

  it('model_mapper: a target the parent does not allow, named by alias', () => {
    expect(fields({ model_mapper: { smart: 'gpt-4o', fast: 'mock-1' } })).toEqual(['model_mapper.smart']);
  });

  it.each([
    ['rpm', 61],
    ['tpm', 10_001],
    ['rpd', 1001],
    ['tpd', 100_001],
    ['concurrency', 6],
    ['daily_budget', '10.000001'],
    ['monthly_budget', '201'],
  ] as const)('limits.%s above the effective limit', (name, value) => {
    const [w] = findWidening(parent, { limits: { [name]: value } });
    expect(w?.field).toBe(`limits.${name}`);
    expect(w?.message).toContain(name === 'rpm' ? 'account:team' : 'account:root');
  });

  it('model_limits: above a covering ancestor entry or the overall limit', () => {
    expect(fields({ model_limits: { 'gpt-4o-mini': { rpm: 51 } } })).toEqual([
      'model_limits.gpt-4o-mini.rpm',
    ]);
    expect(fields({ model_limits: { 'gpt-4o-mini': { tpm: 5001 } } })).toEqual([
      'model_limits.gpt-4o-mini.tpm',
    ]);
    expect(fields({ model_limits: { 'mock-a': { rpm: 61 } } })).toEqual(['model_limits.mock-a.rpm']);
  });

  it('resources: a path pattern outside the allowlist', () => {
    expect(fields({ resources: ['/v1/*'] })).toEqual(['resources']);
    expect(fields({ resources: ['/v1/chat/completions', '/v1/images/generations'] })).toEqual(['resources']);
  });

  it('ip_allow: a range not inside an allowed range (v4 and v6)', () => {
    expect(fields({ ip_allow: ['10.0.0.0/7'] })).toEqual(['ip_allow']);
    expect(fields({ ip_allow: ['192.168.0.1'] })).toEqual(['ip_allow']);
    expect(fields({ ip_allow: ['2001:db8::/31'] })).toEqual(['ip_allow']);
    expect(fields({ ip_allow: ['::ffff:0:0/96'] })).toEqual(['ip_allow']);
  });

  it('reports every widening at once', () => {
    expect(fields({ allow_models: ['*'], limits: { rpm: 1000 }, ip_allow: ['0.0.0.0/0'] })).toEqual([
      'allow_models',
      'limits.rpm',
      'ip_allow',
    ]);
  });

  it('a child of an unrestricted parent may set anything', () => {
    const open = resolveEffectivePolicy([{ source: 'account:root', policy: {} }]);
    expect(
      findWidening(open, { allow_models: ['*'], limits: { rpm: 1e6 }, ip_allow: ['0.0.0.0/0'] }),
    ).toEqual([]);
  });
});

describe('invalidPolicyValues', () => {
  it('names malformed CIDRs by index', () => {
    expect(
      invalidPolicyValues({ ip_allow: ['10.0.0.0/8', '10.0.0.0/33', 'nope', '10.1'] }).map((w) => w.field),
    ).toEqual(['ip_allow.1', 'ip_allow.2', 'ip_allow.3']);
  });
});

describe('money and anomaly fields', () => {
  const strict = resolveEffectivePolicy([
    { source: 'account:root', policy: { prepaid: true, anomaly: { action: 'cap', daily_budget: '5' } } },
    { source: 'account:dept', policy: {} },
  ]);
  const of = (child: Policy) => findWidening(strict, child).map((w) => w.field);

  it('keeps a prepaid subtree prepaid and anomaly actions no milder than the parent', () => {
    expect(of({ prepaid: false })).toEqual(['prepaid']);
    expect(of({ prepaid: true, wallet: 'inherit' })).toEqual([]);
    expect(of({ anomaly: { action: 'alert' } })).toEqual(['anomaly.action']);
    expect(of({ anomaly: { action: 'suspend' } })).toEqual([]);
    // Without a prepaid or anomaly setting above, a child chooses freely.
    expect(fields({ prepaid: false, anomaly: { action: 'alert' } })).toEqual([]);
  });
});
