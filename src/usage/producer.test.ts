import { describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_MESSAGE, UsageBatcher } from './producer';
import type { UsageMessage, UsageRecord } from './record';

const record = (requestId: string) => ({ requestId }) as UsageRecord;

describe('usage batcher', () => {
  it('packs concurrent records into one message and resolves each caller when it is sent', async () => {
    const sent: UsageMessage[] = [];
    const batcher = new UsageBatcher(async (m) => {
      sent.push(m);
    }, 5);
    await Promise.all(['a', 'b', 'c'].map((id) => batcher.add(record(id))));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.records.map((r) => r['requestId'])).toEqual(['a', 'b', 'c']);
    await batcher.add(record('d'));
    expect(sent).toHaveLength(2);
  });

  it('never exceeds the per-message cap, and a failed send fails exactly its own callers', async () => {
    const sizes: number[] = [];
    let fail = true;
    const batcher = new UsageBatcher(async (m) => {
      sizes.push(m.records.length);
      if (fail) {
        fail = false;
        throw new Error('queue down');
      }
    }, 5);
    const results = await Promise.allSettled(
      Array.from({ length: MAX_RECORDS_PER_MESSAGE + 7 }, (_, i) => batcher.add(record(String(i)))),
    );
    expect(sizes).toEqual([MAX_RECORDS_PER_MESSAGE, 7]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(MAX_RECORDS_PER_MESSAGE);
  });
});
