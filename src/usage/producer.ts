// Hands usage records to the Queue (usage pipeline), off the hot path. A Queue takes about 5,000 messages/s
// and
// 128 KB per message, so the records of concurrent requests in one isolate share a message: the
// first record opens a short window, later ones join it, and every request's waitUntil awaits the
// flush that carries its own record — no record is ever left in memory without an owner.
import type { UsageMessage, UsageRecord } from './record';

export const FLUSH_WINDOW_MS = 25;
/** Records per message; a record serializes to under 1 KB, far below the 128 KB message limit. */
export const MAX_RECORDS_PER_MESSAGE = 100;

export type SendMessage = (message: UsageMessage) => Promise<void>;

interface Batch {
  records: UsageRecord[];
  flushed: Promise<void>;
  flushNow: () => void;
}

export class UsageBatcher {
  private open: Batch | undefined;

  constructor(
    private readonly send: SendMessage,
    private readonly windowMs = FLUSH_WINDOW_MS,
  ) {}

  /** Resolves once the message carrying `record` was accepted by the Queue. */
  add(record: UsageRecord): Promise<void> {
    const batch = this.open ?? this.start();
    batch.records.push(record);
    if (batch.records.length >= MAX_RECORDS_PER_MESSAGE) batch.flushNow();
    return batch.flushed;
  }

  private start(): Batch {
    let release: () => void = () => {};
    const ready = new Promise<void>((r) => {
      release = r;
    });
    const timer = setTimeout(() => release(), this.windowMs);
    const batch: Batch = {
      records: [],
      flushed: ready.then(() => {
        if (this.open === batch) this.open = undefined;
        return this.send({ v: 1, records: batch.records });
      }),
      flushNow: () => {
        clearTimeout(timer);
        if (this.open === batch) this.open = undefined;
        release();
      },
    };
    this.open = batch;
    return batch;
  }
}

const batchers = new WeakMap<Queue, UsageBatcher>();

/** Queues a record for the isolate's next usage message; pass the result to waitUntil. */
export function sendUsage(queue: Queue, record: UsageRecord): Promise<void> {
  let batcher = batchers.get(queue);
  if (!batcher) {
    batcher = new UsageBatcher(async (message) => {
      try {
        await queue.send(message, { contentType: 'json' });
      } catch {
        // One retry for a passing fault; a second failure is logged with the request ids it carried.
        await queue.send(message, { contentType: 'json' }).catch((err: unknown) => {
          console.error(
            JSON.stringify({
              msg: 'usage message lost',
              error: String(err),
              requestIds: message.records.map((r) => r['requestId']),
            }),
          );
          throw err;
        });
      }
    });
    batchers.set(queue, batcher);
  }
  return batcher.add(record);
}
