// Zod schemas for an account's policy (inherited policy) and the amounts and names it holds. The
// proxy parses stored policies with these on a key's first request; the policy file's schemas
// (policy as code) are in file-schema.ts. Pure: imported by both the Worker and the Node CLI.
import { z } from 'zod';

/** Decimal amount in the account currency, e.g. "25" or "0.125"; parsed to integer micro-units. */
export const money = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, 'must be a decimal amount like "25" or "12.50" (at most 6 decimals)');

/** Model name pattern: `*` matches any run of characters (including `/`), `?` one character. */
export const modelGlob = z.string().min(1).max(200);

export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lowercase letters, digits, "-" or "_" (max 64)');

const count = z.number().int().nonnegative();

export const limitsSchema = z
  .object({
    rpm: count,
    tpm: count,
    rpd: count,
    tpd: count,
    daily_budget: money,
    monthly_budget: money,
    concurrency: count,
  })
  .partial()
  .strict();

export const modelLimitSchema = z.object({ rpm: count, tpm: count }).partial().strict();

export const policySchema = z
  .object({
    /** Models this layer allows (globs, after model mapping). Absent: no restriction at this layer. */
    allow_models: z.array(modelGlob).optional(),
    /** alias (glob) → target model. The first matching entry wins; exact entries before globs. */
    model_mapper: z.record(modelGlob, z.string().min(1)).optional(),
    /** model (glob) → level id. */
    level_mapper: z.record(modelGlob, z.number().int().positive()).optional(),
    /** level id → backup level id, followed when every key of a level failed. */
    switch_over: z.record(z.string().regex(/^\d+$/), z.number().int().positive()).optional(),
    /** API paths this layer allows, e.g. "/v1/chat/completions"; `*` globs allowed. */
    resources: z.array(z.string().startsWith('/')).optional(),
    /** Client IP allowlist in CIDR notation, IPv4 and IPv6. */
    ip_allow: z.array(z.string().min(2).max(64)).optional(),
    model_limits: z.record(modelGlob, modelLimitSchema).optional(),
    limits: limitsSchema.optional(),
    /** Budget alert thresholds, in percent of a budget. */
    budget_alerts: z.array(z.number().int().min(1).max(100)).optional(),
    /**
     * Who pays (credits and plans): `own` (default) charges this account's wallet; `inherit` draws on the
     * nearest
     * ancestor's own wallet. Read from account layers only, never inherited itself.
     */
    wallet: z.enum(['own', 'inherit']).optional(),
    /** Prepaid wallets admit a request only when their credit covers it; the nearest layer wins. */
    prepaid: z.boolean().optional(),
    /**
     * What an anomaly of this account (usage pipeline) does: `alert` (default) only sends the event;
     * `suspend`
     * suspends the account; `cap` lowers its `limits.daily_budget` to `daily_budget` until an admin
     * changes the policy again. The nearest layer that sets it wins.
     */
    anomaly: z
      .object({ action: z.enum(['alert', 'suspend', 'cap']), daily_budget: money.optional() })
      .strict()
      .refine((a) => a.action !== 'cap' || a.daily_budget !== undefined, {
        message: 'a cap needs daily_budget',
        path: ['daily_budget'],
      })
      .optional(),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type Limits = z.infer<typeof limitsSchema>;

/** "12.50" → 12_500_000 micro-units, exactly (no float arithmetic). */
export function toMicros(amount: string): number {
  const [whole = '0', frac = ''] = amount.split('.');
  return Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0'));
}

/** 12_500_000 → "12.5" */
export function fromMicros(micros: number): string {
  const whole = Math.trunc(micros / 1_000_000);
  const frac = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}
