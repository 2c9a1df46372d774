// A minimal, fast OpenAI-compatible upstream for the benchmark: precomputed bodies, no delays.
// `POST /v1/chat/completions` answers a fixed chat.completion (or an SSE stream of 10 content
// chunks, + a usage chunk when `stream_options.include_usage` is true, + `data: [DONE]`).
// `GET /stats` returns how many completions each bearer key asked for.
// Run on its own (`node --import tsx test/bench/upstream.ts`) it prints its URL on stdout, so the
// benchmark can keep it on an event loop of its own.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

const CREATED = 1_700_000_000;
const WORDS = ['Hello', ' from', ' the', ' bench', ' upstream', ',', ' a', ' fixed', ' reply', '.'];
const USAGE = { prompt_tokens: 8, completion_tokens: WORDS.length, total_tokens: 8 + WORDS.length };

const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: WORDS.join('') }, finish_reason: 'stop' }],
    usage: USAGE,
  }),
);

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const chunk = (delta: object, finish: string | null) =>
  sse({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'bench-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
const contentEvents = WORDS.map((w, i) =>
  Buffer.from(chunk(i === 0 ? { role: 'assistant', content: w } : { content: w }, null)),
);
const finishEvent = Buffer.from(chunk({}, 'stop'));
const usageEvent = Buffer.from(
  sse({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'bench-model',
    choices: [],
    usage: USAGE,
  }),
);
const doneEvent = Buffer.from('data: [DONE]\n\n');

interface ChatBody {
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
  if (body.stream !== true) return send(res, 200, completion);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of contentEvents) res.write(event);
  res.write(finishEvent);
  if (body.stream_options?.include_usage === true) res.write(usageEvent);
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
