// Which pools a request for a model draws from at one account (inherited policy; limits and quotas), pure.
import { globMatch } from '../src/policy/glob';
import type { PoolSpec } from './pools';

export type Unit = 'requests' | 'tokens' | 'cost';

/** An account's (or key's) own limits, numbers only; budgets in micro-units. */
export interface LimitSet {
  rpm?: number;
  tpm?: number;
  rpd?: number;
  tpd?: number;
  dailyBudget?: number;
  monthlyBudget?: number;
  modelLimits?: Record<string, { rpm?: number; tpm?: number }>;
  /** This level is a prepaid wallet: its available credit (seeded from the ledger) is a pool. */
  credit?: true;
}

/** One level of the chain a request counts against, root first. */
export interface ChainLink {
  /** Governor name: an account id, or `key:<id>` for a key with limits of its own. */
  id: string;
  limits: LimitSet;
}

export interface Dim {
  name: string;
  unit: Unit;
  spec: PoolSpec;
}

const MINUTE = 60_000;

/** The pool spec behind a dim name at this level, or undefined when the level has no such limit. */
export function specFor(limits: LimitSet, name: string): { unit: Unit; spec: PoolSpec } | undefined {
  const bucket = (capacity: number | undefined, unit: Unit) =>
    capacity === undefined
      ? undefined
      : { unit, spec: { kind: 'bucket', capacity, periodMs: MINUTE } as PoolSpec };
  const period = (limit: number | undefined, unit: Unit, p: 'day' | 'month') =>
    limit === undefined ? undefined : { unit, spec: { kind: 'period', limit, period: p } as PoolSpec };
  switch (name) {
    case 'rpm':
      return bucket(limits.rpm, 'requests');
    case 'tpm':
      return bucket(limits.tpm, 'tokens');
    case 'rpd':
      return period(limits.rpd, 'requests', 'day');
    case 'tpd':
      return period(limits.tpd, 'tokens', 'day');
    case 'daily_budget':
      return period(limits.dailyBudget, 'cost', 'day');
    case 'monthly_budget':
      return period(limits.monthlyBudget, 'cost', 'month');
    case 'credit':
      return limits.credit ? { unit: 'cost', spec: { kind: 'credit' } } : undefined;
  }
  const m = /^model_(rpm|tpm):(.+)$/.exec(name);
  if (!m) return undefined;
  const entry = limits.modelLimits?.[m[2] as string];
  return m[1] === 'rpm' ? bucket(entry?.rpm, 'requests') : bucket(entry?.tpm, 'tokens');
}

const BASE = ['rpm', 'tpm', 'rpd', 'tpd', 'daily_budget', 'monthly_budget'] as const;

/** Every pool of this level a request for `model` draws from. */
export function dimsFor(limits: LimitSet, model: string): Dim[] {
  const names: string[] = [...BASE];
  if (limits.credit) names.push('credit');
  for (const [pattern, entry] of Object.entries(limits.modelLimits ?? {})) {
    if (!globMatch(pattern, model)) continue;
    if (entry.rpm !== undefined) names.push(`model_rpm:${pattern}`);
    if (entry.tpm !== undefined) names.push(`model_tpm:${pattern}`);
  }
  return names.flatMap((name) => {
    const found = specFor(limits, name);
    return found ? [{ name, ...found }] : [];
  });
}

export function hasLimits(limits: LimitSet): boolean {
  return (
    BASE.some((n) => specFor(limits, n) !== undefined) ||
    Object.keys(limits.modelLimits ?? {}).length > 0 ||
    limits.credit === true
  );
}

/** Names and units of every pool above this level (the parent lease covers them). */
export function upstreamDims(chain: ChainLink[], model: string): Map<string, Unit> {
  const out = new Map<string, Unit>();
  for (const link of chain.slice(0, -1)) for (const d of dimsFor(link.limits, model)) out.set(d.name, d.unit);
  return out;
}
