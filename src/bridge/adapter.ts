// The shape every protocol adapter of the bridge fulfils. The client side speaks a protocol to the
// caller; the upstream side speaks it to a provider. All functions are pure: clocks and secrets
// come in as parameters, and callers do the I/O.
import type { GatewayError } from '../errors/gateway-error';
import type { IRBuiltinTool, IRRequest, IRResponse, IRStreamEvent } from './ir';
import type { JsonRecord } from './read';

/** What the route knows beyond the body (some protocols carry the model and streaming in the path). */
export interface RouteInfo {
  model?: string;
  stream?: boolean;
}

export interface EncodeContext {
  /** Milliseconds since the epoch, for `created` timestamps. */
  now(): number;
  /** The gateway's request id, quoted in error events. */
  requestId?: string;
  /** The client's request as decoded (tool aliases to map back, parameters to echo). */
  request?: IRRequest;
  /** An id the gateway chose for the answer (a stored response), instead of the upstream's. */
  responseId?: string;
}

export interface StreamEncodeContext extends EncodeContext {
  /** The client asked for usage in the stream (IRRequest.streamUsage). */
  streamUsage: boolean;
}

/** Upstream SSE text in (any chunking), normalized events out. */
export interface StreamDecoder {
  feed(text: string): IRStreamEvent[];
  /** The upstream body ended; flushes the terminal event (an error if the stream was cut short). */
  end(): IRStreamEvent[];
}

/** Normalized events in, client SSE text out. */
export interface StreamEncoder {
  push(event: IRStreamEvent): string;
}

/** Where and how to send an upstream request; the secret is passed in by the caller. */
export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
}

export interface UpstreamConfig {
  /** Base URL including the API version segment (e.g. https://host/v1); null = the adapter's default. */
  baseUrl: string | null;
  apiKey: string;
  /** For deployment-addressed upstreams: the deployment name and API version (UpstreamOptions). */
  deployment?: string;
  apiVersion?: string;
}

/** An upstream error answer, already read: status, raw body text and the Retry-After header. */
export interface UpstreamErrorResponse {
  status: number;
  body: string;
  retryAfter?: string | null;
}

export interface ClientSide {
  decodeRequest(body: unknown, route?: RouteInfo): IRRequest;
  encodeResponse(res: IRResponse, ctx: EncodeContext): JsonRecord;
  streamEncoder(ctx: StreamEncodeContext): StreamEncoder;
}

export interface UpstreamSide {
  /** The server tools this wire can ask its provider to run for this request; others are left out and reported. */
  builtinTools?(req: IRRequest): readonly IRBuiltinTool['kind'][];
  /** The JSON body; the model and streaming may also need the target (some protocols put them in the URL). */
  encodeRequest(req: IRRequest): JsonRecord;
  target(cfg: UpstreamConfig, req: { model: string; stream: boolean }): UpstreamTarget;
  decodeResponse(body: unknown): IRResponse;
  streamDecoder(): StreamDecoder;
  decodeError(res: UpstreamErrorResponse): GatewayError;
}

export interface BridgeAdapter extends ClientSide, UpstreamSide {
  /** A label for logs and tests (the wire protocol, not a provider). */
  readonly protocol: string;
}
