// Relays an upstream answer in the client's own protocol (passthrough): the bytes go to the client
// as they arrive; a protocol tap reads usage from the few events that carry it, and for a whole
// (non-streamed) body the usage object is cut out of it once it has ended.
import type { Passthrough } from '../providers/types';
import { pumpBody } from '../usage/pump';
import type { MeteredUnits, TokenUsage } from '../usage/types';
import type { DeliverContext, Delivery } from './exchange';

export function relayHeaders(upstream: Response, stream: boolean, requestId: string): Headers {
  const headers = new Headers({
    'content-type':
      upstream.headers.get('content-type') ?? (stream ? 'text/event-stream' : 'application/json'),
    'x-request-id': requestId,
  });
  if (stream) headers.set('cache-control', 'no-cache');
  return headers;
}

export function passthroughDelivery(
  upstream: Response,
  passthrough: Passthrough,
  opts: { stream: boolean; hideUsage: boolean },
  ctx: DeliverContext,
): Delivery {
  if (opts.stream) {
    const source = (upstream.body ?? new Response('').body) as ReadableStream<Uint8Array>;
    const headers = relayHeaders(upstream, true, ctx.requestId);
    const tap = passthrough.streamTap({ hideUsage: opts.hideUsage, now: ctx.now, requestId: ctx.requestId });
    const pumped = pumpBody(source, tap, ctx.idleTimeoutMs, ctx.capture);
    return {
      response: Promise.resolve(new Response(pumped.body, { status: upstream.status, headers })),
      done: pumped.done,
      usage: tap.usage,
      ttftAt: tap.firstTokenAt,
      ...(tap.units ? { units: tap.units } : {}),
    };
  }
  const { usageFromBody, unitsFromBody } = passthrough;
  return relayWhole(upstream, ctx, {
    usage: usageFromBody,
    ...(unitsFromBody ? { units: unitsFromBody } : {}),
  });
}

/** Reads what is metered from a whole answer's text. */
export interface BodyReader {
  usage(text: string): TokenUsage | null;
  units?(text: string): Partial<MeteredUnits>;
}

/**
 * Relays a whole answer as it arrives; usage (and units) are read from the complete text afterwards.
 * Without a reader (a binary answer, like speech audio) nothing is kept.
 */
export function relayWhole(upstream: Response, ctx: DeliverContext, reader: BodyReader | null): Delivery {
  const source = (upstream.body ?? new Response('').body) as ReadableStream<Uint8Array>;
  const headers = relayHeaders(upstream, false, ctx.requestId);
  const parts: Uint8Array[] = [];
  let decoded: string | undefined;
  const text = () => {
    decoded ??= decodeAll(parts);
    return decoded;
  };
  let firstByteAt: number | null = null;
  const pumped = pumpBody(
    source,
    {
      chunk(bytes) {
        firstByteAt ??= ctx.now();
        if (reader) parts.push(bytes);
        return bytes;
      },
    },
    ctx.idleTimeoutMs,
    ctx.capture,
  );
  return {
    response: Promise.resolve(new Response(pumped.body, { status: upstream.status, headers })),
    done: pumped.done,
    usage: () => (reader ? reader.usage(text()) : null),
    ttftAt: () => firstByteAt,
    units: () => reader?.units?.(text()) ?? {},
  };
}

/** The UTF-8 text of a body collected in pieces. */
export function decodeAll(parts: Uint8Array[]): string {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return new TextDecoder().decode(out);
}
