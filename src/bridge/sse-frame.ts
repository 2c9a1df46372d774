// Cheap helpers for taps on passthrough streams, which forward bytes untouched and must not parse
// every event (performance): a framer that cuts SSE text into whole raw events on their blank-line
// separators (string search only), and a reader that cuts one JSON object out of a larger text
// (a usage object at the end of a big event or body) without parsing the rest.

/** Index just past the first event separator (blank line, LF or CRLF) in `text` from `from`, or -1. */
function eventEnd(text: string, from: number): number {
  const lf = text.indexOf('\n\n', from);
  const crlf = text.indexOf('\r\n\r\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf < 0 ? -1 : lf + 2;
}

/** Feed decoded text in any chunking; get back the raw text of every event completed so far. */
export class SseFramer {
  #carry = '';

  push(text: string): string[] {
    this.#carry += text;
    const events: string[] = [];
    let start = 0;
    for (let end = eventEnd(this.#carry, 0); end >= 0; end = eventEnd(this.#carry, start)) {
      events.push(this.#carry.slice(start, end));
      start = end;
    }
    if (start > 0) this.#carry = this.#carry.slice(start);
    return events;
  }

  /** What is left after the body ended (a last event without its blank line), then resets. */
  rest(): string {
    const rest = this.#carry;
    this.#carry = '';
    return rest;
  }
}

/** The data of one SSE event (its `data:` lines joined), per the EventSource framing rules. */
export function sseData(event: string): string {
  const lines = event.split(/\r?\n/).filter((l) => l.startsWith('data:'));
  return lines.map((l) => (l[5] === ' ' ? l.slice(6) : l.slice(5))).join('\n');
}

/**
 * The JSON object that follows the LAST occurrence of `marker` (e.g. `"usage":`) in `text`, parsed,
 * or undefined. JSON strings are skipped while matching braces, so text inside them cannot confuse
 * the scan. Providers put usage last, which is why the last occurrence is the one wanted.
 */
export function jsonObjectAfter(text: string, marker: string): unknown {
  const at = text.lastIndexOf(marker);
  if (at < 0) return undefined;
  const open = text.indexOf('{', at + marker.length);
  // Only whitespace may sit between the marker and the object (`"usage": null` is not an object).
  if (open < 0 || text.slice(at + marker.length, open).trim() !== '') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b) depth++;
    else if (ch === 0x7d && --depth === 0) {
      try {
        return JSON.parse(text.slice(open, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
