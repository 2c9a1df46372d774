// "What changes" before a policy is saved (C4, C11): the refusals the write would get (the same
// widening check the write runs) and, for the account and each of its descendants, every
// effective field whose value or origin the new layer would change. Nothing is written.
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { accounts, policies } from '../db/schema';
import { type PolicyLayer, resolveEffectivePolicy } from '../policy/effective';
import { type Policy, policySchema } from '../policy/schema';
import { accountInScope, loadChain, subtreeRange } from './chain';
import type { AdminContext } from './context';
import { type EffectivePolicyView, effectivePolicyView, type Origin } from './effective-view';
import { findWidening, invalidPolicyValues, type Widening } from './widening';

/** How many descendants one preview looks at; the answer says when there were more. */
export const PREVIEW_DESCENDANTS = 500;

export interface FieldValue {
  value: string;
  source: string;
}

export interface FieldChange {
  field: string;
  before: FieldValue | null;
  after: FieldValue | null;
}

export interface AccountChanges {
  id: string;
  path: string;
  name: string;
  changes: FieldChange[];
}

export interface PolicyPreview {
  /** Empty when the write would be accepted; fields are named as the API's 422 names them. */
  refusals: Widening[];
  /** The account first, then its descendants by path; only those with a change. */
  accounts: AccountChanges[];
  descendantsChecked: number;
  truncated: boolean;
}

/** Every effective field of a view as `field → value (source)`, one entry per leaf (pure). */
export function flattenView(view: EffectivePolicyView): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  const lists = (field: string, layers: { source: string; items: string[] }[]) => {
    if (layers.length === 0) return;
    out.set(field, {
      value: layers.map((l) => l.items.join(', ')).join(' ∧ '),
      source: layers.map((l) => l.source).join(' ∧ '),
    });
  };
  lists(
    'allow_models',
    view.allow_models.map((l) => ({ source: l.source, items: l.patterns })),
  );
  lists(
    'resources',
    view.resources.map((l) => ({ source: l.source, items: l.patterns })),
  );
  lists(
    'ip_allow',
    view.ip_allow.map((l) => ({ source: l.source, items: l.cidrs })),
  );
  const one = (field: string, o: Origin<unknown> | undefined | null) => {
    if (o)
      out.set(field, {
        value: Array.isArray(o.value) ? o.value.join(', ') : String(o.value),
        source: o.source,
      });
  };
  for (const [name, o] of Object.entries(view.limits)) one(`limits.${name}`, o);
  for (const [k, o] of Object.entries(view.model_mapper)) one(`model_mapper.${k}`, o);
  for (const [k, o] of Object.entries(view.level_mapper)) one(`level_mapper.${k}`, o);
  for (const [k, o] of Object.entries(view.switch_over)) one(`switch_over.${k}`, o);
  for (const [k, l] of Object.entries(view.model_limits)) {
    one(`model_limits.${k}.rpm`, l.rpm);
    one(`model_limits.${k}.tpm`, l.tpm);
  }
  one('budget_alerts', view.budget_alerts);
  one('level', view.level);
  return out;
}

/** The fields whose value or origin differs between two views (pure). */
export function diffViews(before: EffectivePolicyView, after: EffectivePolicyView): FieldChange[] {
  const a = flattenView(before);
  const b = flattenView(after);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const x = a.get(field) ?? null;
    const y = b.get(field) ?? null;
    if (x?.value !== y?.value || x?.source !== y?.source) changes.push({ field, before: x, after: y });
  }
  return changes;
}

interface Node {
  id: string;
  path: string;
  name: string;
  level: number | null;
  policy: Policy;
}

function viewOf(chain: Node[]): EffectivePolicyView {
  const layers: PolicyLayer[] = chain.map((n) => ({ source: `account:${n.id}`, policy: n.policy }));
  const withLevel = [...chain].reverse().find((n) => n.level !== null);
  return effectivePolicyView(
    resolveEffectivePolicy(layers),
    withLevel ? { value: withLevel.level as number, source: `account:${withLevel.id}` } : null,
  );
}

/** What replacing account `id`'s own layer with `policy` would refuse and change. */
export async function previewAccountPolicy(
  ctx: AdminContext,
  id: string,
  policy: Policy,
): Promise<PolicyPreview> {
  const account = await accountInScope(ctx, id, 'policy:write', 'below');
  const chain = await loadChain(ctx.db, account.path);
  const above: Node[] = chain.slice(0, -1).map((l) => ({ ...l.account, policy: l.policy }));
  const parent = resolveEffectivePolicy(above.map((n) => ({ source: `account:${n.id}`, policy: n.policy })));
  const refusals = [...invalidPolicyValues(policy), ...findWidening(parent, policy)].map((w) => ({
    field: `policy.${w.field}`,
    message: w.message,
  }));
  const { lower, upper } = subtreeRange(account.path);
  const rows = await ctx.db
    .select({
      id: accounts.id,
      path: accounts.path,
      name: accounts.name,
      level: accounts.level,
      policy: policies.body,
    })
    .from(accounts)
    .leftJoin(policies, eq(policies.accountId, accounts.id))
    .where(and(gt(accounts.path, lower), lt(accounts.path, upper)))
    .orderBy(asc(accounts.path))
    .limit(PREVIEW_DESCENDANTS + 1);
  const descendants: Node[] = rows
    .slice(0, PREVIEW_DESCENDANTS)
    .map((r) => ({ ...r, policy: policySchema.parse(r.policy ?? {}) }));
  const self = chain.at(-1);
  const current: Node = {
    ...account,
    policy: self?.policy ?? {},
  };
  const byId = new Map(descendants.map((d) => [d.id, d]));
  const out: AccountChanges[] = [];
  for (const node of [current, ...descendants]) {
    const below = node.path
      .slice(account.path.length)
      .split('/')
      .filter(Boolean)
      .map((segment) => byId.get(segment))
      .filter((n): n is Node => n !== undefined);
    const changes = diffViews(
      viewOf([...above, current, ...below]),
      viewOf([...above, { ...current, policy }, ...below]),
    );
    if (changes.length > 0) out.push({ id: node.id, path: node.path, name: node.name, changes });
  }
  return {
    refusals,
    accounts: out,
    descendantsChecked: descendants.length,
    truncated: rows.length > PREVIEW_DESCENDANTS,
  };
}
