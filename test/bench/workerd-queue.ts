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
//   Cloudflare). No visibility timeout, no size limits, no delivery metrics beyond the backlog.
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
  /** The body as the producer's runtime serialized it. */
  body: Uint8Array<ArrayBuffer>;
  attempts: number;
}

/**
 * A batch on its way to the consumer relay: a JSON line of the messages without their bodies, then
 * the bodies back to back (no base64: encoding a 40 KB message in JS cost ~3 ms of CPU).
 */
function frame(queue: string, batch: Message[]): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode(
    `${JSON.stringify({ queue, messages: batch.map(({ body, ...m }) => ({ ...m, bytes: body.length })) })}\n`,
  );
  const out = new Uint8Array(head.length + batch.reduce((n, m) => n + m.body.length, 0));
  out.set(head);
  let at = head.length;
  for (const m of batch) {
    out.set(m.body, at);
    at += m.body.length;
  }
  return out;
}
function unframe(bytes: Uint8Array): { queue: string; messages: Message[] } {
  const nl = bytes.indexOf(10);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))) as {
    queue: string;
    messages: (Omit<Message, 'body'> & { bytes: number })[];
  };
  let at = nl + 1;
  return {
    queue: head.queue,
    messages: head.messages.map(({ bytes: n, ...m }) => {
      const body = bytes.slice(at, at + n);
      at += n;
      return { ...m, body };
    }),
  };
}
function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
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

interface BrokerState {
  storage: {
    sql: { exec(query: string, ...bindings: unknown[]): Iterable<Record<string, unknown>> };
    getAlarm(): Promise<number | null>;
    setAlarm(at: number): Promise<void>;
  };
  waitUntil?(p: Promise<unknown>): void;
}

const COUNTERS = ['received', 'acked', 'batches', 'retried', 'deadLettered', 'failedDeliveries'] as const;
type Counter = (typeof COUNTERS)[number];

export class QueueBroker {
  private readonly sql: BrokerState['storage']['sql'];
  /** Ids handed to the consumer and not answered yet (in memory: after an eviction they go again). */
  private readonly leased = new Set<string>();
  private alarmAt: number | null | undefined;
  private name = '';

