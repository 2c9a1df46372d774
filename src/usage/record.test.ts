// A usage_events column added in one place only fails here: the queue record, the consumer's
// column list and the request log's API schema all come from (or are checked against) the table.
import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { usageDaily, usageEvents } from '../db/schema';
import { requestEventSchema } from '../routes/admin/requests';
import { usageDailyRowSchema } from '../routes/admin/usage-daily';
import { BOOLEAN_EVENT_COLUMNS, EVENT_COLUMNS, EVENT_FIELDS, usageRecordSchema } from './record';

// The admin routes import the Durable Object classes, which need the Workers runtime's module.
vi.mock('cloudflare:workers', () => ({ DurableObject: class {} }));

const sorted = (keys: Iterable<string>) => [...keys].sort();

describe('usage events have one source', () => {
  it('the queue record is a usage_events row plus the wallet', () => {
    const recordKeys = Object.keys(usageRecordSchema.shape).filter((k) => k !== 'walletAccountId');
    expect(sorted(recordKeys)).toEqual(sorted(Object.keys(getTableColumns(usageEvents))));
    expect(EVENT_FIELDS).toEqual(Object.keys(getTableColumns(usageEvents)));
  });

  it('counts are validated as counts, as the table stores them', () => {
    const shape = usageRecordSchema.shape;
    expect(shape['promptTokens'].safeParse(-1).success).toBe(false);
    expect(shape['ttftMs'].safeParse(null).success).toBe(true);
    expect(shape['status'].safeParse(-1).success).toBe(true);
  });

  it("the request log's API schema shows every column, and the booleans as booleans", () => {
    expect(sorted(Object.keys(requestEventSchema.shape))).toEqual(sorted(EVENT_COLUMNS));
    expect(sorted(BOOLEAN_EVENT_COLUMNS)).toEqual(['estimated', 'stream', 'switched_over', 'unpriced']);
  });

  it("the daily table's API row is the usage_daily row", () => {
    expect(sorted(Object.keys(usageDailyRowSchema.shape))).toEqual(
      sorted(Object.keys(getTableColumns(usageDaily))),
    );
  });
});
