// Runs the `switchyard` command (bin/switchyard.mjs, what `npx switchyard` starts) as a process,
// and the policy files the policy CLI tests share.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/gateway';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `switchyard <args>` with `env` over a clean environment (no SWITCHYARD_* leaking in). */
export function switchyard(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHYARD_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin/switchyard.mjs'), ...args],
      { cwd: repoRoot, env: { ...base, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

export const workDir = () => mkdtempSync(join(tmpdir(), 'switchyard-policy-'));

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The `-` lines of a plan: `account contractors`, `level 2`, … */
export const deletions = (plan: string) =>
  plan
    .split('\n')
    .map((l) => /^\s+- (\S+ \S+)$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
    .sort();

/** An organization with two departments, a person, two levels, two gateway keys and two prices. */
export const orgV1 = `version: 1
accounts:
  - id: corp
    name: Corp
    level: 1
    policy:
      allow_models: ["gpt-4o*", "mock-*"]
      limits: { rpm: 600 }
  - id: engineering
    parent: corp
    name: Engineering
    policy:
      limits: { rpm: 120 }
  - id: alice
    parent: engineering
    name: Alice
    policy:
      limits: { rpd: 1000 }
  - id: marketing
    parent: corp
    name: Marketing
  - id: contractors
    parent: corp
    name: Contractors
levels:
  - id: 1
    name: compat
    keys:
      - { id: vllm, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", key_env: VLLM_KEY }
  - id: 2
    name: spare
    keys:
      - { id: spare-1, provider: openai-compatible, base_url: "http://127.0.0.1:9/v1", key_env: SPARE_KEY }
gateway_keys:
  - { id: ci-key, account: engineering, name: CI, key_env: CI_KEY }
  - { id: contractor-key, account: contractors, name: Contractors app, key_env: CONTRACTOR_KEY }
prices:
  - { model: gpt-4o, input: "2.50", output: "10.00" }
  - { model: gpt-4o-mini, input: "0.15", output: "0.60" }
`;

/** Engineering tightened: rpm 120 → 60 and only gpt-4o-mini. Alice and ci-key inherit both. */
export const orgV2 = orgV1.replace(
  '    name: Engineering\n    policy:\n      limits: { rpm: 120 }',
  '    name: Engineering\n    policy:\n      allow_models: ["gpt-4o-mini"]\n      limits: { rpm: 60 }',
);
