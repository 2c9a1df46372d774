// Server-sent events framing shared by every adapter: an incremental reader over eventsource-parser
// (which handles LF/CRLF line endings and events split across chunks) and a writer.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamDecoder } from './adapter';
import type { IRStreamEvent } from './ir';
import { type JsonRecord, rec } from './read';

export interface SseMessage {
  event?: string;
  data: string;
}

/** Feed text chunks, get whole events back. `end()` parses a final event that lacked its blank line. */
export function sseReader(): { feed(text: string): SseMessage[]; end(): SseMessage[] } {
  let out: SseMessage[] = [];
  const parser = createParser({
    onEvent(e: EventSourceMessage) {
      out.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data });
    },
  });
  const take = (): SseMessage[] => {
    const events = out;
    out = [];
    return events;
  };
  return {
    feed(text) {
      parser.feed(text);
      return take();
    },
    end() {
      parser.reset({ consume: true });
      return take();
    },
  };
}

/** One event; `data` is serialised to a single line, which every SDK parser accepts. */
export function sseEvent(data: unknown, event?: string, eol: '\n' | '\r\n' = '\n'): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}${eol}`}data: ${text}${eol}${eol}`;
}

/** JSON.parse that returns undefined instead of throwing (a malformed upstream event is skipped). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The shell every upstream stream decoder shares: SSE framing, each message's data handed to
 * `onData`, the sink drained after every feed. `beforeEnd` runs when the body ended, before the
 * sink decides whether the stream was complete or cut.
 */
export function sseDecoder(
  sink: { drain(): IRStreamEvent[]; endOfInput(): void },
  onData: (data: string) => void,
  beforeEnd: () => void = () => {},
): StreamDecoder {
  const sse = sseReader();
  return {
    feed(text) {
      for (const m of sse.feed(text)) onData(m.data);
      return sink.drain();
    },
    end() {
      for (const m of sse.end()) onData(m.data);
      beforeEnd();
      sink.endOfInput();
      return sink.drain();
    },
  };
}

/** `onData` for protocols whose every message is one JSON object: unparseable ones are skipped. */
export function jsonData(onObject: (data: JsonRecord) => void): (data: string) => void {
  return (data) => {
    const parsed = parseJson(data);
    if (parsed !== undefined) onObject(rec(parsed));
  };
}
