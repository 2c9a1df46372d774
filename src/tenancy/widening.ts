// "A write that would widen a child beyond its parent is refused with a message that names the
// field" (inherited policy). Pure: the parent's effective policy (root ∧ … ∧ parent) against the child's own
// layer. For a gateway key, the "parent" is its account's effective policy.
//
// Glob containment is decided conservatively: when it cannot be shown that every name a child
// pattern matches is allowed by the parent, the write is refused (the caller can list names).
import { type EffectivePolicy, MONEY_LIMITS, NUMERIC_LIMITS, type NumericLimit } from '../policy/effective';
import { globMatch, isGlob } from '../policy/glob';
import { fromMicros, type Policy, toMicros } from '../policy/schema';
import { parseCidr, rangeWithin } from './acl';

export interface Widening {
  /** Dotted path of the offending field, e.g. `limits.rpm` or `model_mapper.fast`. */
  field: string;
  message: string;
}

/** Whether every string `inner` matches is also matched by `outer` (`*` any run, `?` one char). */
export function globWithin(inner: string, outer: string): boolean {
  if (!isGlob(inner)) return globMatch(outer, inner);
  if (inner === outer) return true;
  const star = outer.indexOf('*');
  if (star < 0 || outer.includes('?') || outer.indexOf('*', star + 1) >= 0) return false;
  // outer is `a*b`: every match of inner starts with its literal prefix and ends with its literal
  // suffix; if those carry a and b, every match of inner matches outer.
  const a = outer.slice(0, star);
  const b = outer.slice(star + 1);
  const firstWild = inner.search(/[*?]/);
  const lastWild = Math.max(inner.lastIndexOf('*'), inner.lastIndexOf('?'));
  return inner.slice(0, firstWild).startsWith(a) && inner.slice(lastWild + 1).endsWith(b);
}

function limitNumber(name: NumericLimit, value: string | number): number {
  return MONEY_LIMITS.has(name) ? toMicros(String(value)) : Number(value);
}

function shown(name: NumericLimit, value: number): string {
  return MONEY_LIMITS.has(name) ? fromMicros(value) : String(value);
}

function allowModels(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const pattern of child.allow_models ?? []) {
    const outside = parent.allowModels.find((l) => !l.patterns.some((q) => globWithin(pattern, q)));
    if (outside) {
      out.push({
        field: 'allow_models',
        message: `"${pattern}" is not within the allowlist set on ${outside.source} (${JSON.stringify(outside.patterns)}).`,
      });
    }
  }
  return out;
}

function modelMapper(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const [alias, target] of Object.entries(child.model_mapper ?? {})) {
    const outside = parent.allowModels.find((l) => !l.patterns.some((q) => globWithin(target, q)));
    if (outside) {
      out.push({
        field: `model_mapper.${alias}`,
        message: `maps to "${target}", which the allowlist set on ${outside.source} does not allow.`,
      });
    }
  }
  return out;
}

function limits(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const name of NUMERIC_LIMITS) {
    const raw = child.limits?.[name];
    const cap = parent.limits[name];
    if (raw === undefined || cap === undefined) continue;
    const value = limitNumber(name, raw);
    if (value > cap.value) {
      out.push({
        field: `limits.${name}`,
        message: `${shown(name, value)} is above the limit of ${shown(name, cap.value)} set on ${cap.source}.`,
      });
    }
  }
  return out;
}

function modelLimits(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const [model, entry] of Object.entries(child.model_limits ?? {})) {
    for (const name of ['rpm', 'tpm'] as const) {
      const value = entry[name];
      if (value === undefined) continue;
      const caps: { value: number; source: string }[] = [];
      const overall = parent.limits[name];
      if (overall) caps.push(overall);
      for (const layer of parent.layers) {
        for (const [pattern, limit] of Object.entries(layer.policy.model_limits ?? {})) {
          const v = limit[name];
          if (v !== undefined && globWithin(model, pattern)) caps.push({ value: v, source: layer.source });
        }
      }
      const cap = caps.reduce<{ value: number; source: string } | undefined>(
        (min, c) => (min === undefined || c.value < min.value ? c : min),
        undefined,
      );
      if (cap && value > cap.value) {
        out.push({
          field: `model_limits.${model}.${name}`,
          message: `${value} is above the limit of ${cap.value} set on ${cap.source}.`,
        });
      }
    }
  }
  return out;
}

function resources(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const pattern of child.resources ?? []) {
    const outside = parent.resources.find((l) => !l.patterns.some((q) => globWithin(pattern, q)));
    if (outside) {
      out.push({
        field: 'resources',
        message: `"${pattern}" is not within the resource allowlist set on ${outside.source}.`,
      });
    }
  }
  return out;
}

function ipAllow(parent: EffectivePolicy, child: Policy): Widening[] {
  const out: Widening[] = [];
  for (const cidr of child.ip_allow ?? []) {
    const range = parseCidr(cidr);
    if (!range) continue; // refused as invalid input before widening is checked
    const outside = parent.ipAllow.find(
      (l) =>
        !l.cidrs.some((c) => {
          const outer = parseCidr(c);
          return outer !== null && rangeWithin(range, outer);
        }),
    );
    if (outside) {
      out.push({
        field: 'ip_allow',
        message: `${cidr} is not inside the IP allowlist set on ${outside.source} (${outside.cidrs.join(', ')}).`,
      });
    }
  }
  return out;
}

/** A prepaid subtree stays prepaid: a child may not turn postpaid under a prepaid parent. */
function prepaid(parent: EffectivePolicy, child: Policy): Widening[] {
  if (child.prepaid !== false) return [];
  const setter = [...parent.layers].reverse().find((l) => l.policy.prepaid !== undefined);
  if (setter?.policy.prepaid !== true) return [];
  return [{ field: 'prepaid', message: `the wallet must stay prepaid, as ${setter.source} sets it.` }];
}

const anomalyStrictness = { alert: 0, cap: 1, suspend: 2 } as const;

/** An anomaly action no milder than the parent's: a child cannot opt out of a suspension. */
function anomaly(parent: EffectivePolicy, child: Policy): Widening[] {
  if (!child.anomaly) return [];
  const setter = [...parent.layers].reverse().find((l) => l.policy.anomaly !== undefined);
  const theirs = setter?.policy.anomaly?.action;
  if (!setter || !theirs || anomalyStrictness[child.anomaly.action] >= anomalyStrictness[theirs]) return [];
  return [
    {
      field: 'anomaly.action',
      message: `"${child.anomaly.action}" is milder than "${theirs}", set on ${setter.source}.`,
    },
  ];
}

/** Every way `child` would allow more than `parent`; empty when it is no wider. */
export function findWidening(parent: EffectivePolicy, child: Policy): Widening[] {
  return [
    ...allowModels(parent, child),
    ...modelMapper(parent, child),
    ...limits(parent, child),
    ...modelLimits(parent, child),
    ...resources(parent, child),
    ...ipAllow(parent, child),
    ...prepaid(parent, child),
    ...anomaly(parent, child),
  ];
}

/** Values the schema cannot check on its own; `ip_allow.2` names the entry. */
export function invalidPolicyValues(policy: Policy): Widening[] {
  return (policy.ip_allow ?? []).flatMap((cidr, i) =>
    parseCidr(cidr) ? [] : [{ field: `ip_allow.${i}`, message: `"${cidr}" is not an IPv4 or IPv6 CIDR.` }],
  );
}
