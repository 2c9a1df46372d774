// Node side of policy as code (C12): reads a YAML/JSON policy file, validates it with the same
// schema the gateway uses, resolves `key_env` secrets from this machine's environment, and sends
// the result to the gateway's apply endpoint (dry run = plan).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { z } from 'zod';
import {
  type ApplyRequest,
  type PolicyFile,
  policyFileSchema,
  type resolvedSecretsSchema,
} from '../policy/schema';

export type Change = { entity: string; id: string; op: 'create' | 'update'; fields: string[] };
type Secrets = z.input<typeof resolvedSecretsSchema>;

export class PolicyFileError extends Error {}

export async function readPolicyFile(path: string): Promise<PolicyFile> {
  const text = await readFile(path, 'utf8');
  const raw: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const parsed = policyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new PolicyFileError(`${path} is not a valid policy file:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

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

export async function sendPolicy(opts: {
  url: string;
  token: string;
  file: PolicyFile;
  secrets: Secrets;
  dryRun: boolean;
}): Promise<{ changes: Change[]; applied: boolean }> {
  const body: ApplyRequest = {
    policy: opts.file,
    secrets: opts.secrets as ApplyRequest['secrets'],
    dry_run: opts.dryRun,
  };
  const res = await fetch(new URL('/admin/v1/policy/apply', opts.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { changes: Change[]; applied: boolean; error?: { message: string } };
  if (!res.ok)
    throw new PolicyFileError(
      `gateway refused the policy (HTTP ${res.status}): ${json.error?.message ?? 'unknown error'}`,
    );
  return json;
}

export function formatChanges(changes: Change[]): string {
  if (changes.length === 0) return 'No changes: the gateway already matches the file.';
  return changes
    .map(
      (c) =>
        `${c.op === 'create' ? '+' : '~'} ${c.entity} ${c.id}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}`,
    )
    .join('\n');
}

/** The running gateway as a YAML policy file (secrets as key_env references, never values). */
export async function exportPolicyFile(opts: { url: string; token: string }): Promise<string> {
  const res = await fetch(new URL('/admin/v1/policy/export', opts.url), {
    headers: { authorization: `Bearer ${opts.token}` },
  });
  const json = (await res.json()) as { error?: { message: string } };
  if (!res.ok)
    throw new PolicyFileError(
      `gateway refused the export (HTTP ${res.status}): ${json.error?.message ?? 'unknown error'}`,
    );
  return `# Exported from ${opts.url} on ${new Date().toISOString()}\n${toYaml(json)}`;
}
