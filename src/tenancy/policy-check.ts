// The one check a policy layer passes before it is stored (inherited policy): values the schema cannot check,
// then every way it would widen its parent's effective policy. Pure: the admin API's writes, the
// policy preview and the console's editor (before it sends anything) all call this function.
import type { EffectivePolicy } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { findWidening, invalidPolicyValues } from './widening';

export interface Refusal {
  kind: 'invalid' | 'widening';
  /** As the API's 422 `param` names it, e.g. `policy.limits.rpm`. */
  field: string;
  message: string;
}

export function policyRefusals(parent: EffectivePolicy, policy: Policy, prefix = 'policy'): Refusal[] {
  return [
    ...invalidPolicyValues(policy).map((w) => ({ kind: 'invalid' as const, ...w })),
    ...findWidening(parent, policy).map((w) => ({ kind: 'widening' as const, ...w })),
  ].map((r) => ({ ...r, field: `${prefix}.${r.field}` }));
}
