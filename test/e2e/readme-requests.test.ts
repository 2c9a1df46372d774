// The README's "One request per protocol": every curl there runs, as printed, against the gateway
// bundle with the demo policy `npm start` loads: each proxy request gets the mock provider's answer,
// each admin request a JSON body.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPolicyFile, resolveSecrets, sendPolicy } from '../../src/cli/policy-client';
import { type RunningGateway, repoRoot, startGateway } from '../harness/gateway';

const sh = promisify(execFile);
const demoKey = `sy_${crypto.randomUUID().replaceAll('-', '')}`;
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway();
  const file = await readPolicyFile(join(repoRoot, 'src/policy/demo-policy.yaml'));
  await sendPolicy({
    url: gw.url,
    token: gw.adminToken,
    file,
    secrets: resolveSecrets(file, { SWITCHYARD_DEMO_KEY: demoKey }),
    dryRun: false,
  });
});
afterAll(async () => {
  await gw?.close();
});

/** Each `curl` of the section's ```sh blocks, continuation lines joined. */
function curls(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf('## One request per protocol');
  const section = readme.slice(at, readme.indexOf('\n## ', at + 1));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .flatMap((b) => b.replaceAll('\\\n', ' ').split('\n'))
    .filter((l) => l.trim().startsWith('curl '));
}

describe("README's one request per protocol", () => {
  it('has one for each client protocol', () => {
    const paths = curls()
      .map((c) => /127\.0\.0\.1:8787([^\s"]+)/.exec(c)?.[1])
      .filter((p) => !p?.startsWith('/admin/'));
    expect(paths).toEqual([
      '/v1/chat/completions',
      '/v1/responses',
      '/v1/messages',
      '/v1beta/models/mock-small:generateContent',
    ]);
  });

  it('gets an answer from each, as printed', async () => {
    for (const line of curls()) {
      const cmd = line
        .replaceAll('http://127.0.0.1:8787', gw.url)
        .replaceAll('sy_…(printed demo key)', demoKey)
        .replaceAll('sy_…', demoKey)
        .replaceAll('<admin token>', gw.adminToken);
      const { stdout } = await sh('bash', ['-c', `${cmd} -sS --fail-with-body`]);
      if (line.includes('/admin/')) expect(JSON.parse(stdout), line).toBeTypeOf('object');
      else expect(stdout, line).toContain('Mock reply from mock-small: Hello, Switchyard');
    }
  });
});
