// Policies the integration tests load. Upstream secrets here are fake values for the fake provider.
import type { PolicyFileInput } from '../../src/policy/file-schema';

export function basePolicy(fakeUrl: string, extra: Partial<PolicyFileInput> = {}): PolicyFileInput {
  return {
    version: 1,
    accounts: [
      {
        id: 'org',
        name: 'Org',
        timezone: 'UTC',
        policy: {
          allow_models: ['mock-*', 'fake-*'],
          model_mapper: { 'gpt-4o-mini': 'fake-small' },
          level_mapper: { 'mock-*': 1, 'fake-*': 2 },
        },
      },
      { id: 'team', parent: 'org', name: 'Team', policy: {} },
      { id: 'intern', parent: 'team', name: 'Intern', policy: { allow_models: ['mock-*'] } },
    ],
    levels: [
      { id: 1, name: 'mock', keys: [{ id: 'mock-1', provider: 'mock' }] },
      {
        id: 2,
        name: 'fake openai-compatible',
        retries: 2,
        keys: [
          { id: 'fake-a', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'FAKE_A' },
          { id: 'fake-b', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'FAKE_B' },
        ],
      },
    ],
    gateway_keys: [
      { id: 'team-key', account: 'team', name: 'team', key_env: 'TEAM_KEY' },
      { id: 'intern-key', account: 'intern', name: 'intern', key_env: 'INTERN_KEY' },
    ],
    prices: [
      { model: 'mock-small', input: '1', output: '2' },
      { model: 'fake-small', input: '2.50', output: '10', cached_read: '1.25' },
    ],
    ...extra,
  };
}

export const upstreamKeys = { 'fake-a': 'fake-ok', 'fake-b': 'fake-ok' };
