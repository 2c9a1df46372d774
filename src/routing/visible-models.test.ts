import { describe, expect, it } from 'vitest';
import { resolveEffectivePolicy } from '../policy/effective';
import type { LevelConfig } from '../state/config';
import { ModelRouteCache } from './resolve-model';
import { visibleModels } from './visible-models';

const level = (id: number, keys: number): [number, LevelConfig] => [
  id,
  {
    id,
    name: `l${id}`,
    retries: 0,
    timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
    keys: Array.from({ length: keys }, (_, i) => ({
      id: `k${id}-${i}`,
      provider: 'mock' as const,
      baseUrl: null,
      options: {},
      weight: 1,
      secret: async () => '',
    })),
  },
];

describe('visibleModels', () => {
  it('lists exact names the policy mentions that resolve for the key and reach a level with keys', () => {
    const policy = resolveEffectivePolicy([
      {
        source: 'account:root',
        policy: {
          allow_models: ['gpt-*', 'claude-sonnet', 'mock-*'],
          model_mapper: { fast: 'gpt-mini', 'old-*': 'gpt-old', blocked: 'llama' },
          level_mapper: { 'gpt-*': 1, 'claude-sonnet': 2, 'mock-only': 3 },
        },
      },
      { source: 'key:k', policy: { allow_models: ['gpt-*', 'claude-*', 'mock-only'] } },
    ]);
    const auth = { policy, routes: new ModelRouteCache(policy, null) };
    const levels = new Map([level(1, 1), level(2, 0), level(3, 2)]);
    // fast → gpt-mini (allowed, level 1); claude-sonnet's level has no key; blocked → llama is not
    // allowed; globs (gpt-*, old-*) cannot be listed; mock-only is allowed by both layers.
    expect(visibleModels(auth, { levels })).toEqual(['fast', 'gpt-mini', 'gpt-old', 'mock-only']);
  });
});
