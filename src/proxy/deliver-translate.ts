// Relays an upstream answer in another protocol than the client's (translation through the bridge
// IR). Streams go event by event — the upstream's SSE is decoded into IR events as bytes arrive and
// each is encoded into the client's protocol at once, so nothing is buffered beyond a partial
// event. A whole (non-streamed) answer is one JSON document, decoded and re-encoded once it ended.
import type { ClientSide, UpstreamSide } from '../bridge/adapter';
import type { IRRequest, IRResponse, IRStreamEvent } from '../bridge/ir';
import type { JsonRecord } from '../bridge/read';
import { parseJson } from '../bridge/sse';
import { StreamCollector } from '../bridge/stream';
import { streamBreak } from '../bridge/upstream-error';
import { GatewayError, UpstreamError } from '../errors/gateway-error';
import { type EndReason, pumpBody } from '../usage/pump';
import type { TokenUsage } from '../usage/types';
import { wholeText } from './deliver-passthrough';
import type { DeliverContext, Delivery } from './exchange';

interface Sides {
  upstream: UpstreamSide;
  client: ClientSide;
}

export interface TranslateOptions {
  stream: boolean;
  streamUsage: boolean;
  /** The client's decoded request (tool names to map back). */
  request?: IRRequest;
  /** A gateway-chosen response id (stored Responses). */
  responseId?: string;
  /** Extra response headers (what the translation left out). */
  headers?: Record<string, string>;
  /** Receives the whole answer once it is complete (streamed or not), e.g. to store it. */
  onAnswer?: (answer: IRResponse) => void;
}

export function translatedDelivery(
  res: Response,
  sides: Sides,
  opts: TranslateOptions,
  ctx: DeliverContext,
): Delivery {
  if (opts.stream) return translatedStream(res, sides, opts, ctx);
  let searches = 0;
  const whole = convertedWhole(
    res,
    ctx,
    (json) => {
      const ir = sides.upstream.decodeResponse(json);
      searches = ir.content.filter((p) => p.type === 'web_search').length;
      opts.onAnswer?.(ir);
      return {
        body: sides.client.encodeResponse(ir, {
          now: ctx.now,
          requestId: ctx.requestId,
          ...encodeExtras(opts),
        }),
        usage: ir.usage,
      };
    },
    opts.headers,
  );
  return { ...whole, units: () => ({ webSearchCalls: searches }) };
}

function encodeExtras(opts: TranslateOptions): { request?: IRRequest; responseId?: string } {
  return {
    ...(opts.request ? { request: opts.request } : {}),
    ...(opts.responseId ? { responseId: opts.responseId } : {}),
  };
}

const isContent = (e: IRStreamEvent) =>
  e.type === 'text_delta' || e.type === 'thinking_delta' || e.type === 'tool_call_start';

function translatedStream(
  res: Response,
  { upstream, client }: Sides,
  opts: TranslateOptions,
  ctx: DeliverContext,
): Delivery {
  const source = (res.body ?? new Response('').body) as ReadableStream<Uint8Array>;
  const decoder = upstream.streamDecoder();
  const encoder = client.streamEncoder({
    now: ctx.now,
    requestId: ctx.requestId,
    streamUsage: opts.streamUsage,
    ...encodeExtras(opts),
  });
  // Only when someone wants the whole answer: the collector keeps every part until the end.
  const collector = opts.onAnswer ? new StreamCollector() : null;
  const text = new TextDecoder();
  const bytes = new TextEncoder();
  let usage: TokenUsage | null = null;
  let firstTokenAt: number | null = null;
  let failure: GatewayError | null = null;
  let finished = false;
  // Server-side searches the provider ran (metered with `per_web_search`).
  let searches = 0;

  const relay = (events: IRStreamEvent[]): Uint8Array | null => {
    let out = '';
    for (const e of events) {
      collector?.push(e);
      if (e.type === 'web_search') searches++;
      if (e.type === 'message_stop' && collector) opts.onAnswer?.(collector.response());
      if (e.type === 'usage') usage = e.usage;
      else if (e.type === 'error') failure = e.error;
      else if (firstTokenAt === null && isContent(e)) firstTokenAt = ctx.now();
      if (e.type === 'error' || e.type === 'message_stop') finished = true;
      out += encoder.push(e);
    }
    return out ? bytes.encode(out) : null;
  };

  const pumped = pumpBody({
    body: source,
    observer: {
      chunk: (chunk) => relay(decoder.feed(text.decode(chunk, { stream: true }))),
      end: () => {
        const tail = text.decode();
        return relay([...(tail ? decoder.feed(tail) : []), ...decoder.end()]);
      },
      failure: (reason) => {
        if (finished) return null;
        return relay([{ type: 'error', error: streamBreak(reason) }]);
      },
    },
    idleTimeoutMs: ctx.idleTimeoutMs,
    ...(ctx.capture ? { capture: ctx.capture } : {}),
  });
  const headers = new Headers({
    ...opts.headers,
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': ctx.requestId,
  });
  return {
    response: Promise.resolve(new Response(pumped.body, { status: 200, headers })),
    done: pumped.done,
    usage: () => usage,
    ttftAt: () => firstTokenAt,
    failure: () => failure,
    units: () => ({ webSearchCalls: searches }),
  };
}

/** The client's JSON document for the upstream's, and the usage it reported (null: none). */
export type Convert = (json: unknown) => { body: JsonRecord; usage: TokenUsage | null };

/** Answers once the upstream's whole JSON answer has arrived and been converted. */
export function convertedWhole(
  res: Response,
  ctx: DeliverContext,
  convert: Convert,
  extraHeaders: Record<string, string> = {},
): Delivery {
  const headersAt = ctx.now();
  let usage: TokenUsage | null = null;
  let failure: GatewayError | null = null;
  let answer: Response | undefined;

  const build = (text: string | null, reason: EndReason): void => {
    try {
      if (text === null) throw streamBreak(reason as 'upstream_error' | 'upstream_idle_timeout');
      const json = parseJson(text);
      if (json === undefined)
        throw new UpstreamError('upstream_invalid_response', 'The provider sent an unreadable answer.');
      const converted = convert(json);
      usage = converted.usage;
      answer = new Response(JSON.stringify(converted.body), {
        status: 200,
        headers: { ...extraHeaders, 'content-type': 'application/json', 'x-request-id': ctx.requestId },
      });
    } catch (err) {
      failure =
        err instanceof GatewayError
          ? err
          : new UpstreamError('upstream_invalid_response', 'The provider sent an unreadable answer.');
    }
  };
  // Built inside `done`, so usage and failure are known to whoever awaited `done`.
  const done = wholeText(res, ctx).then(({ text, reason }) => {
    build(text, reason);
    return reason;
  });
  return {
    response: done.then(() => answer ?? Promise.reject(failure)),
    done,
    usage: () => usage,
    ttftAt: () => headersAt,
    failure: () => failure,
  };
}
