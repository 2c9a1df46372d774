// Relays an upstream answer in the client's own protocol (passthrough): the bytes go to the client
// as they arrive; a protocol tap reads usage from the few events that carry it, and for a whole
// (non-streamed) body the usage object is cut out of it once it has ended.

import { streamBreak } from '../bridge/upstream-error';
import type { GatewayError } from '../errors/gateway-error';
import { Deadline } from '../lib/deadline';
import type { Passthrough } from '../providers/types';
import { type EndReason, pumpBody } from '../usage/pump';
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
    const pumped = pumpBody({
      body: source,
      observer: tap,
      idleTimeoutMs: ctx.idleTimeoutMs,
      ...(ctx.capture ? { capture: ctx.capture } : {}),
    });
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

/** A whole (non-streamed) answer, read natively in one call; ends like a pumped body. */
export async function wholeText(
  upstream: Response,
  ctx: DeliverContext,
): Promise<{ text: string; reason: 'complete' } | { text: null; reason: EndReason }> {
  // A whole answer arrives at once after its headers: a body that takes longer than the idle
  // timeout has stalled. The read goes on in the background until the request's I/O ends.
  const deadline = ctx.deadline ?? new Deadline();
  const stalled = new Promise<null>((resolve) => {
    if (ctx.idleTimeoutMs > 0) deadline.set(ctx.idleTimeoutMs, () => resolve(null));
  });
  try {
    const text = await Promise.race([upstream.text(), stalled]);
    if (text === null) return { text: null, reason: 'upstream_idle_timeout' };
    ctx.capture?.(text);
    return { text, reason: 'complete' };
  } catch {
    return { text: null, reason: 'upstream_error' };
  } finally {
    deadline.clear();
  }
}

/**
 * Relays a whole answer; usage (and units) are read from its text. Without a reader (a binary
 * answer, like speech audio) the bytes are relayed as they arrive and nothing is kept.
 */
export function relayWhole(upstream: Response, ctx: DeliverContext, reader: BodyReader | null): Delivery {
  const headers = relayHeaders(upstream, false, ctx.requestId);
  if (!reader) {
    const source = (upstream.body ?? new Response('').body) as ReadableStream<Uint8Array>;
    let firstByteAt: number | null = null;
    const pumped = pumpBody({
      body: source,
      observer: {
        chunk(bytes) {
          firstByteAt ??= ctx.now();
          return bytes;
        },
      },
      idleTimeoutMs: ctx.idleTimeoutMs,
    });
    return {
      response: Promise.resolve(new Response(pumped.body, { status: upstream.status, headers })),
      done: pumped.done,
      usage: () => null,
      ttftAt: () => firstByteAt,
      units: () => ({}),
    };
  }
  const headersAt = ctx.now();
  let body: string | null = null;
  let failure: GatewayError | null = null;
  const done = wholeText(upstream, ctx).then(({ text, reason }) => {
    body = text;
    if (text === null) failure = streamBreak(reason as 'upstream_error' | 'upstream_idle_timeout');
    return reason;
  });
  return {
    response: done.then(() =>
      body === null ? Promise.reject(failure) : new Response(body, { status: upstream.status, headers }),
    ),
    done,
    usage: () => (body === null ? null : reader.usage(body)),
    ttftAt: () => headersAt,
    units: () => (body === null ? {} : (reader.units?.(body) ?? {})),
    failure: () => failure,
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
