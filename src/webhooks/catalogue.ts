// The webhook event catalogue (usage pipeline): every type the gateway sends, with the version of its payload
// schema. The schemas themselves are in docs/webhooks/<type>.v<version>.json; a change to a payload
// that is not purely additive is a new version.
export const EVENT_VERSION = 1;

export const eventTypes = [
  'budget.threshold_reached',
  'credit.low',
  'credit.exhausted',
  'anomaly.detected',
  'upstream_key.disabled',
  'upstream_key.enabled',
  'account.suspended',
  'plan.expiring',
] as const;
export type EventType = (typeof eventTypes)[number];

export interface GatewayEvent {
  /** Stable for one occurrence: a redelivery or a repeated emission carries the same id. */
  id: string;
  type: EventType;
  /** The account the event is about; endpoints of it and of its ancestors receive it. */
  accountId: string;
  accountPath: string;
  data: Record<string, unknown>;
  at: number;
}

/** The exact JSON body sent (and signed). */
export function eventBody(e: GatewayEvent): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    version: EVENT_VERSION,
    created_at: new Date(e.at).toISOString(),
    account_id: e.accountId,
    account_path: e.accountPath,
    data: e.data,
  });
}
