// Policy as code (policy as code), the way back: the running gateway's state as a policy file, so an
// organization configured through the API can move to a file, and export → apply changes nothing.
// Pure: the inverse of desiredState() for what a file can hold. Secrets are never exported:
// upstream keys carry the `key_env` they were applied with (or `UPSTREAM_KEY_<ID>` when created
// through the API), and gateway keys are left out (their keys are not recoverable by design).

import { ratesToFile } from '../billing/price-fields';
import type { PolicyFileInput } from './file-schema';
import type { GatewayState } from './plan';

/** A level's timeouts as the policy file and the admin API spell them. */
export function levelTimeouts(l: {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}) {
  return { connect_ms: l.connectTimeoutMs, first_byte_ms: l.firstByteTimeoutMs, idle_ms: l.idleTimeoutMs };
}

type FileKey = NonNullable<PolicyFileInput['levels']>[number]['keys'] extends (infer K)[] | undefined
  ? K
  : never;

export function exportPolicy(state: GatewayState): PolicyFileInput {
  const accounts = [...state.accounts]
    .sort((a, b) => (a.parentId === null ? -1 : b.parentId === null ? 1 : a.id.localeCompare(b.id)))
    .map((a) => ({
      id: a.id,
      ...(a.parentId === null ? {} : { parent: a.parentId }),
      name: a.name,
      kind: a.kind,
      status: a.status,
      ...(a.level === null ? {} : { level: a.level }),
      ...(a.timezone === null ? {} : { timezone: a.timezone }),
      policy: a.policy,
    }));
  const levels = [...state.levels]
    .sort((a, b) => a.id - b.id)
    .map((l) => ({
      id: l.id,
      name: l.name,
      retries: l.retries,
      timeouts: levelTimeouts(l),
      keys: state.upstreamKeys
        .filter((k) => k.levelId === l.id)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((k): FileKey => {
          const o = k.options;
          const secretRef =
            k.provider === 'mock' && k.fingerprint === null
              ? {}
              : { key_env: o['key_env'] ?? `UPSTREAM_KEY_${k.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}` };
          return {
            id: k.id,
            provider: k.provider as FileKey['provider'],
            ...(k.baseUrl === null ? {} : { base_url: k.baseUrl }),
            weight: k.weight,
            status: k.status,
            ...secretRef,
            ...(o['deployment'] ? { deployment: o['deployment'] } : {}),
            ...(o['api_version'] ? { api_version: o['api_version'] } : {}),
            ...(k.credentialKind === 'oauth_refresh'
              ? {
                  oauth: {
                    token_url: o['token_url'] ?? '',
                    client_id: o['client_id'] ?? '',
                    ...(o['client_secret_env'] ? { client_secret_env: o['client_secret_env'] } : {}),
                    ...(o['scope'] ? { scope: o['scope'] } : {}),
                  },
                }
              : {}),
          };
        }),
    }));
  const prices = [...state.prices]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((p) => ({
      model: p.model,
      ...(p.accountId === null ? {} : { account: p.accountId }),
      effective_from: p.effectiveFrom,
      ...ratesToFile(p),
      markup_bps: p.markupBps,
    }));
  return { version: 1, accounts, levels, prices };
}
