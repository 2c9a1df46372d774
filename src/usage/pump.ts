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
  // A push source: enqueueing is synchronous and allocates no promise per chunk. A slow or
  // vanished client must not stall the drain, so nothing waits for it to read; LLM responses are
  // small, and what it has not read yet is held in the stream's queue.
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;
  let clientGone = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
    },
    cancel() {
      clientGone = true;
    },
  });
  const forward = (bytes: Uint8Array | null | undefined) => {
    if (!bytes?.length || clientGone) return;
    try {
      out?.enqueue(bytes);
    } catch {
      clientGone = true;
    }
  };
  const finish = (how: 'close' | Error) => {
    try {
      if (how === 'close') out?.close();
      else out?.error(how);
    } catch {
      clientGone = true;
    }
  };
  const done = (async (): Promise<EndReason> => {
    const reader = body.getReader();
    let idle = false;
    const watchdog =
      idleTimeoutMs > 0
        ? idleWatchdog(idleTimeoutMs, () => {
            idle = true;
            // Ends the pending read; the loop below tells this end from the upstream's own.
            reader.cancel(new IdleTimeout()).catch(() => {});
          })
        : undefined;
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (idle) throw new IdleTimeout();
        if (finished) break;
        watchdog?.touch();
        capture?.(value);
        forward(observer.chunk(value));
      }
      forward(observer.end?.());
      if (!clientGone) finish('close');
      return clientGone ? 'client_cancelled' : 'complete';
    } catch (err) {
      const reason = idle || err instanceof IdleTimeout ? 'upstream_idle_timeout' : 'upstream_error';
      reader.cancel().catch(() => {});
      const notice = observer.failure?.(reason);
      if (notice?.length) {
        forward(notice);
        finish('close');
      } else {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
      return reason;
    } finally {
      watchdog?.stop();
    }
  })();
  return { body: readable, done };
}

/** One timer per stream, not per chunk: it fires every `ms` and trips only after a quiet period. */
function idleWatchdog(ms: number, onIdle: () => void) {
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout>;
  const check = () => {
    const quiet = Date.now() - last;
    if (quiet >= ms) onIdle();
    else timer = setTimeout(check, ms - quiet);
  };
  timer = setTimeout(check, ms);
  return {
    touch() {
      last = Date.now();
    },
    stop: () => clearTimeout(timer),
  };
}
