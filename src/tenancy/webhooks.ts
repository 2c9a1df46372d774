// Webhook endpoints of an account (usage pipeline) and their deliveries, for the admin API. An endpoint's
// secret is shown once (on creation and on rotation) and kept encrypted under the KEK; a rotation
// keeps the previous secret signing for 24 hours, so a receiver can deploy the new one first.
import { and, desc, eq } from 'drizzle-orm';
import { encryptSecret, type KeyRing } from '../crypto/secrets';
import { webhookDeliveries, webhookEndpoints } from '../db/schema';
import { InvalidRequestError, NotFoundError } from '../errors/gateway-error';
import { newId, randomToken } from '../lib/ids';
import { eventTypes } from '../webhooks/catalogue';
import { accountInScope } from './chain';
import { type AdminContext, auditRow, runBatch } from './context';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const ROTATION_GRACE_MS = 24 * 3_600_000;

const newSecret = () => `whsec_${randomToken(24)}`;

function checkEvents(events: string[]): string[] {
  const known = new Set<string>([...eventTypes, '*']);
  const unknown = events.find((e) => !known.has(e));
  if (unknown)
    throw new InvalidRequestError('invalid_request', `events: "${unknown}" is not an event type`, 'events');
  return events.length ? events : ['*'];
}

export async function createEndpoint(
  ctx: AdminContext,
  ring: KeyRing,
  accountId: string,
  input: { url: string; events?: string[] },
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const account = await accountInScope(ctx, accountId, 'accounts:write');
  const url = new URL(input.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InvalidRequestError('invalid_request', 'url: must be http or https', 'url');
  const secret = newSecret();
  const sealed = await encryptSecret(ring, secret);
  const endpoint: EndpointRow = {
    id: newId('whe'),
    accountId: account.id,
    url: input.url,
    events: checkEvents(input.events ?? []),
    secretCiphertext: sealed.ciphertext,
    kekId: sealed.kekId,
    previousSecretCiphertext: null,
    previousKekId: null,
    previousExpiresAt: null,
    status: 'active',
    createdAt: ctx.now,
  };
  await runBatch(ctx.db, [
    ctx.db.insert(webhookEndpoints).values(endpoint),
    auditRow(ctx, {
      action: 'webhook.create',
      targetType: 'webhook',
      targetId: endpoint.id,
      accountPath: account.path,
      after: { id: endpoint.id, url: endpoint.url, events: endpoint.events },
    }),
  ]);
  return { endpoint, secret };
}

async function endpointInScope(ctx: AdminContext, id: string, capability: 'read' | 'accounts:write') {
  const [row] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1);
  const notFound = new NotFoundError('webhook_not_found', `No webhook endpoint "${id}".`);
  if (!row) throw notFound;
  const account = await accountInScope(ctx, row.accountId, capability).catch(() => {
    throw notFound;
  });
  return { row, account };
}

export async function listEndpoints(ctx: AdminContext, accountId: string): Promise<EndpointRow[]> {
  await accountInScope(ctx, accountId, 'read');
  return ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.accountId, accountId))
    .orderBy(desc(webhookEndpoints.createdAt));
}

export async function deleteEndpoint(ctx: AdminContext, id: string): Promise<void> {
  const { row, account } = await endpointInScope(ctx, id, 'accounts:write');
  await runBatch(ctx.db, [
    ctx.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
    auditRow(ctx, {
      action: 'webhook.delete',
      targetType: 'webhook',
      targetId: id,
      accountPath: account.path,
      before: { id, url: row.url, events: row.events },
    }),
  ]);
}

/** A new secret signs from now on; the previous one keeps signing for ROTATION_GRACE_MS. */
export async function rotateSecret(
  ctx: AdminContext,
  ring: KeyRing,
  id: string,
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const { row, account } = await endpointInScope(ctx, id, 'accounts:write');
  const secret = newSecret();
  const sealed = await encryptSecret(ring, secret);
  const changes = {
    secretCiphertext: sealed.ciphertext,
    kekId: sealed.kekId,
    previousSecretCiphertext: row.secretCiphertext,
    previousKekId: row.kekId,
    previousExpiresAt: ctx.now + ROTATION_GRACE_MS,
  };
  await runBatch(ctx.db, [
    ctx.db.update(webhookEndpoints).set(changes).where(eq(webhookEndpoints.id, id)),
    auditRow(ctx, {
      action: 'webhook.rotate_secret',
      targetType: 'webhook',
      targetId: id,
      accountPath: account.path,
      after: { id, previous_expires_at: changes.previousExpiresAt },
    }),
  ]);
  return { endpoint: { ...row, ...changes }, secret };
}

export async function listDeliveries(ctx: AdminContext, id: string, limit: number): Promise<DeliveryRow[]> {
  await endpointInScope(ctx, id, 'read');
  return ctx.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, id))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}

/** Sends a delivery again (the same body and event id), whatever its state. */
export async function scheduleRedelivery(ctx: AdminContext, endpointId: string, deliveryId: string) {
  const { account } = await endpointInScope(ctx, endpointId, 'accounts:write');
  const [row] = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
    .limit(1);
  if (!row) throw new NotFoundError('delivery_not_found', `No delivery "${deliveryId}".`);
  await runBatch(ctx.db, [
    ctx.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: ctx.now })
      .where(eq(webhookDeliveries.id, deliveryId)),
    auditRow(ctx, {
      action: 'webhook.redeliver',
      targetType: 'webhook',
      targetId: endpointId,
      accountPath: account.path,
      after: { delivery: deliveryId, event: row.eventId },
    }),
  ]);
  return row;
}
