// The benchmark's Queues on plain `workerd serve` (workerd's `queue` binding only posts to a
// service; on Cloudflare the broker is the platform's). One module, two roles (the `ROLE` binding):
//
// - `broker` (in the platform process, beside the D1 shim): the service a `queue` binding posts to.
//   `POST /message` carries one body, serialized by the producer's runtime (`X-Msg-Fmt`: v8, json,
//   text or bytes; v8 when absent; `X-Msg-Delay-Secs` delays it), `POST /batch` a JSON
//   `{ messages: [{ body: <base64>, contentType?, delaySecs? }] }`. Which queue is the request's
//   `x-bench-queue` header (the producer's external service injects it). Both answer the backlog's
//   metrics (`{ metadata: { metrics } }`), which the producer's runtime parses. Each queue is a Durable
//   Object holding its messages in memory: a batch is delivered when `MAX_BATCH_SIZE` messages wait
//   or `MAX_BATCH_TIMEOUT_MS` after the first (wrangler.toml's consumer settings), several batches
//   may be in flight, as on Cloudflare. What the consumer does not ack — a thrown handler, a
//   `retryAll()`, a `retry()` — comes back after its delay with one more attempt, and after
//   `MAX_RETRIES` goes to the dead-letter queue; the rest is acked (implicitly on success, as on
//   Cloudflare). Not persisted, no visibility timeout, no per-message size limits.
// - `consumer` (in the gateway's process): receives a batch from the broker over HTTP and hands it
//   to the gateway's `queue()` handler through a service binding (`Fetcher.queue()`, which needs the
//   `service_binding_extra_handlers` flag), answering the handler's ack/retry result. v8 bodies go
//   through as `serializedBody`; JSON, text and bytes bodies are decoded first (`serializedBody`
//   takes only v8's format), as the runtime does in the consumer's isolate on Cloudflare.
//
// `GET /stats` on the broker answers each queue's counters (for the bench's report).

interface DoNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request | string, init?: RequestInit): Promise<Response> };
}
interface ServiceFetcher {
  fetch(request: Request | string, init?: RequestInit): Promise<Response>;
}
interface QueueResult {
  outcome: string;
  ackAll: boolean;
  retryBatch: { retry: boolean; delaySeconds?: number };
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}
interface QueueFetcher {
  queue(
    queueName: string,
    messages: ({ id: string; timestamp: Date; attempts: number } & (
      | { body: unknown }
      | { serializedBody: Uint8Array }
    ))[],
  ): Promise<QueueResult>;
}

interface Env {
  ROLE: 'broker' | 'consumer';
  // broker
  QUEUES?: DoNamespace;
  /** Consumer of each queue that has one: `<queue>=<binding>`; the binding posts to a consumer relay. */
  CONSUMERS?: string;
  MAX_BATCH_SIZE?: string;
  MAX_BATCH_TIMEOUT_MS?: string;
  MAX_RETRIES?: string;
  /** `<queue>=<dead-letter queue>`. */
  DEAD_LETTER?: string;
  [binding: string]: unknown;
  // consumer
  GATEWAY?: QueueFetcher;
}

const QUEUE_HEADER = 'x-bench-queue';

interface Message {
  id: string;
  timestamp: number;
  contentType: string;
  /** Base64 of the serialized body. */
  body: string;
  attempts: number;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
const pairs = (text: string | undefined) =>
  new Map(
    (text ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => p.split('=') as [string, string]),
  );

export class QueueBroker {
  private readonly waiting: Message[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private name = '';
  private readonly stats = {
    received: 0,
    acked: 0,
    batches: 0,
    retried: 0,
    deadLettered: 0,
    failedDeliveries: 0,
    inFlight: 0,
  };

  constructor(
    _state: unknown,
    private readonly env: Env,
  ) {}

  private get maxBatch() {
    return Number(this.env.MAX_BATCH_SIZE ?? 100);
  }
  private get timeoutMs() {
    return Number(this.env.MAX_BATCH_TIMEOUT_MS ?? 1000);
  }
  private consumer(): ServiceFetcher | undefined {
    const binding = pairs(this.env.CONSUMERS).get(this.name);
    return binding ? (this.env[binding] as ServiceFetcher) : undefined;
  }

  async fetch(request: Request): Promise<Response> {
    this.name = request.headers.get(QUEUE_HEADER) ?? '';
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/stats')
      return Response.json({ ...this.stats, waiting: this.waiting.length });
    if (request.method === 'POST' && url.pathname === '/message') {
      const body = new Uint8Array(await request.arrayBuffer());
      this.enqueue(
        toBase64(body),
        request.headers.get('x-msg-fmt') ?? 'v8',
        Number(request.headers.get('x-msg-delay-secs') ?? 0),
      );
      return Response.json(this.metadata());
    }
    if (request.method === 'POST' && url.pathname === '/batch') {
      const delay = Number(request.headers.get('x-msg-delay-secs') ?? 0);
      const { messages } = (await request.json()) as {
        messages: { body: string; contentType?: string; delaySecs?: number }[];
      };
      for (const m of messages) this.enqueue(m.body, m.contentType ?? 'v8', m.delaySecs ?? delay);
      return Response.json(this.metadata());
    }
    if (request.method === 'GET' && url.pathname === '/metrics') return Response.json(this.metrics());
    return new Response('not found', { status: 404 });
  }

  /** The backlog, as the producer's runtime reads it from a send's answer (and `Queue.metrics()`). */
  private metrics() {
    return {
      backlogCount: this.waiting.length,
      backlogBytes: this.waiting.reduce((n, m) => n + Math.floor((m.body.length * 3) / 4), 0),
      oldestMessageTimestamp: this.waiting[0]?.timestamp ?? 0,
    };
  }
  private metadata() {
    return { metadata: { metrics: this.metrics() } };
  }

  private enqueue(body: string, contentType: string, delaySecs: number) {
    this.stats.received++;
    const message: Message = {
      id: crypto.randomUUID(),
      timestamp: Date.now(),
      contentType,
      body,
      attempts: 1,
    };
    if (delaySecs > 0) setTimeout(() => this.push(message), delaySecs * 1000);
    else this.push(message);
  }

  private push(message: Message) {
    this.waiting.push(message);
    if (this.waiting.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.timeoutMs);
  }

  private flush() {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const consumer = this.consumer();
    if (!consumer) return; // A queue without a consumer (the dead-letter queue) keeps its messages.
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.stats.inFlight++;
      void this.deliver(consumer, batch).finally(() => this.stats.inFlight--);
    }
  }

