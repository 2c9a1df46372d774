// The levels a request counts against (C5): every account on the key's chain and the key itself,
// each with its own limits; levels without limits are skipped, so a request to an unlimited
// subtree touches no governor at all. Pure.
import { type ChainLink, hasLimits, type LimitSet } from '../../durable-objects/dims';
import type { PolicyLayer } from '../policy/effective';
import { type Policy, toMicros } from '../policy/schema';

export function limitSetOf(policy: Policy): LimitSet {
  const l = policy.limits ?? {};
  const set: LimitSet = {};
  if (l.rpm !== undefined) set.rpm = l.rpm;
  if (l.tpm !== undefined) set.tpm = l.tpm;
  if (l.rpd !== undefined) set.rpd = l.rpd;
  if (l.tpd !== undefined) set.tpd = l.tpd;
  if (l.daily_budget !== undefined) set.dailyBudget = toMicros(l.daily_budget);
  if (l.monthly_budget !== undefined) set.monthlyBudget = toMicros(l.monthly_budget);
  if (policy.model_limits && Object.keys(policy.model_limits).length) set.modelLimits = policy.model_limits;
  return set;
}

/** `account:<id>` layers become governor `<id>`, `key:<id>` stays `key:<id>`. */
export function governedChain(layers: PolicyLayer[]): ChainLink[] {
  return layers
    .map((layer) => ({
      id: layer.source.startsWith('account:') ? layer.source.slice('account:'.length) : layer.source,
      limits: limitSetOf(layer.policy),
    }))
    .filter((link) => hasLimits(link.limits));
}
