// Runs the real coding-agent CLIs (the pinned npm packages' native binaries) against a gateway,
// offline: a throw-away HOME (and CODEX_HOME), only loopback URLs, telemetry, updates and other
// non-essential traffic switched off, one non-interactive session per call.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/gateway';

export const CODEX_BIN = join(repoRoot, 'node_modules/@openai/codex/bin/codex.js');
export const CLAUDE_BIN = join(repoRoot, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A scratch HOME and working directory, with one file for the agent to read. */
export interface Sandbox {
  home: string;
  work: string;
  /** The file the agent's tool call reads, and the marker text inside it. */
  notePath: string;
  marker: string;
  cleanup(): void;
}

export function makeSandbox(marker: string): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  const home = join(root, 'home');
  const work = join(root, 'work');
  mkdirSync(join(home, '.codex'), { recursive: true });
  mkdirSync(work, { recursive: true });
  const notePath = join(work, 'note.txt');
  writeFileSync(notePath, `${marker}\n`);
  return { home, work, notePath, marker, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Only what a CLI needs: no inherited proxies, tokens or config from the machine running the tests. */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
}

function run(bin: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs: number) {
  return new Promise<CliRun>((resolve) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `codex exec` with a custom Responses provider pointed at the gateway (`<gateway>/v1`, the key in
 * SWITCHYARD_KEY). `--json` prints one event per line; the final agent message is returned.
 */
export async function runCodex(opts: {
  gateway: string;
  key: string;
  model: string;
  prompt: string;
  box: Sandbox;
  timeoutMs?: number;
}): Promise<CliRun & { message: string | null; events: Record<string, unknown>[] }> {
  const args = [
    'exec',
    '--json',
    '--skip-git-repo-check',
    '--ephemeral',
    '--sandbox',
    'read-only',
    '-c',
    'model_providers.switchyard.name="Switchyard"',
    '-c',
    `model_providers.switchyard.base_url="${opts.gateway}/v1"`,
    '-c',
    'model_providers.switchyard.env_key="SWITCHYARD_KEY"',
    '-c',
    'model_providers.switchyard.wire_api="responses"',
    '-c',
    'model_providers.switchyard.request_max_retries=0',
    '-c',
    'model_providers.switchyard.stream_max_retries=0',
    '-c',
    'model_provider="switchyard"',
    '-c',
    'analytics.enabled=false',
    '-c',
    'check_for_update_on_startup=false',
    '-m',
    opts.model,
    opts.prompt,
  ];
  const env = {
    ...baseEnv(opts.box.home),
    CODEX_HOME: join(opts.box.home, '.codex'),
    SWITCHYARD_KEY: opts.key,
  };
  const out = await run(process.execPath, [CODEX_BIN, ...args], env, opts.box.work, opts.timeoutMs ?? 60_000);
  const events = out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  let message: string | null = null;
  for (const e of events) {
    const item = e['item'] as { type?: string; text?: string } | undefined;
    if (e['type'] === 'item.completed' && item?.type === 'agent_message') message = item.text ?? null;
  }
  return { ...out, message, events };
}

/**
 * `claude -p` pointed at the gateway (ANTHROPIC_BASE_URL), every model slot set to the model under
 * test, only the tools named in `tools`. `--output-format json` prints one result object.
 */
export async function runClaude(opts: {
  gateway: string;
  key: string;
  model: string;
  prompt: string;
  box: Sandbox;
  tools: string;
  timeoutMs?: number;
}): Promise<CliRun & { result: Record<string, unknown> | null }> {
  const m = opts.model;
  const env = {
    ...baseEnv(opts.box.home),
    ANTHROPIC_BASE_URL: opts.gateway,
    ANTHROPIC_API_KEY: opts.key,
    ANTHROPIC_MODEL: m,
    ANTHROPIC_DEFAULT_OPUS_MODEL: m,
    ANTHROPIC_DEFAULT_SONNET_MODEL: m,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: m,
    ANTHROPIC_SMALL_FAST_MODEL: m,
    CLAUDE_CODE_SUBAGENT_MODEL: m,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  const args = ['-p', opts.prompt, '--output-format', 'json', '--model', m, '--tools', opts.tools];
  const out = await run(CLAUDE_BIN, args, env, opts.box.work, opts.timeoutMs ?? 60_000);
  let result: Record<string, unknown> | null = null;
  try {
    result = JSON.parse(out.stdout.trim()) as Record<string, unknown>;
  } catch {
    result = null;
  }
  return { ...out, result };
}
