// Policy apply's writes (policy as code): for each planned change the D1 statements that make it and its audit
// entry, built from the plan without reading anything (a price update looks up its row id; a new or
// changed upstream secret is sealed). applyPolicy runs them as one batch.
import { eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { encryptSecret, type KeyRing, last4 } from '../crypto/secrets';
import type { Database } from '../db/client';
import { accounts, auditLog, gatewayKeys, levels, modelPrices, policies, upstreamKeys } from '../db/schema';
import { newId } from '../lib/ids';
import type { ApplyActor } from './apply';
import type { AccountState, Change, GatewayState } from './plan';
import type { Removal } from './prune';
import type { Policy } from './schema';

type Statement = BatchItem<'sqlite'>;

/** Upstream secrets by key id, the key ring that seals them (when there are any), their fingerprints. */
export interface Sealing {
  secrets: Record<string, string>;
  ring?: KeyRing;
  fingerprints: Record<string, string>;
}

/** Everything a change's statements are built from. `paths` gains the paths of created accounts. */
export interface ApplyWrite {
  db: Database;
  now: number;
  actor: ApplyActor;
  current: GatewayState;
  desired: GatewayState;
  paths: Map<string, string>;
  rootPath: string;
  sealing: Sealing;
}

const byId = <T extends { id: string | number }>(list: T[], id: string) =>
  list.find((x) => String(x.id) === id);

function auditStatement(w: ApplyWrite, change: Change, before: unknown, after: unknown, accountPath: string) {
  return w.db.insert(auditLog).values({
    id: newId('aud'),
    ts: w.now,
    actorType: w.actor.type,
    actorId: w.actor.id,
    accountPath,
    action: `policy.apply.${change.op}`,
    targetType: change.entity,
    targetId: change.id,
    before: before ?? null,
    after,
    ip: w.actor.ip,
    requestId: w.actor.requestId,
  });
}

/** The statements of one create or update, its audit entry last. */
export async function upsertStatements(w: ApplyWrite, change: Change): Promise<Statement[]> {
  switch (change.entity) {
    case 'account':
      return accountStatements(w, change);
    case 'level':
      return levelStatements(w, change);
    case 'upstream_key':
      return upstreamKeyStatements(w, change);
    case 'gateway_key':
      return gatewayKeyStatements(w, change);
    case 'price':
      return priceStatements(w, change);
  }
}

function accountStatements(w: ApplyWrite, change: Change): Statement[] {
  const a = w.desired.accounts.find((x) => x.id === change.id) as AccountState;
  const path = change.op === 'create' ? accountPath(a, w.paths) : (w.paths.get(a.id) as string);
  w.paths.set(a.id, path);
  const row = {
    name: a.name,
    kind: a.kind,
    status: a.status,
    level: a.level,
    timezone: a.timezone,
    updatedAt: w.now,
  };
  const write =
    change.op === 'create'
      ? w.db.insert(accounts).values({
          id: a.id,
          parentId: a.parentId,
          path,
          depth: path.split('/').length - 2,
          createdAt: w.now,
          ...row,
        })
      : w.db
          .update(accounts)
          .set({ ...row, configVersion: sql`${accounts.configVersion} + 1` })
          .where(eq(accounts.id, a.id));
  return [
    write,
    policyUpsert(w.db, a.id, a.policy, w.now),
    auditStatement(w, change, byId(w.current.accounts, a.id), a, path),
  ];
}

function levelStatements(w: ApplyWrite, change: Change): Statement[] {
  const l = w.desired.levels.find((x) => String(x.id) === change.id);
  if (!l) return [];
  const row = { ...l, updatedAt: w.now };
  return [
    w.db.insert(levels).values(row).onConflictDoUpdate({ target: levels.id, set: row }),
    auditStatement(w, change, byId(w.current.levels, change.id), l, w.rootPath),
  ];
}

async function upstreamKeyStatements(w: ApplyWrite, change: Change): Promise<Statement[]> {
  const k = w.desired.upstreamKeys.find((x) => x.id === change.id);
  if (!k) return [];
  const row = {
    levelId: k.levelId,
    provider: k.provider as typeof upstreamKeys.$inferInsert.provider,
    baseUrl: k.baseUrl,
    weight: k.weight,
    status: k.status,
    options: k.options,
    fingerprint: k.fingerprint,
    credentialKind: k.credentialKind,
    updatedAt: w.now,
  };
  const secret = w.sealing.secrets[k.id];
  const ring = w.sealing.ring;
  const sealed =
    (change.op === 'create' || change.fields.includes('fingerprint')) && secret !== undefined && ring
      ? { ...(await encryptSecret(ring, secret)), last4: last4(secret) }
      : {};
  return [
    w.db
      .insert(upstreamKeys)
      .values({ id: k.id, ...row, ...sealed })
      .onConflictDoUpdate({ target: upstreamKeys.id, set: { ...row, ...sealed } }),
    auditStatement(w, change, redactKey(byId(w.current.upstreamKeys, k.id)), redactKey(k), w.rootPath),
  ];
}

function gatewayKeyStatements(w: ApplyWrite, change: Change): Statement[] {
  const k = w.desired.gatewayKeys.find((x) => x.id === change.id);
  if (!k) return [];
  const row = {
    accountId: k.accountId,
    name: k.name,
    hash: k.hash,
    prefix: k.prefix,
    expiresAt: k.expiresAt,
    policy: k.policy,
    revokedAt: null,
  };
  const redact = (g: typeof k | undefined) => g && { ...g, hash: '[redacted]' };
  return [
    w.db
      .insert(gatewayKeys)
      .values({ id: k.id, createdAt: w.now, createdBy: w.actor.id, ...row })
      .onConflictDoUpdate({ target: gatewayKeys.id, set: row }),
    auditStatement(
      w,
      change,
      redact(byId(w.current.gatewayKeys, k.id)),
      redact(k),
      w.paths.get(k.accountId) ?? w.rootPath,
    ),
  ];
}

async function priceStatements(w: ApplyWrite, change: Change): Promise<Statement[]> {
  const p = w.desired.prices.find((x) => x.key === change.id);
  if (!p) return [];
  const { key: _key, ...values } = p;
  const before = w.current.prices.find((x) => x.key === change.id);
  const id = before
    ? (await w.db.select({ id: modelPrices.id }).from(modelPrices).where(priceWhere(p)))[0]?.id
    : undefined;
  const path = p.accountId ? (w.paths.get(p.accountId) ?? w.rootPath) : w.rootPath;
  return [
    id
      ? w.db
          .update(modelPrices)
          .set({ ...values, updatedAt: w.now })
          .where(eq(modelPrices.id, id))
      : w.db.insert(modelPrices).values({ id: newId('price'), ...values, updatedAt: w.now }),
    auditStatement(w, change, before, p, path),
  ];
}

/** The statements of one pruned object: the delete, then its audit entry (secrets redacted). */
export function deleteStatements(w: ApplyWrite, r: Removal): Statement[] {
  const change: Change = { entity: r.entity, id: r.id, op: 'delete', fields: [] };
  const { current } = w;
  const before =
    r.entity === 'upstream_key'
      ? redactKey(byId(current.upstreamKeys, r.id))
      : r.entity === 'gateway_key'
        ? { ...byId(current.gatewayKeys, r.id), hash: '[redacted]' }
        : r.entity === 'price'
          ? current.prices.find((p) => p.key === r.id)
          : r.entity === 'level'
            ? byId(current.levels, r.id)
            : byId(current.accounts, r.id);
  const path = (r.entity === 'account' && w.paths.get(r.id)) || w.rootPath;
  return [deleteStatement(w.db, current, r), auditStatement(w, change, before, null, path)];
}

function deleteStatement(db: Database, current: GatewayState, r: Removal) {
  switch (r.entity) {
    case 'account':
      // Cascades to the account's policy, users, keys, tokens, prices and ledger (FKs in schema.ts).
      return db.delete(accounts).where(eq(accounts.id, r.id));
    case 'level':
      return db.delete(levels).where(eq(levels.id, Number(r.id)));
    case 'upstream_key':
      return db.delete(upstreamKeys).where(eq(upstreamKeys.id, r.id));
    case 'gateway_key':
      return db.delete(gatewayKeys).where(eq(gatewayKeys.id, r.id));
    case 'price': {
      const p = current.prices.find((x) => x.key === r.id);
      if (!p) throw new Error(`price ${r.id} vanished while planning`);
      return db.delete(modelPrices).where(priceWhere(p));
    }
  }
}

function accountPath(a: AccountState, paths: Map<string, string>): string {
  if (a.parentId === null) return `/${a.id}/`;
  const parent = paths.get(a.parentId);
  if (!parent) throw new Error(`parent ${a.parentId} of ${a.id} has no path`);
  return `${parent}${a.id}/`;
}

function policyUpsert(db: Database, accountId: string, body: Policy, now: number) {
  return db
    .insert(policies)
    .values({ accountId, body, updatedAt: now })
    .onConflictDoUpdate({ target: policies.accountId, set: { body, updatedAt: now } });
}

function priceWhere(p: { model: string; accountId: string | null; effectiveFrom: string }) {
  return sql`${modelPrices.model} = ${p.model} AND ${modelPrices.effectiveFrom} = ${p.effectiveFrom} AND ${
    p.accountId === null
      ? sql`${modelPrices.accountId} IS NULL`
      : sql`${modelPrices.accountId} = ${p.accountId}`
  }`;
}

function redactKey<T extends { fingerprint: string | null }>(k: T | undefined) {
  return k && { ...k, fingerprint: k.fingerprint ? '[redacted]' : null };
}
