// Policy as code (policy as code), I/O part: reads the gateway's current state from D1, plans against the
// file, refuses widening and orphaning plans, and writes the plan in one D1 batch (a transaction),
// with an audit row per change. A run cut short writes nothing, so the next run converges.

import { and, eq, inArray, sum } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { pickRates } from '../billing/price-fields';
import { fingerprintSecret } from '../crypto/secrets';
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
import { keyRing } from '../state/keyring';
import { type ApplyWrite, deleteStatements, type Sealing, upsertStatements } from './apply-write';
import { type EffectiveChange, explainEffective } from './explain';
import { exportPolicy } from './export';
import type { ApplyRequest } from './file-schema';
import { type Change, desiredState, type GatewayState, planChanges } from './plan';
import { filePaths, nextState, planRefusals, planRemovals, type Refusal, type Removal } from './prune';
import { policySchema } from './schema';

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
  const sealing = await sealingOf(env, request);
  const desired = desiredState(request.policy, {
    upstreamFingerprints: sealing.fingerprints,
    gatewayKeys: request.secrets.gateway_keys,
  });
  const { state: current, paths, managedGatewayKeys } = await loadState(db);
  const plan = planApply(request, current, desired, managedGatewayKeys);
  const refusals = [...plan.refusals, ...(await balanceRefusals(db, plan.deletes))];
  if (refusals.length) throw new PlanRefusedError(refusals);
  const result = {
    changes: plan.changes,
    effective: explainEffective(current, plan.next),
    unlisted: request.prune ? [] : plan.removals,
  };
  if (request.dry_run || plan.changes.length === 0) return { ...result, applied: false };
  const rootPath = paths.get(desired.accounts.find((a) => a.parentId === null)?.id ?? '') ?? '/';
  const w: ApplyWrite = { db, now, actor, current, desired, paths, rootPath, sealing };
  const statements: BatchItem<'sqlite'>[] = [];
  for (const change of plan.upserts) statements.push(...(await upsertStatements(w, change)));
  for (const r of plan.deletes) statements.push(...deleteStatements(w, r));
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
  return { ...result, applied: true };
}

/** The upstream secrets to seal (resolved by the CLI from key_env, plus inline ones the mock provider may carry) and their fingerprints. */
async function sealingOf(env: Env, request: ApplyRequest): Promise<Sealing> {
  const secrets: Record<string, string> = { ...request.secrets.upstream_keys };
  for (const level of request.policy.levels) {
    for (const k of level.keys) if (k.key !== undefined) secrets[k.id] ??= k.key;
  }
  if (Object.keys(secrets).length === 0) return { secrets, fingerprints: {} };
  const ring = await keyRing(env);
  const fingerprints: Record<string, string> = {};
  for (const [id, secret] of Object.entries(secrets))
    fingerprints[id] = await fingerprintSecret(ring, secret);
  return { secrets, ring, fingerprints };
}

/** The plan (pure): what is written, what is deleted, what is refused, and the state after it. */
export function planApply(
  request: Pick<ApplyRequest, 'policy' | 'prune'>,
  current: GatewayState,
  desired: GatewayState,
  managedGatewayKeys: ReadonlySet<string>,
) {
  const upserts = planChanges(current, desired);
  const removals = planRemovals(current, desired, managedGatewayKeys);
  const deletes = request.prune ? removals : [];
  const next = nextState(current, desired, deletes);
  const changes: Change[] = [
    ...upserts,
    ...deletes.map((r): Change => ({ entity: r.entity, id: r.id, op: 'delete', fields: [] })),
  ];
  return {
    upserts,
    removals,
    deletes,
    next,
    changes,
    refusals: planRefusals(current, next, filePaths(request.policy)),
  };
}

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