  private async deliver(consumer: ServiceFetcher, batch: Message[]) {
    let result: QueueResult;
    try {
      const res = await consumer.fetch('http://consumer/deliver', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [QUEUE_HEADER]: this.name },
        body: JSON.stringify({ queue: this.name, messages: batch }),
      });
      if (!res.ok) throw new Error(`consumer answered ${res.status}: ${await res.text()}`);
      result = (await res.json()) as QueueResult;
    } catch (err) {
      this.stats.failedDeliveries++;
      console.error(`bench queue ${this.name}: delivery failed: ${String(err)}`);
      result = {
        outcome: 'exception',
        ackAll: false,
        retryBatch: { retry: true },
        explicitAcks: [],
        retryMessages: [],
      };
    }
    this.stats.batches++;
    const retryAll = result.outcome !== 'ok' || result.retryBatch.retry;
    const retryOne = new Map(result.retryMessages.map((r) => [r.msgId, r.delaySeconds]));
    const acked = new Set(result.explicitAcks);
    for (const m of batch) {
      const retry = !result.ackAll && !acked.has(m.id) && (retryAll || retryOne.has(m.id));
      if (!retry) {
        this.stats.acked++;
        continue;
      }
      this.stats.retried++;
      if (m.attempts > Number(this.env.MAX_RETRIES ?? 3)) {
        this.stats.deadLettered++;
        await this.deadLetter(m);
        continue;
      }
      const delay = retryOne.get(m.id) ?? result.retryBatch.delaySeconds ?? 0;
      const again = { ...m, attempts: m.attempts + 1 };
      if (delay > 0) setTimeout(() => this.push(again), delay * 1000);
      else this.push(again);
    }
    if (retryAll && result.outcome !== 'ok')
      console.error(
        `bench queue ${this.name}: batch of ${batch.length} not acked (${result.outcome}), retrying`,
      );
  }

  private async deadLetter(m: Message) {
    const dlq = pairs(this.env.DEAD_LETTER).get(this.name);
    if (!dlq || !this.env.QUEUES) {
      console.error(`bench queue ${this.name}: message ${m.id} dropped after ${m.attempts} attempts`);
      return;
    }
    await this.env.QUEUES.get(this.env.QUEUES.idFromName(dlq)).fetch('http://broker/message', {
      method: 'POST',
      headers: { 'x-msg-fmt': m.contentType, [QUEUE_HEADER]: dlq },
      body: fromBase64(m.body),
    });
  }
}

async function consume(request: Request, env: Env): Promise<Response> {
  const { queue, messages } = (await request.json()) as { queue: string; messages: Message[] };
  const decoder = new TextDecoder();
  const result = await (env.GATEWAY as QueueFetcher).queue(
    queue,
    messages.map((m) => {
      const bytes = fromBase64(m.body);
      const head = { id: m.id, timestamp: new Date(m.timestamp), attempts: m.attempts };
      if (m.contentType === 'v8') return { ...head, serializedBody: bytes };
      if (m.contentType === 'json') return { ...head, body: JSON.parse(decoder.decode(bytes)) as unknown };
      if (m.contentType === 'text') return { ...head, body: decoder.decode(bytes) };
      return { ...head, body: bytes };
    }),
  );
  return Response.json(result);
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    if (env.ROLE === 'consumer') return consume(request, env);
    const name = request.headers.get(QUEUE_HEADER) ?? new URL(request.url).searchParams.get('queue');
    if (!name || !env.QUEUES) return Promise.resolve(new Response(`no ${QUEUE_HEADER}`, { status: 400 }));
    const headers = new Headers(request.headers);
    headers.set(QUEUE_HEADER, name);
    return env.QUEUES.get(env.QUEUES.idFromName(name)).fetch(new Request(request, { headers }));
  },
};
