// Gateway-wide configuration that belongs to the root (routing and key pools; security and failure
// behaviour): levels (key pools) and upstream
// keys. Upstream secrets are write-only: encrypted at rest exactly like the policy loader does
// (AES-GCM under the KEK, HMAC fingerprint, last 4 kept), never read back.
import { asc, count, eq } from 'drizzle-orm';
import type { KeyRing } from '../crypto/secrets';
import { encryptSecret, fingerprintSecret, last4 } from '../crypto/secrets';
import { levels, upstreamKeys } from '../db/schema';
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
} from '../errors/gateway-error';
import type { ProviderKind } from '../providers/kinds';
import { type AdminContext, auditRow, isUniqueViolation, requireCapability, runBatch } from './context';
import { type Capability, isRootLevel } from './permissions';

export type LevelRow = typeof levels.$inferSelect;
export type UpstreamKeyRow = typeof upstreamKeys.$inferSelect;

/** Levels, upstream keys, prices and plans are the root's: only root-level principals see or change them. */
export function assertRootCatalog(ctx: AdminContext, capability: Capability): void {
  requireCapability(ctx.actor, capability);
  if (!isRootLevel(ctx.actor))
    throw new PermissionDeniedError(
      'root_required',
      'Levels, upstream keys, prices and plans are managed at the root.',
    );
}

const levelNotFound = (id: number) => new NotFoundError('level_not_found', `No level ${id}.`);
const upstreamNotFound = (id: string) =>
  new NotFoundError('upstream_key_not_found', `No upstream key "${id}".`);

export interface LevelInput {
  name?: string;
  retries?: number;
  timeouts?: { connect_ms?: number; first_byte_ms?: number; idle_ms?: number };
}

function levelChanges(input: LevelInput) {
  return {
    ...(input.name !== undefined && { name: input.name }),
    ...(input.retries !== undefined && { retries: input.retries }),
    ...(input.timeouts?.connect_ms !== undefined && { connectTimeoutMs: input.timeouts.connect_ms }),
    ...(input.timeouts?.first_byte_ms !== undefined && { firstByteTimeoutMs: input.timeouts.first_byte_ms }),
    ...(input.timeouts?.idle_ms !== undefined && { idleTimeoutMs: input.timeouts.idle_ms }),
  };
}

export async function listLevels(ctx: AdminContext) {
  assertRootCatalog(ctx, 'read');
  const [levelRows, keyRows] = await ctx.db.batch([
    ctx.db.select().from(levels).orderBy(asc(levels.id)),
    ctx.db.select().from(upstreamKeys).orderBy(asc(upstreamKeys.id)),
  ]);
  return levelRows.map((l) => ({ level: l, keys: keyRows.filter((k) => k.levelId === l.id) }));
}

