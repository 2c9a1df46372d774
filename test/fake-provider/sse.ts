// Writing server-sent events one at a time, with the delays and cuts a behaviour asks for.

import type { ServerResponse } from 'node:http';

export interface SseEvent {
  /** `event:` line; omitted for OpenAI chat and Gemini, which send bare `data:` lines. */
  event?: string;
  /** JSON-serialised unless it is already a string (OpenAI's `[DONE]`). */
  data: unknown;
}

export interface StreamOptions {
  chunkDelayMs?: number;
  cutAfterChunks?: number;
  /** Line ending: Gemini terminates its SSE lines with CRLF, the others with LF. */
  eol?: '\n' | '\r\n';
  /** Aborted when the fake shuts down, so pending delays end at once. */
  signal: AbortSignal;
}

export function formatSse(e: SseEvent, eol: '\n' | '\r\n' = '\n'): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return `${e.event === undefined ? '' : `event: ${e.event}${eol}`}data: ${data}${eol}${eol}`;
}

/** Resolves after `ms`, or early when `signal` aborts; true when the full time passed. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

function writeAndFlush(res: ServerResponse, chunk: string): Promise<void> {
  // The callback fires once the bytes are handed to the socket, so a cut after this write still
  // delivers this event to the client.
  return new Promise((resolve) => res.write(chunk, () => resolve()));
}

const gone = (res: ServerResponse): boolean => res.destroyed || res.socket === null || res.socket.destroyed;

/**
 * Sends the headers, then every event as its own write (no buffering), so clients see chunk timing
 * and cuts exactly. With `cutAfterChunks` the socket is destroyed after that many events: no final
 * event and no chunked-encoding terminator, like a provider connection dropping mid-stream.
 */
export async function writeSseStream(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  events: SseEvent[],
  opts: StreamOptions,
): Promise<void> {
  res.socket?.setNoDelay(true);
  res.writeHead(status, { 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  res.flushHeaders();
  let written = 0;
  for (const e of events) {
    if (opts.cutAfterChunks !== undefined && written >= opts.cutAfterChunks) break;
    if (written > 0 && opts.chunkDelayMs) {
      if (!(await sleep(opts.chunkDelayMs, opts.signal))) break;
    }
    if (gone(res)) return;
    await writeAndFlush(res, formatSse(e, opts.eol));
    written++;
  }
  if (gone(res)) return;
  if (opts.cutAfterChunks !== undefined || opts.signal.aborted) {
    res.destroy();
    return;
  }
  res.end();
}
