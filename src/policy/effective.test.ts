import { describe, expect, it } from 'vitest';
import { resolveModel, switchOverChain } from '../routing/resolve-model';
import { type PolicyLayer, resolveEffectivePolicy } from './effective';
import { globMatch, lookupGlob } from './glob';

const layers: PolicyLayer[] = [
  {
    source: 'account:root',
    policy: {
      allow_models: ['gpt-*', 'mock-*', 'openai/*'],
      model_mapper: { 'gpt-4': 'gpt-4o', 'claude-*': 'mock-large' },
      level_mapper: { 'gpt-*': 2, 'mock-*': 1 },
      switch_over: { '2': 3, '3': 2 },
      limits: { rpm: 100, daily_budget: '25' },
    },
  },
  { source: 'account:team', policy: { allow_models: ['gpt-4o*', 'mock-*'], limits: { rpm: 20, tpm: 5000 } } },
  {
    source: 'key:k1',
    policy: { model_mapper: { 'gpt-4': 'mock-small' }, limits: { rpm: 50, daily_budget: '10.5' } },
  },
];

describe('effective policy', () => {
  const eff = resolveEffectivePolicy(layers);

  it('takes the minimum of every limit and remembers who set it', () => {
    expect(eff.limits.rpm).toEqual({ value: 20, source: 'account:team' });
    expect(eff.limits.tpm).toEqual({ value: 5000, source: 'account:team' });
    expect(eff.limits.daily_budget).toEqual({ value: 10_500_000, source: 'key:k1' });
  });

  it('maps with the nearest layer, then checks every allowlist', () => {
    expect(resolveModel(eff, 'gpt-4', null)).toMatchObject({ model: 'mock-small', level: 1 });
    expect(resolveModel(eff, 'claude-3-opus', null)).toMatchObject({ model: 'mock-large', level: 1 });
    expect(resolveModel(eff, 'gpt-4o-mini', null)).toMatchObject({
      model: 'gpt-4o-mini',
      level: 2,
      switchOver: [3],
    });
  });

  it('refuses a model any layer disallows, naming the mapping', () => {
    expect(() => resolveModel(eff, 'gpt-3.5-turbo', null)).toThrow(/not allowed/);
    expect(() => resolveModel(eff, 'openai/gpt-4o', null)).toThrow('"openai/gpt-4o"');
  });

  it('refuses an allowed model that no level serves', () => {
    const open = resolveEffectivePolicy([{ source: 'a', policy: {} }]);
    expect(() => resolveModel(open, 'anything', null)).toThrow(/No provider level/);
    expect(resolveModel(open, 'anything', 4).level).toBe(4);
  });

  it('follows switch_over and stops at cycles', () => {
    expect(switchOverChain(eff, 2)).toEqual([3]);
    expect(switchOverChain(eff, 1)).toEqual([]);
  });
});

describe('globs', () => {
  it('lets * cross slashes and ? match one character', () => {
    expect(globMatch('openai/*', 'openai/gpt-4o')).toBe(true);
    expect(globMatch('gpt-4?', 'gpt-4o')).toBe(true);
    expect(globMatch('gpt-4?', 'gpt-4o-mini')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });

  it('prefers exact keys over globs, then declared order', () => {
    expect(lookupGlob({ '*': 1, 'gpt-*': 2, 'gpt-4': 3 }, 'gpt-4')).toBe(3);
    expect(lookupGlob({ '*': 1, 'gpt-*': 2 }, 'gpt-5')).toBe(1);
  });
});
