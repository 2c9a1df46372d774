// Zod schemas for the policy file (policy as code) and what the apply endpoint receives. Only the
// admin API (loaded on its first request) and the policy CLI need them, so they are kept apart from
// the account policy the proxy parses: a cold isolate serving the proxy does not build them.
// Pure: imported by both the Worker and the Node CLI.
import { z } from 'zod';
import { PROVIDER_KINDS } from '../providers/kinds';
import { money, policySchema, slug } from './schema';

export const providerKind = z.enum(PROVIDER_KINDS);

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name');

export const upstreamKeyFileSchema = z
  .object({
    id: slug,
    provider: providerKind,
    /** Required for openai-compatible and azure-openai; optional override for the others. */
    base_url: z.url().optional(),
    weight: z.number().int().min(1).max(1000).default(1),
    status: z.enum(['active', 'disabled']).default('active'),
    /** Name of the environment variable holding the secret, resolved by the CLI that applies. */
    key_env: envName.optional(),
    /** Inline secret: accepted only for the `mock` provider (demos and tests). */
    key: z.string().min(1).optional(),
    /** azure-openai: deployment name and api-version. */
    deployment: z.string().optional(),
    api_version: z.string().optional(),
    /**
     * OAuth refresh-token credential: `key_env` then holds the refresh token; the gateway trades
     * it at `token_url` for access tokens, refreshed before they expire.
     */
    oauth: z
      .object({
        token_url: z.url(),
        client_id: z.string().min(1),
        client_secret_env: envName.optional(),
        scope: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.key !== undefined && k.key_env === undefined && k.provider !== 'mock') {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'inline keys are only allowed for the mock provider; use key_env',
      });
    }
    if (k.oauth && k.key_env === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key_env'],
        message: 'an oauth credential needs key_env (the refresh token)',
      });
    }
    if (k.key === undefined && k.key_env === undefined && k.provider !== 'mock') {
      ctx.addIssue({ code: 'custom', path: ['key_env'], message: 'an upstream key needs key_env' });
    }
    if ((k.provider === 'openai-compatible' || k.provider === 'azure-openai') && !k.base_url) {
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: `base_url is required for ${k.provider}` });
    }
  });

export const levelFileSchema = z
  .object({
    id: z.number().int().positive(),
    name: z.string().min(1).max(100),
    retries: z.number().int().min(0).max(10).default(1),
    timeouts: z
      .object({
        connect_ms: z.number().int().positive(),
        first_byte_ms: z.number().int().positive(),
        idle_ms: z.number().int().positive(),
      })
      .partial()
      .strict()
      .default({}),
    keys: z.array(upstreamKeyFileSchema).default([]),
  })
  .strict();

export const gatewayKeyFileSchema = z
  .object({
    id: slug,
    account: slug,
    name: z.string().min(1).max(100),
    /** Environment variable holding the key; the CLI sends only its hash and prefix. */
    key_env: envName,
    expires_at: z.iso.datetime({ offset: true }).optional(),
    policy: policySchema.optional(),
  })
  .strict();

export const accountFileSchema = z
  .object({
    id: slug,
    /** Parent account id; exactly one account (the root) has none. */
    parent: slug.optional(),
    name: z.string().min(1).max(200),
    kind: z.string().min(1).max(40).default('team'),
    status: z.enum(['active', 'suspended', 'disabled']).default('active'),
    level: z.number().int().positive().optional(),
    /** IANA time zone of the day boundary; read from the root only. */
    timezone: z.string().optional(),
    policy: policySchema.default({}),
  })
  .strict();

export const priceFileSchema = z
  .object({
    model: z.string().min(1),
    /** Optional account the price applies to (override for its subtree). */
    account: slug.optional(),
    effective_from: z.iso.date().default('1970-01-01'),
    /** Prices per million tokens, as decimal amounts. */
    input: money,
    output: money,
    cached_read: money.optional(),
    cache_write: money.optional(),
    reasoning: money.optional(),
    per_image: money.optional(),
    per_audio_second: money.optional(),
    per_million_chars: money.optional(),
    per_web_search: money.optional(),
    markup_bps: z.number().int().min(0).max(100_000).default(0),
  })
  .strict();

export const policyFileSchema = z
  .object({
    version: z.literal(1),
    accounts: z.array(accountFileSchema).min(1),
    levels: z.array(levelFileSchema).default([]),
    gateway_keys: z.array(gatewayKeyFileSchema).default([]),
    prices: z.array(priceFileSchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    const roots = file.accounts.filter((a) => a.parent === undefined);
    if (roots.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'exactly one account (the root) must have no parent',
      });
    }
    file.accounts.forEach((a, i) => {
      if (ids.has(a.id))
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'id'],
          message: `duplicate account id "${a.id}"`,
        });
      ids.add(a.id);
    });
    file.accounts.forEach((a, i) => {
      if (a.parent !== undefined && !ids.has(a.parent)) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'parent'],
          message: `unknown parent "${a.parent}"`,
        });
      }
    });
    const levelIds = new Set(file.levels.map((l) => l.id));
    const keyIds = new Set<string>();
    file.levels.forEach((l, li) => {
      l.keys.forEach((k, ki) => {
        if (keyIds.has(k.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['levels', li, 'keys', ki, 'id'],
            message: `duplicate upstream key id "${k.id}"`,
          });
        }
        keyIds.add(k.id);
      });
    });
    file.accounts.forEach((a, i) => {
      for (const level of Object.values(a.policy.level_mapper ?? {})) {
        if (!levelIds.has(level)) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', i, 'policy', 'level_mapper'],
            message: `unknown level ${level}`,
          });
        }
      }
    });
    file.gateway_keys.forEach((k, i) => {
      if (!ids.has(k.account)) {
        ctx.addIssue({
          code: 'custom',
          path: ['gateway_keys', i, 'account'],
          message: `unknown account "${k.account}"`,
        });
      }
    });
  });

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyFileInput = z.input<typeof policyFileSchema>;
export type AccountFile = z.infer<typeof accountFileSchema>;
export type LevelFile = z.infer<typeof levelFileSchema>;
export type UpstreamKeyFile = z.infer<typeof upstreamKeyFileSchema>;
export type PriceFile = z.infer<typeof priceFileSchema>;

/**
 * What the apply endpoint receives: the policy file with every `key_env` resolved by the CLI.
 * Upstream secrets travel once (to be encrypted at rest); gateway keys travel only as hash + prefix.
 */
export const resolvedSecretsSchema = z
  .object({
    upstream_keys: z.record(slug, z.string().min(1)).default({}),
    gateway_keys: z
      .record(slug, z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), prefix: z.string().max(16) }))
      .default({}),
  })
  .strict();

export const applyRequestSchema = z
  .object({
    policy: policyFileSchema,
    secrets: resolvedSecretsSchema.default({ upstream_keys: {}, gateway_keys: {} }),
    dry_run: z.boolean().default(false),
    /** Delete what the file no longer lists (gateway keys only when the file created them). */
    prune: z.boolean().default(false),
  })
  .strict();

export type ApplyRequest = z.infer<typeof applyRequestSchema>;
