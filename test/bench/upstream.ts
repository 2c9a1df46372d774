// A minimal, fast OpenAI-compatible upstream for the benchmark: precomputed bodies, no delays.
// `POST /v1/chat/completions` answers a fixed chat.completion (or an SSE stream of content chunks,
// + a finish chunk, + a usage chunk when `stream_options.include_usage` is true, + `data: [DONE]`).
// The model names the length: `bench-<n>` answers with n content chunks (`bench-model`: 10), so
// the benchmark can stream a short answer and a realistic one (300 chunks) from the same server.
// `GET /stats` returns how many completions each bearer key asked for.
// Run on its own (`node --import tsx test/bench/upstream.ts`) it prints its URL on stdout, so the
// benchmark can keep it on an event loop of its own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

const CREATED = 1_700_000_000;
const WORDS = ['Hello', ' from', ' the', ' bench', ' upstream', ',', ' a', ' fixed', ' reply', '.'];

interface Bodies {
  completion: Buffer;
  content: Buffer[];
  finish: Buffer;
  usage: Buffer;
}

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const doneEvent = Buffer.from('data: [DONE]\n\n');

function bodiesFor(model: string, n: number): Bodies {
  const words = Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length] as string);
  const usage = { prompt_tokens: 8, completion_tokens: n, total_tokens: 8 + n };
  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    sse({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      choices: finish === 'usage' ? [] : [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
  return {
    completion: Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-bench',
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' },
        ],
        usage,
      }),
    ),
    content: words.map((w, i) =>
      Buffer.from(chunk(i === 0 ? { role: 'assistant', content: w } : { content: w }, null)),
    ),
    finish: Buffer.from(chunk({}, 'stop')),
    usage: Buffer.from(chunk({}, 'usage', { usage })),
  };
}

const cache = new Map<string, Bodies>();
function bodies(model: unknown): Bodies {
  const name = typeof model === 'string' ? model : 'bench-model';
  let b = cache.get(name);
  if (!b) {
    const n = /^bench-(\d+)$/.exec(name);
    b = bodiesFor(name, n ? Math.min(10_000, Math.max(1, Number(n[1]))) : WORDS.length);
    if (cache.size < 64) cache.set(name, b);
  }
  return b;
}

interface ChatBody {
  model?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface Upstream {
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: Buffer | string) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function answer(req: IncomingMessage, res: ServerResponse, raw: Buffer, perKey: Map<string, number>) {
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (!key)
    return send(res, 401, '{"error":{"message":"missing bearer key","type":"invalid_request_error"}}');
  let body: ChatBody;
  try {
    body = JSON.parse(raw.toString('utf8')) as ChatBody;
  } catch {
    return send(res, 400, '{"error":{"message":"invalid JSON","type":"invalid_request_error"}}');
  }
  perKey.set(key, (perKey.get(key) ?? 0) + 1);
  const b = bodies(body.model);
  if (body.stream !== true) return send(res, 200, b.completion);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of b.content) res.write(event);
  res.write(b.finish);
  if (body.stream_options?.include_usage === true) res.write(b.usage);
  res.end(doneEvent);
}

export async function startUpstream(port = 0): Promise<Upstream> {
  const perKey = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats')
      return send(res, 200, JSON.stringify(Object.fromEntries(perKey)));
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      req.resume();
      return send(res, 404, '{"error":{"message":"not found"}}');
    }
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => answer(req, res, Buffer.concat(parts), perKey));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = await startUpstream();
  process.stdout.write(`${upstream.url}\n`);
  const stop = () => void upstream.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Never outlive the benchmark that started it.
  process.on('disconnect', stop);
}
