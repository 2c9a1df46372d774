// The account tree (account tree and identity): children are created, read, changed and deleted by their
// ancestors only;
// a subtree is one index range on the materialized path; moves are refused (paths never change).
import { and, asc, count, eq, gt, gte, lt, sql, sum } from 'drizzle-orm';
import { accounts, ledgerEntries } from '../db/schema';
import { ConflictError, InvalidRequestError } from '../errors/gateway-error';
import { resolveEffectivePolicy } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { type AccountRow, accountInScope, layersOf, loadChain, subtreeRange } from './chain';
import {
  type AdminContext,
  accountNotFound,
  auditRow,
  enforce,
  isUniqueViolation,
  runBatch,
} from './context';
import { decodeCursor, encodeCursor } from './paging';
import { decide } from './permissions';
import { assertLevelsExist, assertNotWider, policyUpsert } from './policies';

export type AccountStatus = AccountRow['status'];

export interface CreateAccountInput {
  id?: string;
  parent_id?: string;
  name: string;
  kind: string;
  level?: number | null;
  policy?: Policy;
}

export interface UpdateAccountInput {
  name?: string;
  kind?: string;
  level?: number | null;
  policy?: Policy;
  parent_id?: string;
}

function newAccountId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `acct-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function cursorPath(cursor: string): string {
  const [path] = decodeCursor(cursor) ?? [];
  if (typeof path !== 'string')
    throw new InvalidRequestError('invalid_request', 'cursor: not a cursor from this API', 'cursor');
  return path;
}

export async function listSubtree(ctx: AdminContext, q: { root?: string; cursor?: string; limit: number }) {
  let path = ctx.actor.accountPath;
  if (q.root) path = (await accountInScope(ctx, q.root, 'read')).path;
  else enforce(decide(ctx.actor, 'read', path), accountNotFound(''));
  const after = q.cursor === undefined ? undefined : cursorPath(q.cursor);
  const { lower, upper } = subtreeRange(path);
  const rows = await ctx.db
    .select()
    .from(accounts)
    // A cursor is only ever a lower bound inside the subtree, so a forged one reveals nothing.
    .where(
      and(gte(accounts.path, lower), lt(accounts.path, upper), after ? gt(accounts.path, after) : undefined),
    )
    .orderBy(asc(accounts.path))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.path]) : null };
}

export async function createAccount(ctx: AdminContext, input: CreateAccountInput): Promise<AccountRow> {
  const parentId = input.parent_id ?? ctx.actor.accountId;
  if (!parentId) {
    throw new InvalidRequestError(
      'invalid_request',
      'parent_id: required (the root account is created by applying a policy file)',
      'parent_id',
    );
  }
  const parent = await accountInScope(ctx, parentId, 'accounts:write');
  const chain = await loadChain(ctx.db, parent.path);
  if (input.policy) assertNotWider(resolveEffectivePolicy(layersOf(chain)), input.policy);
  await assertLevelsExist(ctx.db, input.policy, input.level);
  const id = input.id ?? newAccountId();
  const path = `${parent.path}${id}/`;
  const row: AccountRow = {
    id,
    parentId: parent.id,
    path,
    depth: parent.depth + 1,
    name: input.name,
    status: 'active',
    kind: input.kind,
    level: input.level ?? null,
    timezone: null,
    configVersion: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(accounts).values(row),
      policyUpsert(ctx.db, id, input.policy ?? {}, ctx.now),
      auditRow(ctx, {
        action: 'account.create',
        targetType: 'account',
        targetId: id,
        accountPath: path,
        after: { ...row, policy: input.policy ?? {} },
      }),
    ]);
  } catch (err) {
    // Ids are global; the message does not say where the existing account lives.
    if (isUniqueViolation(err))
      throw new ConflictError('account_id_taken', `The account id "${id}" is taken.`, 'id');
    throw err;
  }
  return row;
}

export async function updateAccount(ctx: AdminContext, id: string, input: UpdateAccountInput) {
  const before = await accountInScope(ctx, id, 'accounts:write', 'below');
  if (input.parent_id !== undefined && input.parent_id !== before.parentId) {
    throw new InvalidRequestError(
      'account_move_refused',
      'Accounts cannot be moved to another parent: create the account under the new parent instead.',
      'parent_id',
    );
  }
  if (input.policy !== undefined) await accountInScope(ctx, id, 'policy:write', 'below');
  const chain = await loadChain(ctx.db, before.path);
  if (input.policy) assertNotWider(resolveEffectivePolicy(layersOf(chain.slice(0, -1))), input.policy);
  await assertLevelsExist(ctx.db, input.policy, input.level);
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.kind !== undefined && { kind: input.kind }),
    ...(input.level !== undefined && { level: input.level }),
  };
  const after: AccountRow = {
    ...before,
    ...changes,
    updatedAt: ctx.now,
    configVersion: before.configVersion + 1,
  };
  await runBatch(ctx.db, [
    ctx.db
      .update(accounts)
      .set({ ...changes, updatedAt: ctx.now, configVersion: sql`${accounts.configVersion} + 1` })
      .where(eq(accounts.id, id)),
    ...(input.policy ? [policyUpsert(ctx.db, id, input.policy, ctx.now)] : []),
    auditRow(ctx, {
      action: 'account.update',
      targetType: 'account',
      targetId: id,
      accountPath: before.path,
      before: input.policy ? { ...before, policy: chain.at(-1)?.policy ?? {} } : before,
      after: input.policy ? { ...after, policy: input.policy } : after,
    }),
  ]);
  return after;
}

export async function setAccountStatus(ctx: AdminContext, id: string, status: AccountStatus) {
  const before = await accountInScope(ctx, id, 'accounts:write', 'descendant');
  const after: AccountRow = {
    ...before,
    status,
    updatedAt: ctx.now,
    configVersion: before.configVersion + 1,
  };
  await runBatch(ctx.db, [
    ctx.db
      .update(accounts)
      .set({ status, updatedAt: ctx.now, configVersion: sql`${accounts.configVersion} + 1` })
      .where(eq(accounts.id, id)),
    auditRow(ctx, {
      action: `account.${status === 'active' ? 'reactivate' : status === 'suspended' ? 'suspend' : 'disable'}`,
      targetType: 'account',
      targetId: id,
      accountPath: before.path,
      before: { status: before.status },
      after: { status },
    }),
  ]);
  return after;
}

export async function deleteAccount(ctx: AdminContext, id: string): Promise<void> {
  const row = await accountInScope(ctx, id, 'accounts:write', 'descendant');
  const [[children], [balance]] = await ctx.db.batch([
    ctx.db.select({ n: count() }).from(accounts).where(eq(accounts.parentId, id)),
    ctx.db
      .select({ total: sum(ledgerEntries.amount) })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.accountId, id)),
  ]);
  if ((children?.n ?? 0) > 0) {
    throw new ConflictError(
      'account_has_children',
      `The account "${id}" has ${children?.n} child account(s); delete or empty them first.`,
    );
  }
  if (Number(balance?.total ?? 0) !== 0) {
    throw new ConflictError(
      'account_has_balance',
      `The account "${id}" still holds a balance; move or debit it before deleting the account.`,
    );
  }
  await runBatch(ctx.db, [
    ctx.db.delete(accounts).where(eq(accounts.id, id)),
    auditRow(ctx, {
      action: 'account.delete',
      targetType: 'account',
      targetId: id,
      accountPath: row.path,
      before: row,
    }),
  ]);
}

export async function readAccount(ctx: AdminContext, id: string): Promise<AccountRow> {
  return accountInScope(ctx, id, 'read');
}
