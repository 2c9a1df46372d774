/**
 * Fake AI provider for integration tests, the benchmark and manual runs: one node:http server on
 * 127.0.0.1 speaking the OpenAI (+ Azure OpenAI), Anthropic and Gemini wire formats closely enough
 * for the official SDKs, with fault injection chosen by the API key (see behaviour.ts).
 *
 * DETERMINISTIC CONTENT AND USAGE — tests compute expected values from these rules:
 *
 * Words. The token rule everywhere (prompt, completion, count_tokens): the number of
 *   whitespace-separated words. Prompt words W = words of all text the request carries: system
 *   prompt / instructions / systemInstruction, every message's text parts (user, assistant, system,
 *   developer), and tool results' text (OpenAI `role:"tool"` content, Anthropic `tool_result`
 *   content, Responses `function_call_output` output, every string value inside a Gemini
 *   `functionResponse.response`). Not counted: tool definitions, tool-call arguments already in the
 *   history, images and other media, JSON keys, any per-message overhead.
 *
 * Last user text U = the text parts (joined with one space) of the last user message that has any
 *   text; tool-result-only user turns are skipped.
 *
 * Reply. Text "Echo: " + U ("Echo: (empty)" when there is no U), or behaviour.text. Completion
 *   words C = words of the reply text.
 *   Tool calls instead, when the request defines tools, has no tool result yet, and tool choice is
 *   not "none": one call to the forced tool (OpenAI {type:"function",...}, Anthropic {type:"tool"},
 *   Gemini ANY + allowedFunctionNames[0]; an undefined forced tool is a 400), else to the FIRST tool;
 *   or to the first TWO tools when there are 2+ tools, U contains the word "parallel" and parallel
 *   calls were not disabled (OpenAI `parallel_tool_calls:false`, Anthropic
 *   `disable_parallel_tool_use:true`). Arguments: every `required` property of the schema gets
 *   enum → first value, string → "sample", number/integer → 1, boolean → true, array → [],
 *   object → recurse; optional properties are left out. C = sum over calls of
 *   max(1, words(JSON.stringify(args))). Finish: OpenAI "tool_calls", Anthropic "tool_use",
 *   Gemini "STOP" (Gemini has no tool-call finish reason), Responses: function_call items.
 *
 * Usage, with behaviour.usage = {cachedTokens: K, cacheWriteTokens: X, reasoningTokens: R}
 *   (all default 0; they are EXTRA tokens on top of the word counts):
 *   OpenAI chat   prompt_tokens = W+K+X, prompt_tokens_details.cached_tokens = K
 *                 (cache_write_tokens = X, only when X > 0); completion_tokens = C+R,
 *                 completion_tokens_details.reasoning_tokens = R; total = sum.
 *   Responses     input_tokens = W+K+X, input_tokens_details.cached_tokens = K; output_tokens = C+R,
 *                 output_tokens_details.reasoning_tokens = R; a `reasoning` output item comes first
 *                 when R > 0.
 *   Anthropic     input_tokens = W (cache reads/writes are reported BESIDE input_tokens, as the API
 *                 does), cache_read_input_tokens = K, cache_creation_input_tokens = X;
 *                 a thinking block (with signature) comes first when R > 0 or the request enables
 *                 `thinking`; its text is "Thinking about: " + U; output_tokens = C + (R if R > 0,
 *                 else the words of the thinking text when a thinking block is sent, else 0).
 *                 count_tokens input_tokens = W.
 *   Gemini        promptTokenCount = W+K+X (includes cached), cachedContentTokenCount = K,
 *                 candidatesTokenCount = C, thoughtsTokenCount = R, totalTokenCount = W+K+X+C+R;
 *                 cached/thoughts fields are omitted when 0. countTokens totalTokens = W.
 *   Embeddings    8 floats per input (or `dimensions` / `outputDimensionality`), multiples of 1/1024
 *                 from FNV-1a of the text (see embedVector); OpenAI usage prompt_tokens = words.
 *
 * Streams. One content delta per word (leading whitespace kept on the word: "Echo:", " hi"), or
 *   behaviour.chunks near-equal pieces. OpenAI chat: role chunk, content chunks, finish chunk,
 *   usage chunk with `choices: []` only when stream_options.include_usage (other chunks then carry
 *   `usage: null`), `data: [DONE]`. Anthropic: message_start, per block content_block_start (ping
 *   after the first), deltas, content_block_stop, message_delta, message_stop. Gemini: `data:` lines
 *   ending in CRLF, usageMetadata and finishReason on the last chunk only. Responses: semantic events
 *   with sequence_number. cutAfterChunks counts SSE events of any kind.
 *
 * Auth: OpenAI `Authorization: Bearer`, Azure `api-key`, Anthropic `x-api-key` (or `Authorization:
 *   Bearer`, which @anthropic-ai/sdk 1.x sends), Gemini `x-goog-api-key` or `?key=`. The key selects
 *   the behaviour: a script set for that exact key, else parseBehaviourKey() (behaviour.ts).
 *
 * Ids: chatcmpl-fake-<n>, resp_fake_<n>, msg_fake_<n>, call_fake_<n>_<i>, toolu_fake_<n>_<i>,
 *   Gemini responseId fake-<n>; n is one counter per server. The requested `model` is echoed back.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Behaviour, BehaviourKeyError, resolveBehaviour, ScriptBook } from './behaviour';
import { handleControl } from './control';
import { tokenResponse } from './oauth';
import { okStatus, type ProtocolName } from './protocol';
import { errorFor, execute, matchRoute, precheck, type Route, readCredential } from './routes';
import { sleep, writeSseStream } from './sse';

export type { Behaviour } from './behaviour';

export interface RecordedRequest {
  method: string;
  /** Path with the query string, as sent. */
  path: string;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the raw string ('' when empty). */
  body: unknown;
  /** The credential the request carried for its route's auth scheme; null when none. */
  key: string | null;
  /** Date.now() on arrival. */
  at: number;
  /** Webhook receivers only: the body exactly as received (signatures are over these bytes). */
  raw?: string;
}

