// Operations a platform team runs: the documented deploy sequence (docs/deploy.md) (every command that runs offline
// runs here: the dry-run deploy of both environments, secrets generation, validate, plan against a
// local gateway), GET /version, --help for every command, and the example CI workflow.
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { commandOptions } from '../../src/cli/policy';
import { type RunningGateway, repoRoot, startGateway } from '../harness/gateway';
import { orgV1, switchyard, workDir, writeFile } from './policy-cli';

const sh = promisify(execFile);
let gw: RunningGateway;
const dir = workDir();
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  // The workflow's steps write plan.txt and apply.txt in their working folder (the checkout).
  for (const f of ['plan.txt', 'apply.txt']) rmSync(join(repoRoot, f), { force: true });
  await gw?.close();
});

const doc = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** The first ```sh block after `heading` in the docs page at `path`. */
function shBlock(path: string, heading: string): string[] {
  const readme = doc(path);
  const at = readme.indexOf(heading);
  const start = readme.indexOf('```sh\n', at) + 6;
  return readme
    .slice(start, readme.indexOf('```', start))
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
}

/** The example policy file of docs/policy-file.md. */
const examplePolicy = (() => {
  const readme = doc('docs/policy-file.md');
  const start = readme.indexOf('```yaml\nversion: 1') + 8;
  return readme.slice(start, readme.indexOf('```', start));
})();

