// The usage queue's message shape. Records are packed many to a message (a Queue takes 128 KB per
// message), and every field is validated by the consumer before it touches D1. A record is a row of
// usage_events (the drizzle table is the one source of its fields) plus the wallet it is charged to;
// only the checks beyond the column types are written here.
import { getTableColumns } from 'drizzle-orm';
import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { usageEvents } from '../db/schema';

/** Integer columns that may be negative or are not counts; every other one is a count (≥ 0). */
const SIGNED = new Set(['level', 'status']);

const eventSchema = createSelectSchema(usageEvents, {
  // Gateway-made ids; the charset keeps `<request id>:` a safe ledger ref prefix.
  requestId: (s) =>
    s
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+$/),
  accountId: (s) => s.min(1),
  accountPath: (s) => s.startsWith('/'),
  day: (s) => s.regex(/^\d{4}-\d{2}-\d{2}$/),
  clientProtocol: z.enum(['openai', 'anthropic', 'gemini']),
});

/** The same shape with every count column bounded at zero. */
function countsNonNegative<S extends z.ZodRawShape>(shape: S): S {
  const out: Record<string, z.core.$ZodType> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (SIGNED.has(key)) out[key] = field;
    else if (field instanceof z.ZodNumber) out[key] = field.nonnegative();
    else if (field instanceof z.ZodNullable) {
      const inner = field.unwrap();
      out[key] = inner instanceof z.ZodNumber ? inner.nonnegative().nullable() : field;
    } else out[key] = field;
  }
  return out as S;
}

export const usageRecordSchema = z.object({
  ...countsNonNegative(eventSchema.shape),
  /** The account charged, when its wallet is inherited from an ancestor (credits and plans); else `accountId`. */
  walletAccountId: z.string().min(1).optional(),
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;

type EventColumns = typeof usageEvents._.columns;
type EventFields = typeof usageEvents.$inferSelect;

/** A usage event keyed by its SQL column names, as the request log reads and shows it. */
export type EventBySqlName = {
  [P in keyof EventColumns as EventColumns[P]['_']['name']]: EventFields[P];
};
export type EventColumn = keyof EventBySqlName;

/** The usage_events columns in the table's order: property names, SQL names, the boolean ones. */
export const EVENT_FIELDS = Object.keys(getTableColumns(usageEvents)) as (keyof EventFields)[];
export const EVENT_COLUMNS = Object.values(getTableColumns(usageEvents)).map((c) => c.name) as EventColumn[];
export const BOOLEAN_EVENT_COLUMNS = Object.values(getTableColumns(usageEvents))
  .filter((c) => c.dataType === 'boolean')
  .map((c) => c.name) as EventColumn[];

export const usageMessageSchema = z.object({ v: z.literal(1), records: z.array(usageRecordSchema).min(1) });
export type UsageMessage = z.infer<typeof usageMessageSchema>;
