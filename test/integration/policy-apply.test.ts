// Policy as code: applying is idempotent, every write is audited, and upstream secrets exist in D1
// only as ciphertext.
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { basePolicy } from './fixtures';
import { applyPolicy, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const secretA = 'fake-upstream-secret-value-aaaa-1111';
const secretB = 'fake-upstream-secret-value-bbbb-2222';

async function dumpDatabase(): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'",
  ).all<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    parts.push(JSON.stringify({ name, results }));
  }
  return parts.join('\n');
}

describe('policy apply', () => {
  const keys = { 'team-key': newKey(), 'intern-key': newKey() };

  it('plans, applies, and then finds nothing to change', async () => {
    const policy = basePolicy(fakeUrl);
    const upstreamKeys = { 'fake-a': secretA, 'fake-b': secretB };
    const plan = await applyPolicy(policy, { gatewayKeys: keys, upstreamKeys, dryRun: true });
    expect(plan.applied).toBe(false);
    expect(plan.changes.length).toBeGreaterThan(0);

    const first = await applyPolicy(policy, { gatewayKeys: keys, upstreamKeys });
    expect(first.applied).toBe(true);
    const again = await applyPolicy(policy, { gatewayKeys: keys, upstreamKeys });
    expect(again).toMatchObject({ changes: [], applied: false });

    const rotated = await applyPolicy(policy, {
      gatewayKeys: keys,
      upstreamKeys: { ...upstreamKeys, 'fake-b': `${secretB}-rotated` },
    });
    expect(rotated.changes).toEqual([
      { entity: 'upstream_key', id: 'fake-b', op: 'update', fields: ['fingerprint'] },
    ]);
  });

  it('keeps upstream secrets out of D1 in clear text, and audits each change', async () => {
    const dump = await dumpDatabase();
    for (const secret of [secretA, secretB, `${secretB}-rotated`]) expect(dump).not.toContain(secret);
    for (const key of Object.values(keys)) expect(dump).not.toContain(key);
    const row = await env.DB.prepare(
      "SELECT ciphertext, kek_id, last4 FROM upstream_keys WHERE id = 'fake-b'",
    ).first<{ ciphertext: string; kek_id: string; last4: string }>();
    expect(row?.ciphertext).toMatch(/^v1\./);
    expect(row).toMatchObject({ kek_id: 'test-1', last4: 'ated' });
    const audit = await env.DB.prepare(
      "SELECT action, target_type, after FROM audit_log WHERE target_id = 'fake-b' ORDER BY ts",
    ).all<{ action: string; after: string }>();
    expect(audit.results.map((r) => r.action)).toContain('policy.apply.update');
    expect(audit.results.every((r) => !r.after.includes('secret-value'))).toBe(true);
  });
});