describe('the documented deploy sequence (docs/deploy.md)', () => {
  const lines = shBlock('docs/deploy.md', '# Deploy');
  const offline = lines.filter(
    (l) =>
      l.includes('--dry-run') ||
      l.startsWith('printf ') ||
      l.includes('policy validate') ||
      (l.includes('policy plan') && !l.includes('--url')),
  );

  it('runs every command that can run offline', async () => {
    expect(offline.filter((l) => l.includes('--dry-run'))).toHaveLength(2);
    writeFile(dir, 'policy.yaml', examplePolicy);
    const secrets = {
      OPENAI_KEY_1: 'k1',
      OPENAI_KEY_2: 'k2',
      DEEPSEEK_KEY: 'k3',
      VLLM_KEY: 'k4',
      ENG_CI_KEY: 'sy_k5_0000000000',
    };
    for (const line of offline) {
      // Relative paths of the docs resolve in a scratch folder; npx and wrangler run from the repo.
      const cmd = line
        .replaceAll('policy.yaml', join(dir, 'policy.yaml'))
        .replaceAll('.wrangler/', `${dir}/`)
        .replace('> .secrets', `> ${dir}/.secrets`);
      const r = await sh('bash', ['-c', cmd], {
        cwd: repoRoot,
        env: {
          ...process.env,
          SWITCHYARD_URL: gw.url,
          SWITCHYARD_ADMIN_TOKEN: gw.adminToken,
          WRANGLER_SEND_METRICS: 'false',
          ...secrets,
        },
        timeout: 120_000,
      }).then(
        (x) => ({ code: 0, out: x.stdout + x.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
      expect({ line, code: line.includes('policy plan') ? (r.code === 2 ? 0 : r.code) : r.code }).toEqual({
        line,
        code: 0,
      });
      const env = /--env (\w+)/.exec(line)?.[1];
      if (env && line.includes('--dry-run')) {
        expect(r.out).toContain(`env.DB (switchyard-${env})`);
        expect(r.out).toContain(`env.USAGE_QUEUE (switchyard-${env}-usage)`);
        expect(r.out).toContain(`env.SWITCHYARD_ENVIRONMENT ("${env}")`);
      }
    }
    const generated = readFileSync(join(dir, '.secrets.staging'), 'utf8');
    expect(generated).toMatch(/^SWITCHYARD_ADMIN_TOKEN=sya_[0-9a-f]{64}\nSWITCHYARD_KEK=\S{44}\n/);
  }, 300_000);
});

describe('GET /version', () => {
  it('reports the revision, environment and schema migration level', async () => {
    const res = await fetch(`${gw.url}/version`);
    expect(res.status).toBe(200);
    const journal = JSON.parse(readFileSync(join(repoRoot, 'd1-migrations/meta/_journal.json'), 'utf8')) as {
      entries: { tag: string }[];
    };
    const last = journal.entries.at(-1)?.tag;
    expect(await res.json()).toEqual({
      service: 'switchyard',
      revision: 'dev',
      environment: 'local',
      schema: { expected: last, applied: last, pending: [], ahead: [], ok: true },
    });
  });
});

describe('a fresh install', () => {
  it('runs `npx switchyard` with production dependencies only (tsx is one)', async () => {
    const app = join(dir, 'fresh');
    for (const f of ['package.json', 'package-lock.json', 'bin', 'src'])
      cpSync(join(repoRoot, f), join(app, f), { recursive: true });
    // From npm's cache (filled by the install that runs these tests): no network.
    await sh('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], {
      cwd: app,
      timeout: 120_000,
    });
    const r = await sh(
      'npx',
      ['--no-install', 'switchyard', 'policy', 'validate', 'src/policy/demo-policy.yaml'],
      {
        cwd: app,
        timeout: 60_000,
      },
    );
    expect(r.stdout).toContain('src/policy/demo-policy.yaml: valid');
  }, 180_000);
});

describe('switchyard --help', () => {
  it('answers --help for every command with exit 0, and bad arguments with exit 1', async () => {
    for (const command of Object.keys(commandOptions)) {
      const r = await switchyard(['policy', command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: switchyard policy ${command}`);
      expect(r.out).toContain('Exit:');
    }
    expect((await switchyard(['policy', 'plan'])).code).toBe(1);
    expect((await switchyard(['policy', 'plan', 'x.yaml', '--bogus'])).code).toBe(1);
    expect((await switchyard(['nope'])).code).toBe(1);
  });
});

describe('the example GitHub Actions workflow', () => {
  const path = join(repoRoot, 'examples/github-actions/switchyard-policy.yml');
  type Step = { name?: string; run?: string; env?: Record<string, string> };
  type Job = { if: string; steps: Step[] };
  const wf = parseYaml(readFileSync(path, 'utf8')) as {
    on: { pull_request: unknown; push: { branches: string[] } };
    env: Record<string, string>;
    jobs: { plan: Job; apply: Job };
  };

  it('validates and plans on pull requests, applies on main, token from a repository secret', () => {
    expect(wf.on.pull_request).toBeDefined();
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.jobs.plan.if).toContain("github.event_name == 'pull_request'");
    expect(wf.jobs.apply.if).toContain("github.ref == 'refs/heads/main'");
    const runs = (j: Job) => j.steps.map((s) => s.run ?? '').join('\n');
    expect(runs(wf.jobs.plan)).toMatch(/switchyard policy validate[\s\S]*switchyard policy plan/);
    expect(runs(wf.jobs.plan)).toContain('$GITHUB_STEP_SUMMARY');
    expect(runs(wf.jobs.apply)).toContain('switchyard policy apply');
    for (const job of [wf.jobs.plan, wf.jobs.apply])
      for (const step of job.steps)
        if (step.env?.['SWITCHYARD_ADMIN_TOKEN'])
          expect(step.env['SWITCHYARD_ADMIN_TOKEN']).toBe(`$${'{{'} secrets.SWITCHYARD_ADMIN_TOKEN }}`);
    // Every CLI call uses only options its command takes.
    for (const m of readFileSync(path, 'utf8').matchAll(/switchyard policy (\w+)([^\n|]*)/g)) {
      const flags = [...(m[2] ?? '').matchAll(/--([a-z-]+)/g)].map((f) => f[1]);
      for (const f of flags) expect(commandOptions[m[1] as string]).toContain(f);
    }
  });

  it('its plan and apply steps run against a gateway: plan summary, exit 2 tolerated, apply converges', async () => {
    const policy = writeFile(
      dir,
      'ci-policy.yaml',
      orgV1
        .replace(/gateway_keys:[\s\S]*?prices:/, 'prices:')
        .replace(/ {2}- id: 2\n[\s\S]*?SPARE_KEY \}\n/, ''),
    );
    const summary = writeFile(dir, 'summary.md', '');
    const step = async (job: Job, name: string) => {
      const s = job.steps.find((x) => x.name === name);
      return sh('bash', ['-e', '-c', s?.run ?? 'false'], {
        cwd: repoRoot,
        env: {
          ...process.env,
          POLICY_FILE: policy,
          GITHUB_STEP_SUMMARY: summary,
          SWITCHYARD_URL: gw.url,
          SWITCHYARD_ADMIN_TOKEN: gw.adminToken,
          VLLM_KEY: 'fake-ci-vllm-secret',
        },
        timeout: 60_000,
      });
    };
    await step(wf.jobs.plan, 'Validate');
    await step(wf.jobs.plan, 'Plan');
    let text = readFileSync(summary, 'utf8');
    expect(text).toContain('## Switchyard policy plan');
    expect(text).toContain('+ account corp');
    await step(wf.jobs.apply, 'Apply');
    writeFile(dir, 'summary.md', '');
    await step(wf.jobs.plan, 'Plan');
    text = readFileSync(summary, 'utf8');
    expect(text).toContain('No changes');
    expect(text).not.toContain('fake-ci-vllm-secret');
  });
});
