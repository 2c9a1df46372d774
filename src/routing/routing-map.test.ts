import { describe, expect, test } from 'vitest';
import { resolveEffectivePolicy } from '../policy/effective';
import { candidateModels, routingMap } from './routing-map';

const policy = resolveEffectivePolicy([
  {
    source: 'account:acme',
    policy: {
      allow_models: ['mock-*', 'gpt-4o'],
      model_mapper: { 'gpt-4o': 'mock-large' },
      level_mapper: { 'mock-*': 1, 'mock-large': 2 },
      switch_over: { '2': 1, '1': 3 },
    },
  },
  { source: 'account:marketing', policy: { allow_models: ['mock-small', 'gpt-4o'] } },
]);

describe('routingMap', () => {
  test('names the mapped model, the level, the switch-over chain and who decided', () => {
    const models = candidateModels(policy, ['mock-small', 'unpriced-x']);
    expect(models).toEqual(['gpt-4o', 'mock-large', 'mock-small', 'unpriced-x']);
    expect(routingMap(policy, 9, models)).toEqual([
      // Allowlists apply to the mapped name: marketing allows gpt-4o, not what it maps to.
      {
        requested: 'gpt-4o',
        model: 'mock-large',
        level: null,
        switchOver: [],
        mappedBy: 'account:acme',
        levelBy: 'account:acme',
        refused: 'model_not_allowed',
      },
      {
        requested: 'mock-large',
        model: 'mock-large',
        level: null,
        switchOver: [],
        mappedBy: null,
        levelBy: 'account:acme',
        refused: 'model_not_allowed',
      },
      {
        requested: 'mock-small',
        model: 'mock-small',
        level: 1,
        switchOver: [3],
        mappedBy: null,
        levelBy: 'account:acme',
        refused: null,
      },
      {
        requested: 'unpriced-x',
        model: 'unpriced-x',
        level: null,
        switchOver: [],
        mappedBy: null,
        levelBy: null,
        refused: 'model_not_allowed',
      },
    ]);
  });

  test('from the root: mapped, a level_mapper entry and its whole switch-over chain', () => {
    const root = resolveEffectivePolicy(policy.layers.slice(0, 1));
    expect(routingMap(root, null, ['gpt-4o'])).toEqual([
      {
        requested: 'gpt-4o',
        model: 'mock-large',
        level: 2,
        switchOver: [1, 3],
        mappedBy: 'account:acme',
        levelBy: 'account:acme',
        refused: null,
      },
    ]);
  });

  test('the default level when no level_mapper entry matches; refused when there is none', () => {
    const open = resolveEffectivePolicy([{ source: 'account:r', policy: {} }]);
    expect(routingMap(open, 4, ['x'])[0]).toMatchObject({ level: 4, levelBy: null, refused: null });
    expect(routingMap(open, null, ['x'])[0]).toMatchObject({ level: null, refused: 'model_not_routed' });
  });
});
