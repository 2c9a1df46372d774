// Policy as code, the way back (policy as code): the running gateway exports as a policy file, secrets as
// key_env references only, and applying the export changes nothing.
import { describe, expect, inject, it } from 'vitest';
import type { PolicyFileInput } from '../../src/policy/file-schema';
import { basePolicy, upstreamKeys } from './fixtures';
import { ADMIN_TOKEN, applyPolicy, call, newKey } from './helpers';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('policy export', () => {
  it('round-trips: export → apply is no change, including accounts made through the API', async () => {
    await applyPolicy(basePolicy(inject('fakeProviderUrl')), {
      gatewayKeys: { 'team-key': newKey(), 'intern-key': newKey() },
      upstreamKeys,
    });
    const created = await call('/admin/v1/accounts', {
      method: 'POST',
      headers: admin,
      json: {
        id: 'ex-sales',
        parent_id: 'org',
        name: 'Sales',
        policy: { allow_models: ['mock-*'], limits: { rpm: 30 } },
      },
    });
    expect(created.status).toBe(201);

    const res = await call('/admin/v1/policy/export', { headers: admin });
    expect(res.status).toBe(200);
    const file = (await res.json()) as PolicyFileInput;
    expect(JSON.stringify(file)).not.toContain('fake-ok');
    expect(file.accounts.find((a) => a.id === 'ex-sales')).toMatchObject({
      parent: 'org',
      policy: { limits: { rpm: 30 } },
    });
    expect(file.levels?.find((l) => l.id === 2)?.keys?.map((k) => k.key_env)).toEqual(['FAKE_A', 'FAKE_B']);
    expect(file.prices?.find((p) => p.model === 'fake-small')).toMatchObject({
      input: '2.5',
      output: '10',
      cached_read: '1.25',
    });

    const again = await applyPolicy(file, { upstreamKeys });
    expect(again).toMatchObject({ changes: [], applied: false });
  });

  it('is for the root only', async () => {
    const res = await call('/admin/v1/policy/export');
    expect(res.status).toBe(401);
  });
});
