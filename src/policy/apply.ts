// Policy as code (C12), I/O part: reads the gateway's current state from D1, plans against the
// file, refuses widening and orphaning plans, and writes the plan in one D1 batch (a transaction),
// with an audit row per change. A run cut short writes nothing, so the next run converges.

import { and, eq, inArray, sql, sum } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { pickRates } from '../billing/price-fields';
import { encryptSecret, fingerprintSecret, last4 } from '../crypto/secrets';
import { type Database, database } from '../db/client';
import {
  accounts,
  auditLog,
  gatewayKeys,
  ledgerEntries,
  levels,
  modelPrices,
  policies,
  upstreamKeys,
} from '../db/schema';
import { newId } from '../lib/ids';
import { keyRing } from '../state/keyring';
import { type EffectiveChange, explainEffective } from './explain';
import { exportPolicy } from './export';
import { type AccountState, type Change, desiredState, type GatewayState, planChanges } from './plan';
import { filePaths, nextState, planRefusals, planRemovals, type Refusal, type Removal } from './prune';
import { type ApplyRequest, type Policy, policySchema } from './schema';

export interface ApplyActor {
  type: 'bootstrap' | 'management_token' | 'user';
  id: string | null;
  ip: string | null;
  requestId: string;
}

export interface ApplyResult {
  /** Creates, updates and (with `prune`) deletes, in the order they are written. */
  changes: Change[];
  /** How the effective policy of each existing account and key changes. */
  effective: EffectiveChange[];
  /** Objects the file does not list, kept because `prune` was not asked for. */
  unlisted: Removal[];
  applied: boolean;
}

/** A plan refused before anything is written; every reason is listed. */
export class PlanRefusedError extends Error {
  constructor(readonly refusals: Refusal[]) {
    super(refusals.map((r) => `${r.path}: ${r.message}`).join('\n'));
  }
}

/** The running gateway as a policy file (GET /admin/v1/policy/export). */
export async function currentPolicyFile(d1: D1Database) {
  return exportPolicy((await loadState(database(d1))).state);
}

export async function loadState(
  db: Database,
): Promise<{ state: GatewayState; paths: Map<string, string>; managedGatewayKeys: Set<string> }> {
  const [accountRows, levelRows, keyRows, gatewayRows, priceRows, managedRows] = await db.batch([
    db
      .select({ a: accounts, policy: policies.body })
      .from(accounts)
      .leftJoin(policies, eq(policies.accountId, accounts.id)),
    db.select().from(levels),
    db.select().from(upstreamKeys),
    db.select().from(gatewayKeys),
    db.select().from(modelPrices),
    // Gateway keys a policy apply created are the file's to prune; keys made through the API are not.
    db
      .selectDistinct({ id: auditLog.targetId })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'policy.apply.create'), eq(auditLog.targetType, 'gateway_key'))),
  ]);
  const paths = new Map(accountRows.map(({ a }) => [a.id, a.path]));
  const state: GatewayState = {
    accounts: accountRows.map(({ a, policy }) => ({
      id: a.id,
      parentId: a.parentId,
      name: a.name,
      kind: a.kind,
      status: a.status,
      level: a.level,
      timezone: a.timezone,
      policy: policySchema.parse(policy ?? {}),
    })),
    levels: levelRows.map((l) => ({
      id: l.id,
      name: l.name,
      retries: l.retries,
      connectTimeoutMs: l.connectTimeoutMs,
      firstByteTimeoutMs: l.firstByteTimeoutMs,
      idleTimeoutMs: l.idleTimeoutMs,
    })),
    upstreamKeys: keyRows.map((k) => ({
      id: k.id,
      levelId: k.levelId,
      provider: k.provider,
      baseUrl: k.baseUrl,
      weight: k.weight,
      status: k.status,
      fingerprint: k.fingerprint,
      credentialKind: k.credentialKind,
      options: (k.options ?? {}) as Record<string, string>,
    })),
    gatewayKeys: gatewayRows.map((k) => ({
      id: k.id,
      accountId: k.accountId,
      name: k.name,
      hash: k.hash,
      prefix: k.prefix,
      expiresAt: k.expiresAt,
      policy: k.policy ? policySchema.parse(k.policy) : null,
    })),
    prices: priceRows.map((p) => ({
      key: `${p.model}|${p.accountId ?? ''}|${p.effectiveFrom}`,
      model: p.model,
      accountId: p.accountId,
      effectiveFrom: p.effectiveFrom,
      ...pickRates(p),
      markupBps: p.markupBps,
    })),
  };
  const managedGatewayKeys = new Set(managedRows.map((r) => r.id).filter((id): id is string => id !== null));
  return { state, paths, managedGatewayKeys };
}

