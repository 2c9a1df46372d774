// `switchyard policy …` as CI runs it: the command as a process against the gateway bundle on
// workerd. validate works offline and lists every problem; plan explains objects and effective
// policy and exits 2 on changes; apply converges; widening is refused naming the field and layer;
// --prune deletes exactly what the plan listed; secrets never appear in any output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { deletions, orgV1, orgV2, switchyard, workDir, writeFile } from './policy-cli';

let gw: RunningGateway;
const dir = workDir();
const secretValues = {
  VLLM_KEY: 'fake-vllm-secret-value-1111',
  CI_KEY: 'sy_fake_ci_key_for_the_cli_test_000000',
};
// Two of the secrets come from a dotenv file instead of the environment.
const secretsFile = writeFile(
  dir,
  'secrets.env',
  '# CI secrets\nSPARE_KEY="fake-spare-secret-value-2222"\nexport CONTRACTOR_KEY=sy_fake_contractor_key_0000000000\n',
);
const allSecrets = [
  ...Object.values(secretValues),
  'fake-spare-secret-value-2222',
  'sy_fake_contractor_key_0000000000',
];
const v1 = writeFile(dir, 'v1.yaml', orgV1);
const v2 = writeFile(dir, 'v2.yaml', orgV2);

const policy = async (args: string[]) => {
  const withSecrets = args[0] === 'plan' || args[0] === 'apply' ? ['--secrets-file', secretsFile] : [];
  const r = await switchyard(['policy', ...args, ...withSecrets], {
    SWITCHYARD_URL: gw.url,
    SWITCHYARD_ADMIN_TOKEN: gw.adminToken,
    ...secretValues,
  });
  for (const s of [...allSecrets, gw.adminToken]) expect(r.out + r.err).not.toContain(s);
  return r;
};

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

describe('switchyard policy validate (offline)', () => {
  it('lists every problem of a broken file at once, with its path and line', async () => {
    const broken = writeFile(
      dir,
      'broken.yaml',
      `version: 1
accounts:
  - id: corp
    name: Corp
    timezone: Mars/Base
    policy:
      allow_models: ["gpt-4o*"]
      limits: { rpm: 100 }
  - id: eng
    parent: corp
    name: Eng
    policy:
      allow_models: ["claude-*"]
      limits: { rpm: 500 }
  - id: Bad Id
    parent: corp
    name: x
  - id: ops
    parent: nowhere
    name: Ops
    policy:
      limits: { rpm: fast }
gateway_keys:
  - { id: ci-key, account: ghost, name: CI, key_env: CI_KEY }
`,
    );
    // No URL, no token, no secrets: validate needs no gateway.
    const r = await switchyard(['policy', 'validate', broken]);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n').filter((l) => l.startsWith(`${broken}:`) && /:\d+: /.test(l));
    const found = lines.map((l) => l.slice(broken.length + 1));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5: accounts\[0\]\.timezone: unknown time zone "Mars\/Base"/),
        expect.stringMatching(/^13: accounts\[1\]\.policy\.allow_models: widens account:corp's policy/),
        expect.stringMatching(/^14: accounts\[1\]\.policy\.limits\.rpm: widens account:corp's policy: 500/),
        expect.stringMatching(/^15: accounts\[2\]\.id: must be lowercase/),
        expect.stringMatching(/^19: accounts\[3\]\.parent: unknown parent "nowhere"/),
        expect.stringMatching(/^22: accounts\[3\]\.policy\.limits\.rpm: /),
        expect.stringMatching(/^24: gateway_keys\[0\]\.account: unknown account "ghost"/),
      ]),
    );
    expect(found).toHaveLength(7);
    expect(r.err).toContain('7 problem(s)');
  });

  it('accepts a valid file (exit 0)', async () => {
    const r = await switchyard(['policy', 'validate', v1, v2]);
    expect(r).toMatchObject({ code: 0, out: `${v1}: valid\n${v2}: valid\n` });
  });
});