export interface FakeProvider {
  url: string;
  port: number;
  /** Provider requests (control requests excluded), in arrival order. Cleared in place by reset(). */
  requests: RecordedRequest[];
  /** Requests the fake could not serve: unknown routes, unrecognised `fake-` keys, fake bugs. */
  unexpected: RecordedRequest[];
  /** Queue behaviours for requests with this exact key; the last one repeats. [] removes the script. */
  script(key: string, behaviours: Behaviour[]): void;
  /** Clears scripts and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string, contentType: string): unknown {
  if (raw === '' || !contentType.includes('json')) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  // Real providers answer JSON with a Content-Length, not chunked encoding.
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function startFakeProvider(opts: { port?: number; host?: string } = {}): Promise<FakeProvider> {
  const host = opts.host ?? '127.0.0.1';
  const book = new ScriptBook();
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const unexpectedEver: RecordedRequest[] = [];
  const shutdown = new AbortController();
  let counter = 0;
  const nextId = (): number => ++counter;
  // Separate from the id counter so ids stay 1, 2, 3... whatever errors happen in between.
  let requestCounter = 0;

  const miss = (rec: RecordedRequest): void => {
    unexpected.push(rec);
    unexpectedEver.push(rec);
  };

  const reset = (): void => {
    book.clear();
    requests.length = 0;
    unexpected.length = 0;
  };

  async function serveProvider(
    route: Route,
    params: Record<string, string>,
    rec: RecordedRequest,
    url: URL,
    res: ServerResponse,
  ): Promise<void> {
    const protocol: ProtocolName = route.protocol;
    const extra = idHeaders(protocol, ++requestCounter);
    const reply = (r: { status: number; body: unknown; headers?: Record<string, string> }): void =>
      sendJson(res, r.status, r.body, { ...extra, ...r.headers });
    const key = rec.key;
    if (key === null) return reply(errorFor(protocol, 401, missingKeyMessage(protocol)));
    const pre = precheck(route, rec.headers, url.searchParams);
    if (pre) return reply(pre);
    const body = rec.body;
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    if (route.method === 'POST' && !isObject && route.body !== 'any') {
      return reply(errorFor(protocol, 400, 'We could not parse the JSON body of your request.'));
    }
    let behaviour: Behaviour;
    try {
      behaviour = resolveBehaviour(book, key);
    } catch (e) {
      if (!(e instanceof BehaviourKeyError)) throw e;
      miss(rec);
      return reply(errorFor(protocol, 400, e.message));
    }
    if (behaviour.firstByteDelayMs && !(await sleep(behaviour.firstByteDelayMs, shutdown.signal))) {
      res.destroy();
      return;
    }
    if (behaviour.status !== undefined && (behaviour.status < 200 || behaviour.status >= 300)) {
      const retry: Record<string, string> =
        behaviour.retryAfter === undefined ? {} : { 'retry-after': String(behaviour.retryAfter) };
      return reply({ ...errorFor(protocol, behaviour.status), headers: retry });
    }
    const { result, crashed } = execute(route, {
      body: isObject ? (body as Record<string, unknown>) : {},
      raw: typeof body === 'string' ? body : JSON.stringify(body),
      params,
      query: url.searchParams,
      behaviour,
      nextId,
    });
    if (crashed) miss(rec);
    if (result.kind === 'json') return reply(result);
    if (result.kind === 'raw') {
      res.writeHead(result.status, {
        ...extra,
        ...result.headers,
        'content-length': String(result.body.length),
      });
      res.end(result.body);
      return;
    }
    await writeSseStream(res, okStatus(behaviour), { ...extra, ...result.headers }, result.events, {
      chunkDelayMs: behaviour.chunkDelayMs,
      cutAfterChunks: behaviour.cutAfterChunks,
      eol: result.eol,
      signal: shutdown.signal,
    });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const at = Date.now();
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const headers = headerRecord(req);
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        body: parseBody(raw, headers['content-type'] ?? ''),
        key: null,
        at,
      };
      if (url.pathname.startsWith('/__fake/')) {
        const r = handleControl(rec.method, url.pathname, rec.body, {
          book,
          requests,
          unexpected,
          unexpectedEver,
          reset,
        });
        if (r.status === 404) miss(rec);
        return sendJson(res, r.status, r.body);
      }
      // A webhook receiver (budget alerts): recorded like provider requests; `/webhook/fail` is down.
      if (rec.method === 'POST' && url.pathname.startsWith('/webhook/')) {
        requests.push({ ...rec, raw });
        const down = url.pathname === '/webhook/fail';
        return sendJson(res, down ? 503 : 200, { ok: !down });
      }
      if (rec.method === 'POST' && url.pathname === '/oauth/token') {
        const form = new URLSearchParams(raw);
        rec.key = form.get('refresh_token');
        requests.push(rec);
        const r = tokenResponse(form);
        if (typeof r.body === 'string') {
          res.writeHead(r.status, { 'content-type': 'text/html' });
          res.end(r.body);
          return;
        }
        return sendJson(res, r.status, r.body);
      }
      const match = matchRoute(rec.method, url);
      if (!match) {
        miss(rec);
        return sendJson(
          res,
          404,
          errorFor('openai', 404, `Invalid URL (${rec.method} ${url.pathname})`).body,
        );
      }
      rec.key = readCredential(match.route.protocol, headers, url.searchParams);
      requests.push(rec);
      await serveProvider(match.route, match.params, rec, url, res);
    })().catch((e: unknown) => {
      // A bug in the fake must be loud: answer 500 rather than leaving the client hanging.
      sendJson(res, 500, { error: { message: `fake provider crashed: ${String(e)}`, type: 'server_error' } });
    });
  });

  // Providers keep idle connections open far longer than Node's 5 s default; a short timeout would
  // make pooled clients (the gateway, the SDKs) race the server closing a socket they reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    unexpected,
    script: (key, behaviours) => book.set(key, behaviours),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function idHeaders(protocol: ProtocolName, n: number): Record<string, string> {
  if (protocol === 'anthropic') return { 'request-id': `req_fake_${n}` };
  if (protocol === 'gemini') return {};
  return { 'x-request-id': `req_fake_${n}` };
}

function missingKeyMessage(protocol: ProtocolName): string {
  switch (protocol) {
    case 'openai':
      return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    case 'azure':
      return 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
    case 'anthropic':
      return 'x-api-key header is required';
    case 'gemini':
      return "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
  }
}
