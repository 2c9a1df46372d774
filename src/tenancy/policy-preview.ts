// "What changes" before a policy is saved (inherited policy, console): the refusals the write would get (the same
// widening check the write runs) and, for the account and each of its descendants, every
// effective field whose value or origin the new layer would change. Nothing is written.
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { accounts, policies } from '../db/schema';
import { type PolicyLayer, resolveEffectivePolicy } from '../policy/effective';
import { type Policy, policySchema } from '../policy/schema';
import { accountInScope, loadChain, subtreeRange } from './chain';
import type { AdminContext } from './context';
import { type EffectivePolicyView, effectivePolicyView } from './effective-view';
import { policyRefusals, type Refusal } from './policy-check';
import { diffViews, type FieldChange } from './policy-diff';

/** How many descendants one preview looks at; the answer says when there were more. */
export const PREVIEW_DESCENDANTS = 500;

export interface AccountChanges {
  id: string;
  path: string;
  name: string;
  changes: FieldChange[];
}

export interface PolicyPreview {
  /** Empty when the write would be accepted; fields are named as the API's 422 names them. */
  refusals: Refusal[];
  /** The account first, then its descendants by path; only those with a change. */
  accounts: AccountChanges[];
  descendantsChecked: number;
  truncated: boolean;
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
  const refusals = policyRefusals(parent, policy);
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