  constructor(
    private readonly state: BrokerState,
    private readonly env: Env,
  ) {
    this.sql = state.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, ts INTEGER, content_type TEXT,
      body BLOB, attempts INTEGER, visible_at INTEGER)`);
    this.sql.exec('CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)');
    const [row] = [...this.sql.exec("SELECT v FROM meta WHERE k = 'name'")];
    this.name = String(row?.['v'] ?? '');
  }

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
  private count(name: Counter, by = 1) {
    this.sql.exec(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
      name,
      by,
    );
  }
  private stats() {
    const out: Record<string, number> = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
    for (const r of this.sql.exec('SELECT name, value FROM counters'))
      out[String(r['name'])] = Number(r['value']);
    const [w] = [...this.sql.exec('SELECT count(*) AS n FROM messages')];
    return { ...out, waiting: Number(w?.['n'] ?? 0), inFlight: this.leased.size };
  }

  async fetch(request: Request): Promise<Response> {
    const name = request.headers.get(QUEUE_HEADER) ?? '';
    if (name !== this.name) {
      this.name = name;
      this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('name', ?)", name);
    }
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/stats') return Response.json(this.stats());
    if (request.method === 'GET' && url.pathname === '/metrics') return Response.json(this.metrics());
    if (request.method === 'POST' && url.pathname === '/message') {
      const body = new Uint8Array(await request.arrayBuffer());
      this.enqueue(
        body,
        request.headers.get('x-msg-fmt') ?? 'v8',
        Number(request.headers.get('x-msg-delay-secs') ?? 0),
      );
    } else if (request.method === 'POST' && url.pathname === '/batch') {
      const delay = Number(request.headers.get('x-msg-delay-secs') ?? 0);
      const { messages } = (await request.json()) as {
        messages: { body: string; contentType?: string; delaySecs?: number }[];
      };
      for (const m of messages) this.enqueue(fromBase64(m.body), m.contentType ?? 'v8', m.delaySecs ?? delay);
    } else return new Response('not found', { status: 404 });
    await this.schedule();
    return Response.json(this.metadata());
  }

  /** The backlog, as the producer's runtime reads it from a send's answer (and `Queue.metrics()`). */
  private metrics() {
    const [r] = [
      ...this.sql.exec(
        'SELECT count(*) AS n, coalesce(sum(length(body)), 0) AS b, min(ts) AS t FROM messages',
      ),
    ];
    return {
      backlogCount: Number(r?.['n'] ?? 0),
      backlogBytes: Number(r?.['b'] ?? 0),
      oldestMessageTimestamp: Number(r?.['t'] ?? 0),
    };
  }
  private metadata() {
    return { metadata: { metrics: this.metrics() } };
  }

  private enqueue(body: Uint8Array, contentType: string, delaySecs: number) {
    this.count('received');
    const now = Date.now();
    this.sql.exec(
      'INSERT INTO messages (id, ts, content_type, body, attempts, visible_at) VALUES (?, ?, ?, ?, 1, ?)',
      crypto.randomUUID(),
      now,
      contentType,
      body,
      now + delaySecs * 1000,
    );
  }

  private readyCount(): number {
    const [r] = [...this.sql.exec('SELECT count(*) AS n FROM messages WHERE visible_at <= ?', Date.now())];
    return Number(r?.['n'] ?? 0) - this.leased.size;
  }

  /** Messages ready now and not in flight, oldest first. */
  private ready(limit: number): Message[] {
    const rows = [
      ...this.sql.exec(
        'SELECT id, ts, content_type, body, attempts FROM messages WHERE visible_at <= ? ORDER BY ts LIMIT ?',
        Date.now(),
        limit + this.leased.size,
      ),
    ];
    return rows
      .filter((r) => !this.leased.has(String(r['id'])))
      .slice(0, limit)
      .map((r) => ({
        id: String(r['id']),
        timestamp: Number(r['ts']),
        contentType: String(r['content_type']),
        body: new Uint8Array(r['body'] as ArrayBuffer),
        attempts: Number(r['attempts']),
      }));
  }

  /**
   * A full batch goes now; otherwise the alarm (persisted, so an evicted instance resumes) fires
   * `MAX_BATCH_TIMEOUT_MS` after the first waiting message, or when a delayed one becomes visible.
   */
  private async schedule() {
    if (!this.consumer()) return; // A queue without a consumer (the dead-letter queue) keeps its messages.
    // Counted first: reading the bodies of every waiting message on each arrival would cost O(n²).
    while (this.readyCount() >= this.maxBatch) void this.send(this.ready(this.maxBatch));
    const [next] = [
      ...this.sql.exec(
        `SELECT min(CASE WHEN visible_at <= ?1 THEN ?1 + ?2 ELSE visible_at END) AS at FROM messages`,
        Date.now(),
        this.timeoutMs,
      ),
    ];
    const at = next?.['at'] == null ? null : Number(next['at']);
    if (at === null) return;
    this.alarmAt ??= await this.state.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > at) {
      this.alarmAt = at;
      await this.state.storage.setAlarm(at);
    }
  }

  async alarm() {
    this.alarmAt = null;
    if (!this.consumer()) return;
    const sent: Promise<void>[] = [];
    for (let batch = this.ready(this.maxBatch); batch.length > 0; batch = this.ready(this.maxBatch))
      sent.push(this.send(batch));
    await this.schedule();
    await Promise.all(sent);
  }

  private send(batch: Message[]): Promise<void> {
    for (const m of batch) this.leased.add(m.id);
    const p = this.deliver(batch).finally(() => {
      for (const m of batch) this.leased.delete(m.id);
      return this.schedule();
    });
    this.state.waitUntil?.(p);
    return p;
  }

  private async deliver(batch: Message[]) {
    const consumer = this.consumer() as ServiceFetcher;
    let result: QueueResult;
    try {
      const res = await consumer.fetch('http://consumer/deliver', {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', [QUEUE_HEADER]: this.name },
        body: frame(this.name, batch),
      });
      if (!res.ok) throw new Error(`consumer answered ${res.status}: ${await res.text()}`);
      result = (await res.json()) as QueueResult;
    } catch (err) {
      this.count('failedDeliveries');
      console.error(`bench queue ${this.name}: delivery failed: ${String(err)}`);
      result = {
        outcome: 'exception',
        ackAll: false,
        retryBatch: { retry: true },
        explicitAcks: [],
        retryMessages: [],
      };
    }
    this.count('batches');
    const retryAll = result.outcome !== 'ok' || result.retryBatch.retry;
    const retryOne = new Map(result.retryMessages.map((r) => [r.msgId, r.delaySeconds]));
    const acked = new Set(result.explicitAcks);
    const done: string[] = [];
    for (const m of batch) {
      const retry = !result.ackAll && !acked.has(m.id) && (retryAll || retryOne.has(m.id));
      if (!retry) {
        this.count('acked');
        done.push(m.id);
        continue;
      }
      this.count('retried');
      if (m.attempts > Number(this.env.MAX_RETRIES ?? 3)) {
        this.count('deadLettered');
        await this.deadLetter(m);
        done.push(m.id);
        continue;
      }
      const delay = retryOne.get(m.id) ?? result.retryBatch.delaySeconds ?? 0;
      this.sql.exec(
        'UPDATE messages SET attempts = attempts + 1, visible_at = ? WHERE id = ?',
        Date.now() + delay * 1000,
        m.id,
      );
    }
    this.sql.exec('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(done));
    if (retryAll)
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
      body: m.body,
    });
  }
}

async function consume(request: Request, env: Env): Promise<Response> {
  const { queue, messages } = unframe(new Uint8Array(await request.arrayBuffer()));
  const decoder = new TextDecoder();
  const result = await (env.GATEWAY as QueueFetcher).queue(
    queue,
    messages.map((m) => {
      const bytes = m.body;
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
