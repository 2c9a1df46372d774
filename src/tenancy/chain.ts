// Reading accounts and their ancestry from D1, scoped to the caller: the building blocks every
// admin operation starts from.
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { accounts, policies } from '../db/schema';
import type { PolicyLayer } from '../policy/effective';
import { type Policy, policySchema } from '../policy/schema';
import { type AdminContext, accountNotFound, enforce } from './context';
import type { Origin } from './effective-view';
import { type Capability, decide, type Placement } from './permissions';

export type AccountRow = typeof accounts.$inferSelect;

export interface ChainLink {
  account: AccountRow;
  policy: Policy;
}

/** Index-friendly bounds of a subtree: every descendant path p has lower <= p < upper. */
export function subtreeRange(path: string): { lower: string; upper: string } {
  // Paths end with "/", and "0" is the character right after "/".
  return { lower: path, upper: `${path.slice(0, -1)}0` };
}

export async function loadAccount(db: Database, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id)).limit(1);
  return row;
}

/** The account, if it exists, is inside the caller's subtree and the caller may do `capability`. */
export async function accountInScope(
  ctx: AdminContext,
  id: string,
  capability: Capability,
  placement: Placement = 'subtree',
): Promise<AccountRow> {
  const row = await loadAccount(ctx.db, id);
  if (!row) throw accountNotFound(id)();
  enforce(decide(ctx.actor, capability, row.path, placement), accountNotFound(id));
  return row;
}

/** Root first, down to the account at `path`, each with its own policy layer. */
export async function loadChain(db: Database, path: string): Promise<ChainLink[]> {
  const ids = path.split('/').filter(Boolean);
  if (ids.length === 0) return [];
  const rows = await db
    .select({ account: accounts, policy: policies.body })
    .from(accounts)
    .leftJoin(policies, eq(policies.accountId, accounts.id))
    .where(inArray(accounts.id, ids));
  return rows
    .sort((a, b) => a.account.depth - b.account.depth)
    .map((r) => ({ account: r.account, policy: policySchema.parse(r.policy ?? {}) }));
}

export function layersOf(chain: readonly ChainLink[]): PolicyLayer[] {
  return chain.map((l) => ({ source: `account:${l.account.id}`, policy: l.policy }));
}

/** The nearest account's default level, as requests use it. */
export function defaultLevelOf(chain: readonly ChainLink[]): Origin<number> | null {
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = (chain[i] as ChainLink).account;
    if (a.level !== null) return { value: a.level, source: `account:${a.id}` };
  }
  return null;
}
