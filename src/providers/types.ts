// The contracts between the proxy core and the providers. The core reaches protocols and providers
// only through these types and the registry (registry.ts), so no provider name appears in it.
import type { z } from 'zod';
import type { ClientSide, RouteInfo, UpstreamConfig, UpstreamSide } from '../bridge/adapter';
import type { JsonRecord } from '../bridge/read';
import type { StreamObserver } from '../usage/pump';
import type { MeteredUnits, TokenUsage } from '../usage/types';
import type { ProviderKind } from './kinds';

export interface UpstreamOptions {
  deployment?: string;
  api_version?: string;
}

/** One upstream key as the proxy sees it; the secret is decrypted only when an adapter calls it. */
export interface UpstreamCredential {
  id: string;
  provider: ProviderKind;
  baseUrl: string | null;
  options: UpstreamOptions;
  secret(): Promise<string>;
}

/** The generative wire protocols: each is spoken by clients (routes) and by upstreams. */
export type WireProtocol = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini-generate';

/** The error and usage-record family of a client protocol (errors/render.ts shapes). */
export type ProtocolFamily = 'openai' | 'anthropic' | 'gemini';

/** What governance needs from a request before any translation: read cheaply, validated lightly. */
export interface RequestHead {
  model: string;
  stream: boolean;
  maxOutputTokens?: number;
}

/** A tap on a passthrough stream: forwards bytes, reads usage from the few events that carry it. */
export interface UsageTap extends StreamObserver {
  usage(): TokenUsage | null;
  /** Countable units besides tokens the stream reported (web searches). */
  units?(): Partial<MeteredUnits>;
  firstTokenAt(): number | null;
}

export interface TapOptions {
  /** The gateway asked the upstream for usage the client did not ask for: hide it again. */
  hideUsage: boolean;
  now(): number;
  requestId: string;
}

/** How a protocol is relayed unchanged to an upstream that speaks it too (passthrough). */
export interface Passthrough {
  /** Client headers that belong to the protocol (beta flags, API versions) and are forwarded. */
  forwardHeaders: readonly string[];
  /** The client's body with the upstream model set (and usage asked for); unknown fields kept. */
  body(body: JsonRecord, model: string, stream: boolean): { body: JsonRecord; hideUsage: boolean };
  streamTap(opts: TapOptions): UsageTap;
  /** Usage of a whole non-streamed answer body. */
  usageFromBody(text: string): TokenUsage | null;
  unitsFromBody?(text: string): Partial<MeteredUnits>;
}

/** A generative protocol as clients speak it. */
export interface ClientProtocolSpec {
  readonly id: WireProtocol;
  readonly family: ProtocolFamily;
  /** Light validation of the body: just what routing and metering read; the rest passes through. */
  readonly schema: z.ZodType<JsonRecord>;
  head(body: JsonRecord, route: RouteInfo): RequestHead;
  /** The bridge's client side: request decoding, response and stream encoding. */
  readonly client: ClientSide;
  readonly passthrough: Passthrough;
  /** Token counting (`count_tokens`, `:countTokens`), for protocols that have it. */
  readonly counting?: TokenCounting;
}

export interface TokenCounting {
  /** The provider's own counting call, for an upstream that speaks this protocol natively. */
  upstream(cfg: UpstreamConfig, body: JsonRecord, model: string): UpstreamRequest;
  /** The generation request a counting body describes (what the estimate decodes). */
  request(body: JsonRecord): JsonRecord;
  /** The protocol's answer for a count the gateway estimated itself. */
  answer(tokens: number): JsonRecord;
}

/** A request ready to go upstream: target and JSON body. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: JsonRecord;
}

/** One protocol as a provider kind speaks it upstream. */
export interface UpstreamWire {
  readonly protocol: WireProtocol;
  /** The bridge's upstream side: target, request encoding, response/stream decoding, errors. */
  readonly adapter: UpstreamSide;
  /** Sends the request; absent = fetch. The in-Worker mock provider answers here. */
  send?(req: UpstreamRequest, signal: AbortSignal): Promise<Response>;
}

/** Embedding protocols: OpenAI `/embeddings`, Gemini `:embedContent` and `:batchEmbedContents`. */
export type EmbeddingsProtocol = 'openai-embeddings' | 'gemini-embed' | 'gemini-batch-embed';

/** An embeddings request between protocols: plain texts (token-id inputs cannot be translated). */
export interface EmbedRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  /** Gemini's task hint (RETRIEVAL_QUERY…); protocols without one drop it. */
  taskType?: string;
}

export interface EmbedResponse {
  vectors: number[][];
  /** Input tokens the provider reported, or null when it reports none. */
  promptTokens: number | null;
}

/** An embeddings protocol as clients speak it. */
export interface EmbeddingsClientSpec {
  readonly id: EmbeddingsProtocol;
  readonly family: ProtocolFamily;
  /** The endpoint as recorded in usage events. */
  readonly endpoint: string;
  readonly schema: z.ZodType<JsonRecord>;
  /** The model named by the body (OpenAI) or the path (Gemini). */
  model(body: JsonRecord, pathModel: string | undefined): string;
  decode(body: JsonRecord, model: string): EmbedRequest;
  encode(res: EmbedResponse, ctx: { body: JsonRecord; model: string; estimatedTokens: number }): JsonRecord;
  /** The client's body for an upstream speaking this very protocol, the model set. */
  passthroughBody(body: JsonRecord, model: string): JsonRecord;
  /** Input tokens reported in a passthrough answer, or null. */
  usageFromBody(text: string): number | null;
}

/** Embeddings as a provider kind serves them upstream. */
export interface EmbeddingsWire {
  /** The client protocols relayed unchanged to this upstream. */
  readonly native: readonly EmbeddingsProtocol[];
  /** The request of a client protocol: passthrough (`native`) or the wire's translation call. */
  target(
    cfg: UpstreamConfig,
    model: string,
    protocol: EmbeddingsProtocol | null,
  ): { url: string; headers: Record<string, string> };
  encode(req: EmbedRequest): JsonRecord;
  decode(json: unknown): EmbedResponse;
  decodeError: UpstreamSide['decodeError'];
  send?(req: UpstreamRequest, signal: AbortSignal): Promise<Response>;
}

export type MediaEndpoint = 'images' | 'speech' | 'transcriptions' | 'translations' | 'moderations';

/** One images/audio/moderations endpoint: relayed unchanged, metered from what its answer says. */
export interface MediaSpec {
  family: ProtocolFamily;
  /** The endpoint as recorded in usage events. */
  endpoint: string;
  /** The path under the upstream's base URL. */
  path: string;
  /** Audio uploads are multipart forms; everything else JSON. */
  multipart: boolean;
  /** The provider's default when the body names no model (routing needs one). */
  defaultModel?: string;
  /** Units known from the request alone (characters of speech input). */
  requestUnits?(fields: Record<string, unknown>): Partial<MeteredUnits>;
  /** What the answer says; absent for binary answers, which are relayed without being read. */
  read?: {
    usage(text: string): TokenUsage | null;
    units?(text: string): Partial<MeteredUnits>;
  };
}

/** OpenAI-style images, audio and moderations as a provider serves them (relayed, never translated). */
export interface MediaWire {
  target(cfg: UpstreamConfig, path: string): { url: string; headers: Record<string, string> };
  decodeError: UpstreamSide['decodeError'];
}

/** A protocol's model listing shape. */
export interface ModelListing {
  entry(id: string): JsonRecord;
  list(ids: string[]): JsonRecord;
}
