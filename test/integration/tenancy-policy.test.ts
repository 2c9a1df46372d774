// Inherited policy through the admin API (inherited policy): a write that would widen a child beyond its
// parent
// is refused with 422 naming the field — for account policies, account creation and key
// policies — and the effective policy shows each value with the layer that set it.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { errorOf, ok, root, treePolicy } from './tenancy-helpers';

beforeAll(async () => {
  const policy = treePolicy();
  const [a] = policy.accounts;
  if (a) {
    a.policy = {
      ...a.policy,
      model_limits: { 'mock-*': { rpm: 500 } },
      resources: ['/v1/*'],
      ip_allow: ['10.0.0.0/8', '2001:db8::/32'],
    };
  }
  await applyPolicy(policy);
});

const put = (account: string, policy: unknown) =>
  root.send(`/admin/v1/accounts/${account}/policy`, { method: 'PUT', json: policy });

describe('widening is refused with 422 naming the field', () => {
  it.each([
    ['allow_models', { allow_models: ['gpt-4o'] }],
    ['allow_models', { allow_models: ['*'] }],
    ['model_mapper.smart', { model_mapper: { smart: 'gpt-4o' } }],
    ['limits.rpm', { limits: { rpm: 1001 } }],
    ['limits.tpm', { limits: { tpm: 1_000_001 } }],
    ['limits.daily_budget', { limits: { daily_budget: '100.01' } }],
    ['model_limits.mock-small.rpm', { model_limits: { 'mock-small': { rpm: 501 } } }],
    ['resources', { resources: ['/v2/*'] }],
    ['ip_allow', { ip_allow: ['192.168.0.0/16'] }],
    ['ip_allow', { ip_allow: ['10.0.0.0/7'] }],
    ['ip_allow', { ip_allow: ['2001:db8::/31'] }],
  ])('policy.%s', async (field, policy) => {
    const err = await errorOf(put('b', policy));
    expect(err).toMatchObject({ status: 422, code: 'policy_widening', param: `policy.${field}` });
    expect(err.message).toContain(`policy.${field}`);
  });

  it('measures a grandchild against the effective policy of the whole chain', async () => {
    await ok(put('b', { allow_models: ['mock-small'], limits: { rpm: 100 } }));
    expect(await errorOf(put('d', { allow_models: ['mock-large'] }))).toMatchObject({
      status: 422,
      param: 'policy.allow_models',
    });
    expect(await errorOf(put('d', { limits: { rpm: 101 } }))).toMatchObject({
      status: 422,
      param: 'policy.limits.rpm',
    });
    await ok(put('d', { allow_models: ['mock-small'], limits: { rpm: 50 }, ip_allow: ['10.1.0.0/16'] }));
  });

  it('applies to new accounts and to key policies', async () => {
    const create = await errorOf(
      root.send('/admin/v1/accounts', {
        method: 'POST',
        json: { parent_id: 'b', name: 'x', policy: { limits: { rpm: 5000 } } },
      }),
    );
    expect(create).toMatchObject({ status: 422, param: 'policy.limits.rpm' });
    const key = await errorOf(
      root.send('/admin/v1/accounts/d/keys', {
        method: 'POST',
        json: { name: 'k', policy: { allow_models: ['mock-*'] } },
      }),
    );
    expect(key).toMatchObject({ status: 422, param: 'policy.allow_models' });
    await ok(
      root.send('/admin/v1/accounts/d/keys', {
        method: 'POST',
        json: { name: 'k', policy: { limits: { rpm: 10 } } },
      }),
      201,
    );
  });

  it('refuses malformed CIDRs and unknown levels with 400', async () => {
    expect(await errorOf(put('c', { ip_allow: ['10.0.0.0/99'] }))).toMatchObject({
      status: 400,
      param: 'policy.ip_allow.0',
    });
    expect(await errorOf(put('c', { level_mapper: { 'mock-*': 7 } }))).toMatchObject({
      status: 400,
      code: 'unknown_level',
    });
    expect(await errorOf(put('c', { limits: { rpm: -1 } }))).toMatchObject({
      status: 400,
      param: 'limits.rpm',
    });
  });

  it('stores what it accepted and audits before and after', async () => {
    const stored = await ok<{ policy: unknown }>(root.send('/admin/v1/accounts/d/policy'));
    expect(stored.policy).toEqual({
      allow_models: ['mock-small'],
      limits: { rpm: 50 },
      ip_allow: ['10.1.0.0/16'],
    });
    const audit = await ok<{
      data: { action: string; target_id: string; before: unknown; after: unknown }[];
    }>(root.send('/admin/v1/audit?account=d'));
    const entry = audit.data.find((r) => r.action === 'account.policy.update');
    expect(entry).toMatchObject({ target_id: 'd', before: {}, after: stored.policy });
  });
});

describe('effective policy', () => {
  it('shows each field with the account that set it', async () => {
    const view = await ok<{
      limits: Record<string, { value: unknown; source: string }>;
      model_mapper: Record<string, { value: string; source: string }>;
      allow_models: { source: string; patterns: string[] }[];
      ip_allow: { source: string }[];
      level: { value: number; source: string };
    }>(root.send('/admin/v1/accounts/d/effective-policy'));
    expect(view.limits['rpm']).toEqual({ value: 50, source: 'account:d' });
    expect(view.limits['tpm']).toEqual({ value: 1_000_000, source: 'account:a' });
    expect(view.limits['daily_budget']).toEqual({ value: '100', source: 'account:a' });
    expect(view.model_mapper['fast']).toEqual({ value: 'mock-small', source: 'account:a' });
    expect(view.allow_models.map((l) => l.source)).toEqual(['account:a', 'account:b', 'account:d']);
    expect(view.ip_allow.map((l) => l.source)).toEqual(['account:a', 'account:d']);
    expect(view.level).toEqual({ value: 1, source: 'account:a' });
  });

  it('adds the key layer for a key', async () => {
    const keys = await ok<{ data: { id: string; policy: unknown }[] }>(
      root.send('/admin/v1/accounts/d/keys'),
    );
    const key = keys.data.find((k) => k.policy !== null);
    const view = await ok<{ limits: Record<string, { value: unknown; source: string }> }>(
      root.send(`/admin/v1/keys/${key?.id}/effective-policy`),
    );
    expect(view.limits['rpm']).toEqual({ value: 10, source: `key:${key?.id}` });
  });
});
