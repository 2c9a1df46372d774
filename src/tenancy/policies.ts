// Account and key policies (inherited policy): reads, writes that may not widen a child beyond its parent,
// and
// the inheritance view. Writes are audited in the same batch and propagated by the caller.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { accounts, levels, policies } from '../db/schema';
import { InvalidRequestError, PolicyWideningError } from '../errors/gateway-error';
import { type EffectivePolicy, resolveEffectivePolicy } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { accountInScope, defaultLevelOf, layersOf, loadChain } from './chain';
import { type AdminContext, auditRow, runBatch } from './context';
import { type EffectivePolicyView, effectivePolicyView } from './effective-view';
import { policyRefusals } from './policy-check';

/** Refuses a policy that is malformed beyond the schema, or wider than `parent` (422 naming the field). */
export function assertNotWider(parent: EffectivePolicy, policy: Policy, prefix = 'policy'): void {
  const refusals = policyRefusals(parent, policy, prefix);
  const invalid = refusals.find((r) => r.kind === 'invalid');
  if (invalid)
    throw new InvalidRequestError('invalid_request', `${invalid.field}: ${invalid.message}`, invalid.field);
  const [first] = refusals;
  if (first) {
    const all = refusals.map((w) => `${w.field}: ${w.message}`).join(' ');
    throw new PolicyWideningError(first.field, `The policy would widen its parent's. ${all}`);
  }
}

/** Levels named by a policy (and an account's default level) must exist. */
export async function assertLevelsExist(db: Database, policy: Policy | undefined, level?: number | null) {
  const wanted = new Set<number>([
    ...Object.values(policy?.level_mapper ?? {}),
    ...Object.values(policy?.switch_over ?? {}),
    ...Object.keys(policy?.switch_over ?? {}).map(Number),
  ]);
  if (level !== undefined && level !== null) wanted.add(level);
  if (wanted.size === 0) return;
  const found = await db
    .select({ id: levels.id })
    .from(levels)
    .where(inArray(levels.id, [...wanted]));
  const missing = [...wanted].filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0)
    throw new InvalidRequestError('unknown_level', `Unknown level ${missing.join(', ')}.`, 'level');
}

export async function readAccountPolicy(ctx: AdminContext, id: string) {
  const account = await accountInScope(ctx, id, 'read');
  const [row] = await ctx.db.select().from(policies).where(eq(policies.accountId, id)).limit(1);
  return { account, policy: (row?.body ?? {}) as Policy, updatedAt: row?.updatedAt ?? null };
}

export function policyUpsert(db: Database, accountId: string, body: Policy, now: number) {
  return db
    .insert(policies)
    .values({ accountId, body, updatedAt: now })
    .onConflictDoUpdate({ target: policies.accountId, set: { body, updatedAt: now } });
}

export async function writeAccountPolicy(ctx: AdminContext, id: string, policy: Policy) {
  const account = await accountInScope(ctx, id, 'policy:write', 'below');
  const chain = await loadChain(ctx.db, account.path);
  assertNotWider(resolveEffectivePolicy(layersOf(chain.slice(0, -1))), policy);
  await assertLevelsExist(ctx.db, policy);
  const before = chain.at(-1)?.policy ?? {};
  await runBatch(ctx.db, [
    policyUpsert(ctx.db, id, policy, ctx.now),
    ctx.db
      .update(accounts)
      .set({ updatedAt: ctx.now, configVersion: sql`${accounts.configVersion} + 1` })
      .where(eq(accounts.id, id)),
    auditRow(ctx, {
      action: 'account.policy.update',
      targetType: 'account',
      targetId: id,
      accountPath: account.path,
      before,
      after: policy,
    }),
  ]);
  return { policy, updatedAt: ctx.now };
}

export async function accountEffectiveView(ctx: AdminContext, id: string): Promise<EffectivePolicyView> {
  const account = await accountInScope(ctx, id, 'read');
  const chain = await loadChain(ctx.db, account.path);
  return effectivePolicyView(resolveEffectivePolicy(layersOf(chain)), defaultLevelOf(chain));
}
