// Moves an upstream body to the client while an observer sees every chunk (to read usage). The
// pump is driven by the caller's waitUntil task, not by the client's reads, so it keeps going when
// the client disconnects: the upstream is drained and the request billed for what it generated
// (C8), instead of depending on the runtime to report the cancellation.

export type EndReason = 'complete' | 'client_cancelled' | 'upstream_error';

export interface StreamObserver {
  /** Returns the bytes to forward (usually `chunk` itself; a rewriting observer may drop or change it). */
  chunk(chunk: Uint8Array): Uint8Array | null;
  /** Bytes to emit at the end of the stream, if any. */
  end?(): Uint8Array | null;
}

export function pumpBody(
  body: ReadableStream<Uint8Array>,
  observer: StreamObserver,
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
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
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
      await writer.abort(err).catch(() => {});
      return 'upstream_error';
    }
  })();
  return { body: readable, done };
}
