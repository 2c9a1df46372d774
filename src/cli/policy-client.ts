// Node side of policy as code (policy as code): reads a YAML/JSON policy file, validates it with the same
// schema the gateway uses, resolves `key_env` secrets from this machine's environment (and a
// secrets file), and sends the result to the gateway's apply endpoint (dry run = plan).
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import type { z } from 'zod';
import type { ApplyRequest, PolicyFile, resolvedSecretsSchema } from '../policy/file-schema';
import { formatProblems, validatePolicyFile } from './validate';

export interface FieldDiff {
  path: string;
  before?: unknown;
  after?: unknown;
}
export type Change = {
  entity: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  fields: string[];
  diff?: FieldDiff[];
};
export interface PlanResult {
  changes: Change[];
  effective: { subject: string; id: string; field: string; text: string }[];
  unlisted: { entity: string; id: string }[];
  applied: boolean;
}
type Secrets = z.input<typeof resolvedSecretsSchema>;

export class PolicyFileError extends Error {}

/** The file, valid by the gateway's schemas and rules; otherwise every problem, with its line. */
export async function readPolicyFile(path: string): Promise<PolicyFile> {
  const { file, problems } = await validatePolicyFile(path);
  if (!file)
    throw new PolicyFileError(`${path} is not a valid policy file:\n${formatProblems(path, problems)}`);
  return file;
}

/** Every `key_env` the file names, resolved from `env`; only names (never values) reach errors. */
export function resolveSecrets(file: PolicyFile, env: NodeJS.ProcessEnv): Secrets {
  const missing: string[] = [];
  const read = (name: string) => {
    const value = env[name];
    if (!value) missing.push(name);
    return value ?? '';
  };
  const upstream_keys: Record<string, string> = {};
  for (const level of file.levels) {
    for (const k of level.keys) {
      if (!k.key_env) continue;
      // An OAuth credential travels as one sealed document: the refresh token and client secret.
      upstream_keys[k.id] = k.oauth
        ? JSON.stringify({
            refresh_token: read(k.key_env),
            ...(k.oauth.client_secret_env ? { client_secret: read(k.oauth.client_secret_env) } : {}),
          })
        : read(k.key_env);
    }
  }
  const gateway_keys: Record<string, { hash: string; prefix: string }> = {};
  for (const k of file.gateway_keys) {
    const key = read(k.key_env);
    gateway_keys[k.id] = { hash: createHash('sha256').update(key).digest('hex'), prefix: key.slice(0, 10) };
  }
  if (missing.length)
    throw new PolicyFileError(`environment variables not set: ${[...new Set(missing)].join(', ')}`);
  return { upstream_keys, gateway_keys };
}

async function call(url: URL, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new PolicyFileError(`${what} failed: no answer from ${url.origin}${cause}`);
  }
}

export async function sendPolicy(opts: {
  url: string;
  token: string;
  file: PolicyFile;
  secrets: Secrets;
  dryRun: boolean;
  prune?: boolean;
}): Promise<PlanResult> {
  const body: ApplyRequest = {
    policy: opts.file,
    secrets: opts.secrets as ApplyRequest['secrets'],
    dry_run: opts.dryRun,
    prune: opts.prune ?? false,
  };
  const res = await call(
    new URL('/admin/v1/policy/apply', opts.url),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
      body: JSON.stringify(body),
    },
    // A lost answer says nothing about the write; the write is one transaction, so `plan` tells.
    opts.dryRun ? 'plan' : 'apply (written all or nothing; run plan to see which)',
  );
  const json = (await res.json().catch(() => ({}))) as PlanResult & { error?: { message: string } };
  if (!res.ok)
    throw new PolicyFileError(
      `gateway refused the policy (HTTP ${res.status}): ${json.error?.message ?? 'unknown error'}`,
    );
  return { ...json, effective: json.effective ?? [], unlisted: json.unlisted ?? [] };
}

export function formatChanges(changes: Change[]): string {
  if (changes.length === 0) return 'No changes: the gateway already matches the file.';
  const sign = { create: '+', update: '~', delete: '-' } as const;
  return changes
    .map((c) => `${sign[c.op]} ${c.entity} ${c.id}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}`)
    .join('\n');
}

/** The running gateway as a YAML policy file (secrets as key_env references, never values). */
export async function exportPolicyFile(opts: { url: string; token: string }): Promise<string> {
  const res = await call(
    new URL('/admin/v1/policy/export', opts.url),
    { headers: { authorization: `Bearer ${opts.token}` } },
    'export',
  );
  const json = (await res.json().catch(() => ({}))) as { error?: { message: string } };
  if (!res.ok)
    throw new PolicyFileError(
      `gateway refused the export (HTTP ${res.status}): ${json.error?.message ?? 'unknown error'}`,
    );
  return `# Exported from ${opts.url} on ${new Date().toISOString()}\n${toYaml(json)}`;
}
