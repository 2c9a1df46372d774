// `npm run policy -- plan|apply` against a running gateway: the CLI validates the file with the
// gateway's own schema, resolves key_env secrets locally, and applying twice changes nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, repoRoot, startGateway } from '../harness/gateway';

const run = promisify(execFile);
let gw: RunningGateway;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-policy-'));
const policyPath = join(dir, 'policy.yaml');

function cli(args: string[], env: Record<string, string> = {}) {
  return run('npx', ['tsx', 'src/cli/policy.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, SWITCHYARD_URL: gw.url, SWITCHYARD_ADMIN_TOKEN: gw.adminToken, ...env },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

beforeAll(async () => {
  gw = await startGateway();
  writeFileSync(
    policyPath,
    `version: 1
accounts:
  - id: corp
    name: Corp
  - id: sales
    parent: corp
    name: Sales
    policy:
      limits: { rpm: 30 }
levels:
  - id: 1
    name: compat
    keys:
      - { id: vllm, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", key_env: VLLM_KEY }
gateway_keys:
  - { id: sales-key, account: sales, name: Sales app, key_env: SALES_KEY }
`,
  );
});

afterAll(() => gw?.close());

describe('policy CLI', () => {
  const env = { VLLM_KEY: 'fake-vllm-secret', SALES_KEY: 'sy_fake_sales_key_for_cli_test' };

  it('plans without writing, applies, then reports no changes', async () => {
    const plan = await cli(['plan', policyPath], env);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('+ account corp');
    expect(plan.out).toContain('+ upstream_key vllm');
    expect(plan.out).not.toContain('fake-vllm-secret');

    const apply = await cli(['apply', policyPath], env);
    expect(apply.out).toContain('Applied 5 change(s).');
    const again = await cli(['apply', policyPath], env);
    expect(again.out).toContain('No changes: the gateway already matches the file.');
  });

  it('fails clearly on a missing secret and an invalid file', async () => {
    const missing = await cli(['apply', policyPath], { SALES_KEY: 'x' });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('environment variables not set: VLLM_KEY');
    const badPath = join(dir, 'bad.yaml');
    writeFileSync(badPath, 'version: 1\naccounts:\n  - id: Bad Id\n    name: x\n');
    const bad = await cli(['plan', badPath]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('accounts.0.id');
  });

  it('exports the running gateway as a file that applies with no changes', async () => {
    await cli(['apply', policyPath], env);
    const exported = await cli(['export']);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('key_env: VLLM_KEY');
    expect(exported.out).not.toContain('fake-vllm-secret');
    const exportedPath = join(dir, 'exported.yaml');
    writeFileSync(exportedPath, exported.out);
    const again = await cli(['apply', exportedPath], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No changes: the gateway already matches the file.');
  });
});
