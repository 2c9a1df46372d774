// A tap on a response body: bytes flow to the client as they arrive while an observer sees each
// chunk, and `done` settles once the body ended, failed or was cancelled by the client — the
// moment the usage record can be written (from waitUntil, off the hot path).

export type EndReason = 'complete' | 'client_cancelled' | 'upstream_error';

export interface TapObserver {
  /** Returns the bytes to forward (usually `chunk` itself; a rewriting tap may drop or change it). */
  chunk(chunk: Uint8Array): Uint8Array | null;
  /** Bytes to emit at the end of the stream, if any. */
  end?(): Uint8Array | null;
}

export function tapBody(
  body: ReadableStream<Uint8Array>,
  observer: TapObserver,
): { body: ReadableStream<Uint8Array>; done: Promise<EndReason> } {
  const reader = body.getReader();
  let settle: (reason: EndReason) => void = () => {};
  const done = new Promise<EndReason>((resolve) => {
    settle = resolve;
  });
  const out = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished) {
            const tail = observer.end?.();
            if (tail?.length) controller.enqueue(tail);
            controller.close();
            settle('complete');
            return;
          }
          const forward = observer.chunk(value);
          if (forward?.length) {
            controller.enqueue(forward);
            return;
          }
        }
      } catch (err) {
        settle('upstream_error');
        controller.error(err);
      }
    },
    async cancel(reason) {
      settle('client_cancelled');
      await reader.cancel(reason).catch(() => {});
    },
  });
  return { body: out, done };
}
