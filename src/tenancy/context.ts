// What every admin write carries: the database, who acts, when, from where, and the request id;
// and the two things every write does with it — enforce a decision and append an audit row in the
// same D1 batch as the change (security and failure behaviour).
import type { BatchItem } from 'drizzle-orm/batch';
import { type Database, database } from '../db/client';
import { auditLog } from '../db/schema';
import { NotFoundError, PermissionDeniedError } from '../errors/gateway-error';
import { newId } from '../lib/ids';
import { type Capability, can, type Decision, lacking, type Principal } from './permissions';
import { redact } from './redact';

export interface AdminContext {
  db: Database;
  actor: Principal;
  now: number;
  /** `cf-connecting-ip` of the caller. */
  ip: string | null;
  requestId: string;
}

/** The context of one admin call: a D1 handle, who is calling and when. */
export function adminContextOf(
  d1: D1Database,
  call: { actor: Principal; now: number; ip: string | null; requestId: string },
): AdminContext {
  return { db: database(d1), ...call };
}

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string | null;
  /** Path of the account in whose subtree the write happened; audit reads are scoped by it. */
  accountPath: string;
  before?: unknown;
  after?: unknown;
}

export function auditRow(ctx: AdminContext, entry: AuditInput) {
  return ctx.db.insert(auditLog).values({
    id: newId('aud'),
    ts: ctx.now,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    accountPath: entry.accountPath,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before === undefined ? null : redact(entry.before),
    after: entry.after === undefined ? null : redact(entry.after),
    ip: ctx.ip,
    requestId: ctx.requestId,
  });
}

/**
 * The audit row of a write that may not happen, for a raw D1 batch: inserted only when `condition`
 * (SQL over `params`) holds, so a refused write leaves no entry.
 */
export function auditIf(
  d1: D1Database,
  ctx: AdminContext,
  entry: { accountPath: string; action: string; targetId: string; after: unknown },
  condition: string,
  ...params: unknown[]
): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO audit_log (id, ts, actor_type, actor_id, account_path, action, target_type, target_id, before, after, ip, request_id)
       SELECT ?, ?, ?, ?, ?, ?, 'account', ?, NULL, ?, ?, ? WHERE ${condition}`,
    )
    .bind(
      newId('aud'),
      ctx.now,
      ctx.actor.type,
      ctx.actor.id,
      entry.accountPath,
      entry.action,
      entry.targetId,
      JSON.stringify(redact(entry.after)),
      ctx.ip,
      ctx.requestId,
      ...params,
    );
}

/** One D1 batch: a transaction, so the change and its audit row land together or not at all. */
export async function runBatch(db: Database, statements: BatchItem<'sqlite'>[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/** Throws for anything but `allow`; outside the subtree is the same 404 as "does not exist". */
export function enforce(decision: Decision, notFound: () => NotFoundError): void {
  if (decision.kind === 'not_found') throw notFound();
  if (decision.kind === 'forbidden') throw new PermissionDeniedError(decision.code, decision.message);
}

/** For resources without an account (the catalogue): only the capability matters. */
export function requireCapability(actor: Principal, capability: Capability): void {
  if (can(actor, capability)) return;
  const decision = lacking(actor, capability);
  if (decision.kind === 'forbidden') throw new PermissionDeniedError(decision.code, decision.message);
}

export const accountNotFound = (id: string) => () =>
  new NotFoundError('account_not_found', `No account "${id}".`);

/** SQLite's message for a UNIQUE violation, as D1 reports it (drizzle wraps it as the cause). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  }
  return false;
}