export async function applyPolicy(
  env: Env,
  request: ApplyRequest,
  actor: ApplyActor,
  now: number,
): Promise<ApplyResult> {
  const db = database(env.DB);
  // Secrets resolved by the CLI from key_env, plus inline ones (mock provider only) from the file.
  const upstreamSecrets: Record<string, string> = { ...request.secrets.upstream_keys };
  for (const level of request.policy.levels) {
    for (const k of level.keys) if (k.key !== undefined) upstreamSecrets[k.id] ??= k.key;
  }
  const ring = Object.keys(upstreamSecrets).length ? await keyRing(env) : undefined;
  const upstreamFingerprints: Record<string, string> = {};
  for (const [id, secret] of Object.entries(upstreamSecrets)) {
    upstreamFingerprints[id] = await fingerprintSecret(ring as NonNullable<typeof ring>, secret);
  }
  const desired = desiredState(request.policy, {
    upstreamFingerprints,
    gatewayKeys: request.secrets.gateway_keys,
  });
  const { state: current, paths, managedGatewayKeys } = await loadState(db);
  const upserts = planChanges(current, desired);
  const removals = planRemovals(current, desired, managedGatewayKeys);
  const deletes = request.prune ? removals : [];
  const next = nextState(current, desired, deletes);
  const changes: Change[] = [
    ...upserts,
    ...deletes.map((r): Change => ({ entity: r.entity, id: r.id, op: 'delete', fields: [] })),
  ];
  const refusals = [
    ...planRefusals(current, next, filePaths(request.policy)),
    ...(await balanceRefusals(db, deletes)),
  ];
  if (refusals.length) throw new PlanRefusedError(refusals);
  const result = {
    changes,
    effective: explainEffective(current, next),
    unlisted: request.prune ? [] : removals,
  };
  if (request.dry_run || changes.length === 0) return { ...result, applied: false };

  const statements: BatchItem<'sqlite'>[] = [];
  const audit = (change: Change, before: unknown, after: unknown, accountPath: string) =>
    statements.push(
      db.insert(auditLog).values({
        id: newId('aud'),
        ts: now,
        actorType: actor.type,
        actorId: actor.id,
        accountPath,
        action: `policy.apply.${change.op}`,
        targetType: change.entity,
        targetId: change.id,
        before: before ?? null,
        after,
        ip: actor.ip,
        requestId: actor.requestId,
      }),
    );
  const rootPath = paths.get(desired.accounts.find((a) => a.parentId === null)?.id ?? '') ?? '/';
  const currentById = <T extends { id: string | number }>(list: T[], id: string) =>
    list.find((x) => String(x.id) === id);

  for (const change of upserts) {
    switch (change.entity) {
      case 'account': {
        const a = desired.accounts.find((x) => x.id === change.id) as AccountState;
        const path = change.op === 'create' ? accountPath(a, paths) : (paths.get(a.id) as string);
        paths.set(a.id, path);
        const row = {
          name: a.name,
          kind: a.kind,
          status: a.status,
          level: a.level,
          timezone: a.timezone,
          updatedAt: now,
        };
        if (change.op === 'create') {
          statements.push(
            db.insert(accounts).values({
              id: a.id,
              parentId: a.parentId,
              path,
              depth: path.split('/').length - 2,
              createdAt: now,
              ...row,
            }),
          );
        } else {
          statements.push(
            db
              .update(accounts)
              .set({ ...row, configVersion: sql`${accounts.configVersion} + 1` })
              .where(eq(accounts.id, a.id)),
          );
        }
        statements.push(policyUpsert(db, a.id, a.policy, now));
        audit(change, currentById(current.accounts, a.id), a, path);
        break;
      }
      case 'level': {
        const l = desired.levels.find((x) => String(x.id) === change.id);
        if (!l) break;
        const row = { ...l, updatedAt: now };
        statements.push(db.insert(levels).values(row).onConflictDoUpdate({ target: levels.id, set: row }));
        audit(change, currentById(current.levels, change.id), l, rootPath);
        break;
      }
      case 'upstream_key': {
        const k = desired.upstreamKeys.find((x) => x.id === change.id);
        if (!k) break;
        const before = currentById(current.upstreamKeys, k.id);
        const row = {
          levelId: k.levelId,
          provider: k.provider as typeof upstreamKeys.$inferInsert.provider,
          baseUrl: k.baseUrl,
          weight: k.weight,
          status: k.status,
          options: k.options,
          fingerprint: k.fingerprint,
          credentialKind: k.credentialKind,
          updatedAt: now,
        };
        const secret = upstreamSecrets[k.id];
        const sealed =
          (change.op === 'create' || change.fields.includes('fingerprint')) && secret !== undefined && ring
            ? { ...(await encryptSecret(ring, secret)), last4: last4(secret) }
            : {};
        statements.push(
          db
            .insert(upstreamKeys)
            .values({ id: k.id, ...row, ...sealed })
            .onConflictDoUpdate({ target: upstreamKeys.id, set: { ...row, ...sealed } }),
        );
        audit(change, redactKey(before), redactKey(k), rootPath);
        break;
      }
      case 'gateway_key': {
        const k = desired.gatewayKeys.find((x) => x.id === change.id);
        if (!k) break;
        const row = {
          accountId: k.accountId,
          name: k.name,
          hash: k.hash,
          prefix: k.prefix,
          expiresAt: k.expiresAt,
          policy: k.policy,
          revokedAt: null,
        };
        statements.push(
          db
            .insert(gatewayKeys)
            .values({ id: k.id, createdAt: now, createdBy: actor.id, ...row })
            .onConflictDoUpdate({ target: gatewayKeys.id, set: row }),
        );
        const redact = (g: typeof k | undefined) => g && { ...g, hash: '[redacted]' };
        audit(
          change,
          redact(currentById(current.gatewayKeys, k.id)),
          redact(k),
          paths.get(k.accountId) ?? rootPath,
        );
        break;
      }
      case 'price': {
        const p = desired.prices.find((x) => x.key === change.id);
        if (!p) break;
        const { key: _key, ...values } = p;
        const before = current.prices.find((x) => x.key === change.id);
        const id = before
          ? (await db.select({ id: modelPrices.id }).from(modelPrices).where(priceWhere(p)))[0]?.id
          : undefined;
        statements.push(
          id
            ? db
                .update(modelPrices)
                .set({ ...values, updatedAt: now })
                .where(eq(modelPrices.id, id))
            : db.insert(modelPrices).values({ id: newId('price'), ...values, updatedAt: now }),
        );
        audit(change, before, p, p.accountId ? (paths.get(p.accountId) ?? rootPath) : rootPath);
        break;
      }
    }
  }
  for (const r of deletes) {
    const change: Change = { entity: r.entity, id: r.id, op: 'delete', fields: [] };
    statements.push(deleteStatement(db, current, r));
    const before =
      r.entity === 'upstream_key'
        ? redactKey(currentById(current.upstreamKeys, r.id))
        : r.entity === 'gateway_key'
          ? { ...currentById(current.gatewayKeys, r.id), hash: '[redacted]' }
          : r.entity === 'price'
            ? current.prices.find((p) => p.key === r.id)
            : r.entity === 'level'
              ? currentById(current.levels, r.id)
              : currentById(current.accounts, r.id);
    audit(change, before, null, (r.entity === 'account' && paths.get(r.id)) || rootPath);
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  return { ...result, applied: true };
}

/** Like `DELETE /accounts/{id}`: an account that still holds money is not deleted. */
async function balanceRefusals(db: Database, deletes: Removal[]): Promise<Refusal[]> {
  const ids = deletes.filter((r) => r.entity === 'account').map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: ledgerEntries.accountId, total: sum(ledgerEntries.amount) })
    .from(ledgerEntries)
    .where(inArray(ledgerEntries.accountId, ids))
    .groupBy(ledgerEntries.accountId);
  return rows
    .filter((r) => Number(r.total ?? 0) !== 0)
    .map((r) => ({
      kind: 'orphan' as const,
      path: `account "${r.id}"`,
      message: 'still holds a balance; move or debit it before pruning the account',
    }));
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
