// Hands usage records to the Queue. Called from waitUntil, never on the response's critical path.
import type { UsageMessage, UsageRecord } from './record';

export async function sendUsage(queue: Queue, records: UsageRecord[]): Promise<void> {
  if (records.length === 0) return;
  const message: UsageMessage = { v: 1, records };
  await queue.send(message, { contentType: 'json' });
}
