// Types shared by the wire-format modules and the server.

import type { Behaviour } from './behaviour';
import type { SseEvent } from './sse';

export type ProtocolName = 'openai' | 'azure' | 'anthropic' | 'gemini';

export interface JsonResult {
  kind: 'json';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface StreamResult {
  kind: 'sse';
  events: SseEvent[];
  headers: Record<string, string>;
  eol?: '\n' | '\r\n';
}

/** A non-JSON answer (audio bytes). */
export interface RawResult {
  kind: 'raw';
  status: number;
  body: Uint8Array;
  headers: Record<string, string>;
}

export type HandlerResult = JsonResult | StreamResult | RawResult;

export interface HandlerContext {
  /** The parsed JSON body (an empty object for GET and non-JSON bodies). */
  body: Record<string, unknown>;
  /** The body as sent (multipart uploads are read from here). */
  raw: string;
  /** Path parameters: `model` for Gemini, `deployment` for Azure. */
  params: Record<string, string>;
  query: URLSearchParams;
  behaviour: Behaviour;
  /** Next value of the server-wide id counter (ids look like `chatcmpl-fake-<n>`). */
  nextId(): number;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

/** Thrown by a handler for a request the real provider would reject with a 4xx. */
export class ProviderRequestError extends Error {
  override name = 'ProviderRequestError';
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The success status a behaviour asks for (a 2xx `status`), else 200. */
export function okStatus(b: Behaviour): number {
  return b.status !== undefined && b.status >= 200 && b.status < 300 ? b.status : 200;
}

export function requireString(body: Record<string, unknown>, field: string, message: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw new ProviderRequestError(400, message, field);
  return v;
}
