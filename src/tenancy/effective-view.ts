// The dashboard's inheritance view (inherited policy): each field's effective value and the layer it comes
// from.
// Pure; built from the same layers as the runtime's effective policy, so the view cannot disagree
// with what requests get.
import type { EffectivePolicy, NumericLimit } from '../policy/effective';
import { fromMicros, type Policy } from '../policy/schema';

export interface Origin<V> {
  value: V;
  /** The layer that set the effective value, e.g. `account:eng` or `key:key_123`. */
  source: string;
}

export interface EffectivePolicyView {
  layers: { source: string; policy: Policy }[];
  /** Every listed layer must allow a model (after mapping): the allowlists intersect. */
  allow_models: { source: string; patterns: string[] }[];
  resources: { source: string; patterns: string[] }[];
  ip_allow: { source: string; cidrs: string[] }[];
  /** The minimum along the chain; budgets as decimal amounts. */
  limits: Partial<Record<NumericLimit, Origin<number | string>>>;
  /** The nearest layer's entry per alias / model pattern / level. */
  model_mapper: Record<string, Origin<string>>;
  level_mapper: Record<string, Origin<number>>;
  switch_over: Record<string, Origin<number>>;
  model_limits: Record<string, { rpm?: Origin<number>; tpm?: Origin<number> }>;
  budget_alerts: Origin<number[]> | null;
  /** The nearest account's default level. */
  level: Origin<number> | null;
}

const moneyLimits = new Set<NumericLimit>(['daily_budget', 'monthly_budget']);

function nearestEntries<V>(
  layers: EffectivePolicy['layers'],
  pick: (p: Policy) => Record<string, V> | undefined,
): Record<string, Origin<V>> {
  const out: Record<string, Origin<V>> = {};
  for (const { source, policy } of layers) {
    for (const [key, value] of Object.entries(pick(policy) ?? {})) out[key] = { value, source };
  }
  return out;
}

export function effectivePolicyView(
  effective: EffectivePolicy,
  level: Origin<number> | null,
): EffectivePolicyView {
  const limits: EffectivePolicyView['limits'] = {};
  for (const [name, limit] of Object.entries(effective.limits) as [NumericLimit, Origin<number>][]) {
    limits[name] = {
      value: moneyLimits.has(name) ? fromMicros(limit.value) : limit.value,
      source: limit.source,
    };
  }
  const modelLimits: EffectivePolicyView['model_limits'] = {};
  let budgetAlerts: EffectivePolicyView['budget_alerts'] = null;
  for (const { source, policy } of effective.layers) {
    for (const [pattern, entry] of Object.entries(policy.model_limits ?? {})) {
      const current = modelLimits[pattern] ?? {};
      modelLimits[pattern] = current;
      for (const name of ['rpm', 'tpm'] as const) {
        const value = entry[name];
        const known = current[name];
        if (value !== undefined && (known === undefined || value < known.value))
          current[name] = { value, source };
      }
    }
    if (policy.budget_alerts) budgetAlerts = { value: policy.budget_alerts, source };
  }
  return {
    layers: effective.layers,
    allow_models: effective.allowModels,
    resources: effective.resources,
    ip_allow: effective.ipAllow,
    limits,
    model_mapper: nearestEntries(effective.layers, (p) => p.model_mapper),
    level_mapper: nearestEntries(effective.layers, (p) => p.level_mapper),
    switch_over: nearestEntries(effective.layers, (p) => p.switch_over),
    model_limits: modelLimits,
    budget_alerts: budgetAlerts,
    level,
  };
}
