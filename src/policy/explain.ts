// Policy as code (policy as code), pure part: how a plan changes the *effective* policy (inherited policy)
// of every account
// and gateway key, including the ones the file does not touch but inherit from what it changes —
// "alice: rpm 120 → 60 (from engineering)", "ci-key: model gpt-4o no longer allowed".
import {
  type EffectiveLimit,
  MONEY_LIMITS,
  NUMERIC_LIMITS,
  type NumericLimit,
  nearest,
  type PolicyLayer,
  resolveEffectivePolicy,
} from './effective';
import { globMatch, isGlob } from './glob';
import type { GatewayState } from './plan';
import { fromMicros, type Policy } from './schema';

export interface EffectiveChange {
  subject: 'account' | 'gateway_key';
  id: string;
  /** `limits.rpm`, `allow_models`, `model_mapper.gpt-4o`, … */
  field: string;
  /** One line for people: `alice: rpm 120 → 60 (from engineering)`. */
  text: string;
}

/** Root first, down to `accountId`, each account's own layer (`account:<id>`). */
export function accountLayers(state: GatewayState, accountId: string): PolicyLayer[] {
  const byId = new Map(state.accounts.map((a) => [a.id, a]));
  const layers: PolicyLayer[] = [];
  const seen = new Set<string>();
  for (let a = byId.get(accountId); a && !seen.has(a.id); a = a.parentId ? byId.get(a.parentId) : undefined) {
    seen.add(a.id);
    layers.unshift({ source: `account:${a.id}`, policy: a.policy });
  }
  return layers;
}

function keyLayers(state: GatewayState, keyId: string): PolicyLayer[] | undefined {
  const key = state.gatewayKeys.find((k) => k.id === keyId);
  if (!key) return undefined;
  const layers = accountLayers(state, key.accountId);
  return key.policy ? [...layers, { source: `key:${key.id}`, policy: key.policy }] : layers;
}

/** `account:engineering` → `engineering`, `key:ci` → `key ci`. */
const layerName = (source: string) =>
  source.startsWith('account:') ? source.slice('account:'.length) : source.replace(':', ' ');

const shownLimit = (name: NumericLimit, l: EffectiveLimit | undefined) =>
  l === undefined ? 'unlimited' : MONEY_LIMITS.has(name) ? fromMicros(l.value) : String(l.value);

/** Exact model names any policy or price mentions: the names whose admission the plan reports. */
function candidateModels(states: GatewayState[]): string[] {
  const names = new Set<string>();
  const add = (n: string) => {
    if (!isGlob(n)) names.add(n);
  };
  const fromPolicy = (p: Policy | null) => {
    if (!p) return;
    for (const m of p.allow_models ?? []) add(m);
    for (const [alias, target] of Object.entries(p.model_mapper ?? {})) {
      add(alias);
      add(target);
    }
    for (const m of Object.keys(p.level_mapper ?? {})) add(m);
    for (const m of Object.keys(p.model_limits ?? {})) add(m);
  };
  for (const s of states) {
    for (const a of s.accounts) fromPolicy(a.policy);
    for (const k of s.gatewayKeys) fromPolicy(k.policy);
    for (const p of s.prices) add(p.model);
  }
  return [...names].sort();
}

function mapperKeys(layers: PolicyLayer[][], pick: (p: Policy) => Record<string, unknown> | undefined) {
  return [...new Set(layers.flat().flatMap((l) => Object.keys(pick(l.policy) ?? {})))].sort();
}

function compare(name: string, before: PolicyLayer[], after: PolicyLayer[], models: string[]): string[] {
  const b = resolveEffectivePolicy(before);
  const a = resolveEffectivePolicy(after);
  const lines: string[] = [];
  for (const limit of NUMERIC_LIMITS) {
    const was = b.limits[limit];
    const now = a.limits[limit];
    if (was?.value === now?.value) continue;
    const from = now ? ` (from ${layerName(now.source)})` : '';
    lines.push(`${name}: ${limit} ${shownLimit(limit, was)} → ${shownLimit(limit, now)}${from}`);
  }
  const blocker = (eff: typeof a, model: string) =>
    eff.allowModels.find((l) => !l.patterns.some((p) => globMatch(p, model)));
  for (const model of models) {
    const wasBlocked = blocker(b, model);
    const nowBlocked = blocker(a, model);
    if (!wasBlocked && nowBlocked)
      lines.push(`${name}: model ${model} no longer allowed (by ${layerName(nowBlocked.source)})`);
    else if (wasBlocked && !nowBlocked) lines.push(`${name}: model ${model} now allowed`);
  }
  type Table = (p: Policy) => Record<string, unknown> | undefined;
  const tables: [string, Table][] = [
    ['model_mapper', (p) => p.model_mapper],
    ['level_mapper', (p) => p.level_mapper],
    ['model_limits', (p) => p.model_limits],
  ];
  for (const [field, pick] of tables) {
    for (const key of mapperKeys([before, after], pick)) {
      const was = nearest(before, pick, key);
      const now = nearest(after, pick, key);
      const show = (v: { value: unknown } | undefined) =>
        v === undefined ? '(none)' : typeof v.value === 'object' ? JSON.stringify(v.value) : String(v.value);
      if (show(was) === show(now)) continue;
      const from = now ? ` (from ${layerName(now.source)})` : '';
      lines.push(`${name}: ${field} ${key}: ${show(was)} → ${show(now)}${from}`);
    }
  }
  const lists = [
    ['resources', (e: typeof a) => e.resources.map((l) => ({ source: l.source, v: l.patterns }))],
    ['ip_allow', (e: typeof a) => e.ipAllow.map((l) => ({ source: l.source, v: l.cidrs }))],
  ] as const;
  for (const [field, pick] of lists) {
    const show = (e: typeof a) => {
      const layers = pick(e);
      return layers.length === 0
        ? 'any'
        : layers.map((l) => `${JSON.stringify(l.v)} (${layerName(l.source)})`).join(' ∧ ');
    };
    if (show(b) !== show(a)) lines.push(`${name}: ${field} ${show(b)} → ${show(a)}`);
  }
  return lines;
}

/**
 * Every effective change between `before` and `after`, for accounts and keys present in both
 * (created and deleted objects are in the object diff). Ordered by account, then key.
 */
export function explainEffective(before: GatewayState, after: GatewayState): EffectiveChange[] {
  const models = candidateModels([before, after]);
  const out: EffectiveChange[] = [];
  const push = (subject: EffectiveChange['subject'], id: string, lines: string[]) => {
    for (const text of lines) {
      const field = text.slice(text.indexOf(': ') + 2).split(' ')[0] ?? '';
      out.push({ subject, id, field: field === 'model' ? 'allow_models' : field, text });
    }
  };
  const afterIds = new Set(after.accounts.map((a) => a.id));
  for (const a of before.accounts) {
    if (!afterIds.has(a.id)) continue;
    push('account', a.id, compare(a.id, accountLayers(before, a.id), accountLayers(after, a.id), models));
  }
  for (const k of before.gatewayKeys) {
    const was = keyLayers(before, k.id);
    const now = keyLayers(after, k.id);
    if (was && now) push('gateway_key', k.id, compare(k.id, was, now, models));
  }
  return out;
}
