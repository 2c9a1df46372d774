// The contract between the governed request path (governed.ts: admission, key choice, failover,
// metering) and what one kind of endpoint does with an upstream (generate.ts, embed.ts…). An
// Exchange knows how to call one upstream key and how to turn its answer into the client's; the
// governed path knows nothing of protocols.
import type { GatewayError } from '../errors/gateway-error';
import type { Deadline } from '../lib/deadline';
import type { UpstreamCredential } from '../providers/types';
import type { EndReason } from '../usage/pump';
import type { MeteredUnits, TokenUsage } from '../usage/types';

export interface DeliverContext {
  now: () => number;
  /** The level's idle timeout: the longest quiet gap tolerated between upstream chunks. */
  idleTimeoutMs: number;
  requestId: string;
  /** A timer the request already holds, for a deadline of the delivery's own (a whole answer's). */
  deadline?: Deadline;
  /** Receives every upstream chunk as it came, when the usage may have to be estimated from it. */
  capture?: (chunk: Uint8Array | string) => void;
}

/** The client's answer, being pumped from the upstream's by the caller's waitUntil task. */
export interface Delivery {
  /** What the client receives; may settle only once the upstream answer is complete. */
  response: Promise<Response>;
  done: Promise<EndReason>;
  usage(): TokenUsage | null;
  ttftAt(): number | null;
  /** Usage was counted by the gateway (a tokenizer), not reported by the provider. */
  estimated?(): boolean;
  units?(): Partial<MeteredUnits>;
  /** An error the upstream reported inside a 2xx answer (or a stream cut short), for the record. */
  failure?(): GatewayError | null;
}

/** One upstream call: its raw answer, and how to read it. */
export interface Attempt {
  response: Response;
  /** The client-facing error for a non-2xx answer (reads and closes the body). */
  error(): Promise<GatewayError>;
  /** Relays a 2xx answer to the client. */
  deliver(ctx: DeliverContext): Delivery;
}

export interface Exchange {
  /**
   * Calls the upstream with this key. Throws a GatewayError when the request cannot be served by
   * this key's provider at all (never retried on another key).
   */
  attempt(key: UpstreamCredential, signal: AbortSignal): Promise<Attempt>;
}
