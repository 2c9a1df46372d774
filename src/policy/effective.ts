// Effective policy (inherited policy): root ∧ … ∧ account ∧ key. Allowlists intersect (a value must pass
// every
// layer that sets one); numeric limits take the minimum; mappers take the nearest layer's entry.
// Every field remembers which layer set its effective value, for the dashboard's inheritance view.
import { lookupGlob } from './glob';
import { type Limits, type Policy, toMicros } from './schema';

export interface PolicyLayer {
  /** Where this layer comes from, e.g. `account:eng` or `key:k_123`. */
  source: string;
  policy: Policy;
}

/** The numeric limits a policy sets, in the order plans and explanations list them. */
export const NUMERIC_LIMITS = [
  'rpm',
  'tpm',
  'rpd',
  'tpd',
  'daily_budget',
  'monthly_budget',
  'concurrency',
] as const;
export type NumericLimit = (typeof NUMERIC_LIMITS)[number];

export interface EffectiveLimit {
  /** Requests or tokens; budgets in micro-units. */
  value: number;
  source: string;
}

export interface EffectivePolicy {
  layers: PolicyLayer[];
  /** Each layer's allowlist, with its source; a model must match all of them. */
  allowModels: { source: string; patterns: string[] }[];
  resources: { source: string; patterns: string[] }[];
  ipAllow: { source: string; cidrs: string[] }[];
  limits: Partial<Record<NumericLimit, EffectiveLimit>>;
}

/** Limits in money (decimal amounts in the file, micro-units once resolved). */
export const MONEY_LIMITS: ReadonlySet<NumericLimit> = new Set<NumericLimit>([
  'daily_budget',
  'monthly_budget',
]);

function limitValue(limits: Limits, name: NumericLimit): number | undefined {
  const v = limits[name];
  if (v === undefined) return undefined;
  return MONEY_LIMITS.has(name) ? toMicros(v as string) : (v as number);
}

/** `layers` are ordered root first, the key's own layer (if any) last. */
export function resolveEffectivePolicy(layers: PolicyLayer[]): EffectivePolicy {
  const out: EffectivePolicy = { layers, allowModels: [], resources: [], ipAllow: [], limits: {} };
  for (const { source, policy } of layers) {
    if (policy.allow_models) out.allowModels.push({ source, patterns: policy.allow_models });
    if (policy.resources) out.resources.push({ source, patterns: policy.resources });
    if (policy.ip_allow) out.ipAllow.push({ source, cidrs: policy.ip_allow });
    const limits = policy.limits ?? {};
    for (const name of Object.keys(limits) as NumericLimit[]) {
      const value = limitValue(limits, name);
      const current = out.limits[name];
      if (value !== undefined && (current === undefined || value < current.value))
        out.limits[name] = { value, source };
    }
  }
  return out;
}

/** The nearest layer's entry for `model` in the table picked by `pick`. */
export function nearest<V>(
  layers: PolicyLayer[],
  pick: (p: Policy) => Record<string, V> | undefined,
  key: string,
): { value: V; source: string } | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as PolicyLayer;
    const value = lookupGlob(pick(layer.policy), key);
    if (value !== undefined) return { value, source: layer.source };
  }
  return undefined;
}