export async function createLevel(ctx: AdminContext, input: LevelInput & { id: number; name: string }) {
  assertRootCatalog(ctx, 'catalog:write');
  const row: LevelRow = {
    id: input.id,
    name: input.name,
    retries: 1,
    connectTimeoutMs: 10_000,
    firstByteTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    ...levelChanges(input),
    updatedAt: ctx.now,
  };
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(levels).values(row),
      auditRow(ctx, {
        action: 'level.create',
        targetType: 'level',
        targetId: String(row.id),
        accountPath: ctx.actor.accountPath,
        after: row,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('level_id_taken', `Level ${input.id} exists.`, 'id');
    throw err;
  }
  return row;
}

async function level(ctx: AdminContext, id: number): Promise<LevelRow> {
  const [row] = await ctx.db.select().from(levels).where(eq(levels.id, id)).limit(1);
  if (!row) throw levelNotFound(id);
  return row;
}

export async function updateLevel(ctx: AdminContext, id: number, input: LevelInput) {
  assertRootCatalog(ctx, 'catalog:write');
  const before = await level(ctx, id);
  const after = { ...before, ...levelChanges(input), updatedAt: ctx.now };
  await runBatch(ctx.db, [
    ctx.db.update(levels).set(after).where(eq(levels.id, id)),
    auditRow(ctx, {
      action: 'level.update',
      targetType: 'level',
      targetId: String(id),
      accountPath: ctx.actor.accountPath,
      before,
      after,
    }),
  ]);
  return after;
}

export async function deleteLevel(ctx: AdminContext, id: number) {
  assertRootCatalog(ctx, 'catalog:write');
  const before = await level(ctx, id);
  const [keys] = await ctx.db.select({ n: count() }).from(upstreamKeys).where(eq(upstreamKeys.levelId, id));
  if ((keys?.n ?? 0) > 0)
    throw new ConflictError(
      'level_has_keys',
      `Level ${id} still has ${keys?.n} upstream key(s); delete them first.`,
    );
  await runBatch(ctx.db, [
    ctx.db.delete(levels).where(eq(levels.id, id)),
    auditRow(ctx, {
      action: 'level.delete',
      targetType: 'level',
      targetId: String(id),
      accountPath: ctx.actor.accountPath,
      before,
    }),
  ]);
}

export interface UpstreamKeyInput {
  level_id?: number;
  provider?: ProviderKind;
  base_url?: string | null;
  weight?: number;
  status?: 'active' | 'disabled';
  secret?: string;
  deployment?: string;
  api_version?: string;
}

async function sealed(ring: () => Promise<KeyRing>, secret: string | undefined) {
  if (secret === undefined) return {};
  const r = await ring();
  return {
    ...(await encryptSecret(r, secret)),
    fingerprint: await fingerprintSecret(r, secret),
    last4: last4(secret),
  };
}

function checkUpstream(k: { provider: ProviderKind; baseUrl: string | null; ciphertext: string | null }) {
  if ((k.provider === 'openai-compatible' || k.provider === 'azure-openai') && !k.baseUrl)
    throw new InvalidRequestError('invalid_request', `base_url: required for ${k.provider}`, 'base_url');
  if (k.provider !== 'mock' && !k.ciphertext)
    throw new InvalidRequestError('invalid_request', 'secret: an upstream key needs its secret', 'secret');
}

export async function createUpstreamKey(
  ctx: AdminContext,
  ring: () => Promise<KeyRing>,
  input: UpstreamKeyInput & { id: string; level_id: number; provider: ProviderKind },
): Promise<UpstreamKeyRow> {
  assertRootCatalog(ctx, 'catalog:write');
  await level(ctx, input.level_id);
  const options: Record<string, string> = {};
  if (input.deployment) options['deployment'] = input.deployment;
  if (input.api_version) options['api_version'] = input.api_version;
  const row: UpstreamKeyRow = {
    id: input.id,
    levelId: input.level_id,
    provider: input.provider,
    baseUrl: input.base_url ?? null,
    weight: input.weight ?? 1,
    status: input.status ?? 'active',
    credentialKind: 'api_key',
    ciphertext: null,
    kekId: null,
    fingerprint: null,
    last4: null,
    options,
    updatedAt: ctx.now,
    ...(await sealed(ring, input.secret)),
  };
  checkUpstream(row);
  try {
    await runBatch(ctx.db, [
      ctx.db.insert(upstreamKeys).values(row),
      auditRow(ctx, {
        action: 'upstream_key.create',
        targetType: 'upstream_key',
        targetId: row.id,
        accountPath: ctx.actor.accountPath,
        after: row,
      }),
    ]);
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('upstream_key_id_taken', `Upstream key "${input.id}" exists.`, 'id');
    throw err;
  }
  return row;
}

async function upstreamKey(ctx: AdminContext, id: string): Promise<UpstreamKeyRow> {
  const [row] = await ctx.db.select().from(upstreamKeys).where(eq(upstreamKeys.id, id)).limit(1);
  if (!row) throw upstreamNotFound(id);
  return row;
}

export async function updateUpstreamKey(
  ctx: AdminContext,
  ring: () => Promise<KeyRing>,
  id: string,
  input: UpstreamKeyInput,
): Promise<UpstreamKeyRow> {
  assertRootCatalog(ctx, 'catalog:write');
  const before = await upstreamKey(ctx, id);
  if (input.level_id !== undefined) await level(ctx, input.level_id);
  const options = { ...((before.options ?? {}) as Record<string, string>) };
  if (input.deployment !== undefined) options['deployment'] = input.deployment;
  if (input.api_version !== undefined) options['api_version'] = input.api_version;
  const changes = {
    ...(input.level_id !== undefined && { levelId: input.level_id }),
    ...(input.provider !== undefined && { provider: input.provider }),
    ...(input.base_url !== undefined && { baseUrl: input.base_url }),
    ...(input.weight !== undefined && { weight: input.weight }),
    ...(input.status !== undefined && { status: input.status }),
    options,
    updatedAt: ctx.now,
    ...(await sealed(ring, input.secret)),
  };
  const after = { ...before, ...changes };
  checkUpstream(after);
  await runBatch(ctx.db, [
    ctx.db.update(upstreamKeys).set(changes).where(eq(upstreamKeys.id, id)),
    auditRow(ctx, {
      action: 'upstream_key.update',
      targetType: 'upstream_key',
      targetId: id,
      accountPath: ctx.actor.accountPath,
      before,
      after,
    }),
  ]);
  return after;
}

export async function deleteUpstreamKey(ctx: AdminContext, id: string) {
  assertRootCatalog(ctx, 'catalog:write');
  const before = await upstreamKey(ctx, id);
  await runBatch(ctx.db, [
    ctx.db.delete(upstreamKeys).where(eq(upstreamKeys.id, id)),
    auditRow(ctx, {
      action: 'upstream_key.delete',
      targetType: 'upstream_key',
      targetId: id,
      accountPath: ctx.actor.accountPath,
      before,
    }),
  ]);
}

export async function listUpstreamKeys(ctx: AdminContext): Promise<UpstreamKeyRow[]> {
  assertRootCatalog(ctx, 'read');
  return ctx.db.select().from(upstreamKeys).orderBy(asc(upstreamKeys.levelId), asc(upstreamKeys.id));
}

/** The level an upstream key belongs to, or 404. */
export async function upstreamKeyLevel(ctx: AdminContext, id: string): Promise<number> {
  const [key] = await ctx.db
    .select({ levelId: upstreamKeys.levelId })
    .from(upstreamKeys)
    .where(eq(upstreamKeys.id, id));
  if (!key) throw new NotFoundError('upstream_key_not_found', `No upstream key "${id}".`);
  return key.levelId;
}

/**
 * The audit entry of an upstream key re-enabled by hand: its pool holds the state, so the caller
 * passes the key's health read from the pool before and after.
 */
export async function auditUpstreamKeyEnabled(
  ctx: AdminContext,
  change: { id: string; levelId: number; before: unknown; after: unknown },
): Promise<void> {
  await runBatch(ctx.db, [
    auditRow(ctx, {
      action: 'upstream_key.enable',
      targetType: 'upstream_key',
      targetId: change.id,
      accountPath: ctx.actor.accountPath,
      before: { level_id: change.levelId, health: change.before },
      after: { level_id: change.levelId, health: change.after },
    }),
  ]);
}
