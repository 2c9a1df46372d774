// Loads a policy into a running gateway through its real admin API, the way the CLI does.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readPolicyFile, resolveSecrets, sendPolicy } from '../../src/cli/policy-client';
import type { PolicyFileInput } from '../../src/policy/file-schema';
import { policyFileSchema } from '../../src/policy/file-schema';
import type { ProviderKind } from '../../src/providers/kinds';
import { repoRoot } from './gateway';

export const newGatewayKey = () => `sy_${randomBytes(32).toString('base64url')}`;

export interface Seeded {
  /** The demo key (account "alice" in the demo policy). */
  demoKey: string;
}

/** Applies the committed demo policy with a fresh demo key. */
export async function seedDemo(gw: { url: string; adminToken: string }): Promise<Seeded> {
  const demoKey = newGatewayKey();
  const file = await readPolicyFile(join(repoRoot, 'src/policy/demo-policy.yaml'));
  await sendPolicy({
    url: gw.url,
    token: gw.adminToken,
    file,
    secrets: resolveSecrets(file, { SWITCHYARD_DEMO_KEY: demoKey }),
    dryRun: false,
  });
  return { demoKey };
}

/** Applies an inline policy; `env` supplies the key_env secrets. */
export async function applyPolicy(
  gw: { url: string; adminToken: string },
  input: PolicyFileInput,
  env: Record<string, string>,
  dryRun = false,
) {
  const file = policyFileSchema.parse(input);
  return sendPolicy({ url: gw.url, token: gw.adminToken, file, secrets: resolveSecrets(file, env), dryRun });
}

/**
 * A level with one key at the fake provider. OpenAI-shaped adapters take the `/v1` base URL; the
 * Anthropic and Gemini adapters add their API version segment to the root URL themselves.
 */
export function fakeLevel(
  fake: { url: string },
  id: number,
  name: string,
  keyId: string,
  provider: ProviderKind,
) {
  const base_url = provider === 'openai' || provider === 'openai-compatible' ? `${fake.url}/v1` : fake.url;
  return { id, name, keys: [{ id: keyId, provider, base_url, key_env: 'UP' }] };
}