describe('switchyard policy plan / apply', () => {
  it('plans the object diff with secrets as references only and exits 2, applies, then plans nothing (exit 0)', async () => {
    const plan = await policy(['plan', v1]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('Plan: 13 to create, 0 to change, 0 to delete.');
    expect(plan.out).toContain('+ account alice');
    expect(plan.out).toContain('+ upstream_key vllm (secret from $VLLM_KEY)');
    expect(plan.out).toContain('+ gateway_key contractor-key (secret from $CONTRACTOR_KEY)');

    const apply = await policy(['apply', v1]);
    expect(apply.code).toBe(0);
    expect(apply.out).toContain('Applied 13 change(s).');
    const again = await policy(['plan', v1]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.out).toContain('No changes: the gateway already matches the file.');
  });

  it('explains how the effective policy of inheriting accounts and keys changes', async () => {
    const plan = await policy(['plan', v2]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('Plan: 0 to create, 1 to change, 0 to delete.');
    expect(plan.out).toContain('~ account engineering');
    expect(plan.out).toContain('policy.limits.rpm: 120 → 60');
    expect(plan.out).toContain('policy.allow_models: (unset) → ["gpt-4o-mini"]');
    const effective = plan.out.slice(plan.out.indexOf('Effective policy:'));
    // Nobody edited alice or ci-key: they inherit engineering's change.
    expect(effective).toContain('alice: rpm 120 → 60 (from engineering)');
    expect(effective).toContain('alice: model gpt-4o no longer allowed (by engineering)');
    expect(effective).toContain('ci-key: rpm 120 → 60 (from engineering)');
    expect(effective).toContain('ci-key: model gpt-4o no longer allowed (by engineering)');
    expect(effective).not.toContain('marketing:');

    expect((await policy(['apply', v2])).code).toBe(0);
    expect((await policy(['plan', v2])).code).toBe(0);
  });

  it('refuses a widening plan before writing, naming the field and the layer', async () => {
    const wide = writeFile(
      dir,
      'wide.yaml',
      orgV2.replace('limits: { rpd: 1000 }', 'limits: { rpd: 1000, rpm: 500 }'),
    );
    for (const command of ['plan', 'apply']) {
      const r = await policy([command, wide]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        "accounts[2].policy.limits.rpm: widens account:engineering's policy: 500 is above the limit of 60 set on account:engineering.",
      );
    }
    expect((await policy(['plan', v2])).code).toBe(0);
  });

  it('export → apply changes nothing, and the export holds references, never secrets', async () => {
    const exported = await policy(['export', '--out', `${dir}/exported.yaml`]);
    expect(exported.code).toBe(0);
    const plan = await policy(['plan', `${dir}/exported.yaml`]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('No changes');
    const apply = await policy(['apply', `${dir}/exported.yaml`]);
    expect(apply.code).toBe(0);
    const text = (await switchyard(['policy', 'export', '--url', gw.url, '--token', gw.adminToken])).out;
    expect(text).toContain('key_env: VLLM_KEY');
    for (const s of allSecrets) expect(text).not.toContain(s);
  });
});

describe('switchyard policy --prune', () => {
  let apiKeyId: string;

  beforeAll(async () => {
    // A key made through the API on marketing: not the file's to delete.
    const res = await fetch(`${gw.url}/admin/v1/accounts/marketing/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made by hand' }),
    });
    expect(res.status).toBe(201);
    apiKeyId = ((await res.json()) as { id: string }).id;
  });

  const without = (text: string, ...cut: string[]) => cut.reduce((t, c) => t.replace(c, ''), text);
  const contractors = '  - id: contractors\n    parent: corp\n    name: Contractors\n';
  const level2 =
    '  - id: 2\n    name: spare\n    keys:\n      - { id: spare-1, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", key_env: SPARE_KEY }\n';
  const contractorKey =
    '  - { id: contractor-key, account: contractors, name: Contractors app, key_env: CONTRACTOR_KEY }\n';
  const miniPrice = '  - { model: gpt-4o-mini, input: "0.15", output: "0.60" }\n';

  it('refuses to orphan what the file does not manage', async () => {
    const noMarketing = writeFile(
      dir,
      'no-marketing.yaml',
      without(orgV2, '  - id: marketing\n    parent: corp\n    name: Marketing\n'),
    );
    const r = await policy(['plan', noMarketing, '--prune']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `gateway key "${apiKeyId}" (not managed by the file) belongs to account "marketing"`,
    );
  });

  it('lists without --prune what it would delete, deletes nothing, then deletes exactly the plan', async () => {
    const v3 = writeFile(dir, 'v3.yaml', without(orgV2, contractors, level2, contractorKey, miniPrice));
    const kept = await policy(['plan', v3]);
    expect(kept.code).toBe(0);
    expect(kept.out).toContain('Not in the file (kept; --prune would delete):');
    expect((await policy(['apply', v3])).out).not.toContain('Applied');

    const plan = await policy(['plan', v3, '--prune']);
    expect(plan.code).toBe(2);
    const planned = deletions(plan.out);
    expect(planned).toEqual([
      'account contractors',
      'gateway_key contractor-key',
      'level 2',
      'price gpt-4o-mini||1970-01-01',
      'upstream_key spare-1',
    ]);
    const before = await inventory();
    expect((await policy(['apply', v3, '--prune'])).code).toBe(0);
    const after = await inventory();
    expect(before.filter((o) => !after.includes(o))).toEqual(planned);
    expect(after).toContain(`gateway_key ${apiKeyId}`);
    expect(after.filter((o) => !before.includes(o))).toEqual([]);
    expect((await policy(['plan', v3, '--prune'])).code).toBe(0);
  });
});

/** Every object the plan can delete, as `entity id`, read from D1. */
async function inventory(): Promise<string[]> {
  const db = await gw.d1();
  const rows = async (sql: string) => (await db.prepare(sql).all<{ o: string }>()).results.map((r) => r.o);
  return [
    ...(await rows("SELECT 'account ' || id AS o FROM accounts")),
    ...(await rows("SELECT 'level ' || id AS o FROM levels")),
    ...(await rows("SELECT 'upstream_key ' || id AS o FROM upstream_keys")),
    ...(await rows("SELECT 'gateway_key ' || id AS o FROM gateway_keys")),
    ...(await rows(
      "SELECT 'price ' || model || '|' || coalesce(account_id, '') || '|' || effective_from AS o FROM model_prices",
    )),
  ].sort();
}
