// Gateway keys (account tree and identity): shown once at creation, stored as SHA-256 hash plus a
// 10-character prefix,
// optionally expiring, named, with a policy no wider than their account's, revocable.
import { and, asc, eq, gt } from 'drizzle-orm';
import { gatewayKeys } from '../db/schema';
import { InvalidRequestError, NotFoundError } from '../errors/gateway-error';
import { keyPrefix, newGatewayKey, newId, sha256Hex } from '../lib/ids';
import { resolveEffectivePolicy } from '../policy/effective';
import { type Policy, policySchema } from '../policy/schema';
import { type AccountRow, accountInScope, defaultLevelOf, layersOf, loadAccount, loadChain } from './chain';
import { type AdminContext, auditRow, enforce, runBatch } from './context';
import { type EffectivePolicyView, effectivePolicyView } from './effective-view';
import { decodeCursor, encodeCursor } from './paging';
import { decide, decideKeyWrite } from './permissions';
import { assertNotWider } from './policies';

export type GatewayKeyRow = typeof gatewayKeys.$inferSelect;

const keyNotFound = (id: string) => () => new NotFoundError('key_not_found', `No key "${id}".`);

/** The key and its account, when the key exists inside the caller's subtree. */
async function keyInScope(
  ctx: AdminContext,
  id: string,
): Promise<{ key: GatewayKeyRow; account: AccountRow }> {
  const [key] = await ctx.db.select().from(gatewayKeys).where(eq(gatewayKeys.id, id)).limit(1);
  const account = key && (await loadAccount(ctx.db, key.accountId));
  if (!key || !account) throw keyNotFound(id)();
  enforce(decide(ctx.actor, 'read', account.path), keyNotFound(id));
  return { key, account };
}

function futureOrNull(ctx: AdminContext, iso: string | null | undefined): number | null | undefined {
  if (iso === undefined || iso === null) return iso;
  const at = Date.parse(iso);
  if (at <= ctx.now)
    throw new InvalidRequestError('invalid_request', 'expires_at: must be in the future', 'expires_at');
  return at;
}

async function assertWithinAccount(
  ctx: AdminContext,
  account: AccountRow,
  policy: Policy | null | undefined,
) {
  if (!policy) return;
  const chain = await loadChain(ctx.db, account.path);
  assertNotWider(resolveEffectivePolicy(layersOf(chain)), policy);
}

export async function listKeys(ctx: AdminContext, accountId: string, q: { cursor?: string; limit: number }) {
  await accountInScope(ctx, accountId, 'read');
  const [after] = q.cursor ? (decodeCursor(q.cursor) ?? []) : [];
  const rows = await ctx.db
    .select()
    .from(gatewayKeys)
    .where(
      and(
        eq(gatewayKeys.accountId, accountId),
        typeof after === 'string' ? gt(gatewayKeys.id, after) : undefined,
      ),
    )
    .orderBy(asc(gatewayKeys.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
}

export async function createKey(
  ctx: AdminContext,
  accountId: string,
  input: { name: string; expires_at?: string | null; policy?: Policy | null },
): Promise<{ row: GatewayKeyRow; key: string }> {
  const account = await accountInScope(ctx, accountId, 'read');
  enforce(
    decideKeyWrite(ctx.actor, account.path),
    () => new NotFoundError('account_not_found', `No account "${accountId}".`),
  );
  await assertWithinAccount(ctx, account, input.policy);
  const key = newGatewayKey();
  const row: GatewayKeyRow = {
    id: newId('key'),
    accountId,
    name: input.name,
    prefix: keyPrefix(key),
    hash: await sha256Hex(key),
    policy: input.policy ?? null,
    expiresAt: futureOrNull(ctx, input.expires_at) ?? null,
    revokedAt: null,
    createdAt: ctx.now,
    createdBy: ctx.actor.id,
  };
  await runBatch(ctx.db, [
    ctx.db.insert(gatewayKeys).values(row),
    auditRow(ctx, {
      action: 'key.create',
      targetType: 'gateway_key',
      targetId: row.id,
      accountPath: account.path,
      after: row,
    }),
  ]);
  return { row, key };
}

export async function readKey(ctx: AdminContext, id: string): Promise<GatewayKeyRow> {
  return (await keyInScope(ctx, id)).key;
}

export async function updateKey(
  ctx: AdminContext,
  id: string,
  input: { name?: string; expires_at?: string | null; policy?: Policy | null },
): Promise<GatewayKeyRow> {
  const { key, account } = await keyInScope(ctx, id);
  enforce(decideKeyWrite(ctx.actor, account.path, key.createdBy), keyNotFound(id));
  await assertWithinAccount(ctx, account, input.policy);
  const changes = {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.policy !== undefined && { policy: input.policy }),
    ...(input.expires_at !== undefined && { expiresAt: futureOrNull(ctx, input.expires_at) ?? null }),
  };
  const after = { ...key, ...changes };
  await runBatch(ctx.db, [
    ctx.db.update(gatewayKeys).set(changes).where(eq(gatewayKeys.id, id)),
    auditRow(ctx, {
      action: 'key.update',
      targetType: 'gateway_key',
      targetId: id,
      accountPath: account.path,
      before: key,
      after,
    }),
  ]);
  return after;
}

export async function revokeKey(ctx: AdminContext, id: string): Promise<GatewayKeyRow> {
  const { key, account } = await keyInScope(ctx, id);
  enforce(decideKeyWrite(ctx.actor, account.path, key.createdBy), keyNotFound(id));
  if (key.revokedAt !== null) return key;
  const after = { ...key, revokedAt: ctx.now };
  await runBatch(ctx.db, [
    ctx.db.update(gatewayKeys).set({ revokedAt: ctx.now }).where(eq(gatewayKeys.id, id)),
    auditRow(ctx, {
      action: 'key.revoke',
      targetType: 'gateway_key',
      targetId: id,
      accountPath: account.path,
      before: { revokedAt: null },
      after: { revokedAt: ctx.now },
    }),
  ]);
  return after;
}

export async function keyEffectiveView(ctx: AdminContext, id: string): Promise<EffectivePolicyView> {
  const { key, account } = await keyInScope(ctx, id);
  const chain = await loadChain(ctx.db, account.path);
  const layers = layersOf(chain);
  if (key.policy) layers.push({ source: `key:${key.id}`, policy: policySchema.parse(key.policy) });
  return effectivePolicyView(resolveEffectivePolicy(layers), defaultLevelOf(chain));
}
