// Moves an upstream body to the client while an observer sees every chunk (to read usage). The
// pump is driven by the caller's waitUntil task, not by the client's reads, so it keeps going when
// the client disconnects: the upstream is drained and the request billed for what it generated
// (C8), instead of depending on the runtime to report the cancellation.

export type EndReason = 'complete' | 'client_cancelled' | 'upstream_error' | 'upstream_idle_timeout';

export interface StreamObserver {
  /** Returns the bytes to forward (usually `chunk` itself; a rewriting observer may drop or change it). */
  chunk(chunk: Uint8Array): Uint8Array | null;
  /** Bytes to emit at the end of the stream, if any. */
  end?(): Uint8Array | null;
  /**
   * Bytes that tell the client, in its own protocol, that the upstream broke off (an SSE error
   * event). Without them the body is aborted — all a non-streamed body can do after its headers.
   */
  failure?(reason: 'upstream_error' | 'upstream_idle_timeout'): Uint8Array | null;
}

class IdleTimeout extends Error {}

export function pumpBody(
  body: ReadableStream<Uint8Array>,
  observer: StreamObserver,
  idleTimeoutMs = 0,
  /** Sees every upstream chunk as it came (the token estimate's copy of the answer). */
  capture?: (chunk: Uint8Array) => void,
): { body: ReadableStream<Uint8Array>; done: Promise<EndReason> } {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let clientGone = false;
  // Writes are not awaited: a slow or vanished client must not stall the drain. LLM responses are
  // small, so what the client has not read yet is held in the stream's queue.
  const forward = (bytes: Uint8Array | null | undefined) => {
    if (!bytes?.length || clientGone) return;
    writer.write(bytes).catch(() => {
      clientGone = true;
    });
  };
  const done = (async (): Promise<EndReason> => {
    const reader = body.getReader();
    const watchdog = idleTimeoutMs > 0 ? idleWatchdog(idleTimeoutMs) : undefined;
    const read = () => (watchdog ? watchdog.guard(reader.read()) : reader.read());
    try {
      for (;;) {
        const { value, done: finished } = await read();
        if (finished) break;
        capture?.(value);
        forward(observer.chunk(value));
      }
      forward(observer.end?.());
      // Not awaited either: a response nobody reads (the client left before the headers) would
      // hold the close back forever behind its queued chunks.
      writer.close().catch(() => {
        clientGone = true;
      });
      return clientGone ? 'client_cancelled' : 'complete';
    } catch (err) {
      const reason = err instanceof IdleTimeout ? 'upstream_idle_timeout' : 'upstream_error';
      reader.cancel().catch(() => {});
      const notice = observer.failure?.(reason);
      if (notice?.length) {
        forward(notice);
        writer.close().catch(() => {});
      } else {
        writer.abort(err).catch(() => {});
      }
      return reason;
    } finally {
      watchdog?.stop();
    }
  })();
  return { body: readable, done };
}

/**
 * One timer per stream, not per chunk: it fires every `ms` and fails the pending read only when no
 * chunk arrived for a whole period.
 */
function idleWatchdog(ms: number) {
  let last = Date.now();
  let fail: (err: Error) => void = () => {};
  const tripped = new Promise<never>((_, reject) => {
    fail = reject;
  });
  tripped.catch(() => {});
  let timer: ReturnType<typeof setTimeout>;
  const check = () => {
    const quiet = Date.now() - last;
    if (quiet >= ms) fail(new IdleTimeout());
    else timer = setTimeout(check, ms - quiet);
  };
  timer = setTimeout(check, ms);
  return {
    async guard<T>(read: Promise<T>): Promise<T> {
      const value = await Promise.race([read, tripped]);
      last = Date.now();
      return value;
    },
    stop: () => clearTimeout(timer),
  };
}
