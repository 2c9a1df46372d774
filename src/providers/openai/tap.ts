// Tap on an OpenAI chat-completions SSE stream: forwards bytes as they arrive, reads the usage
// chunk, notes when the first chunk arrived (it carries the first token), and — when the gateway asked for usage on the client's behalf —
// drops the usage-only chunk the client did not ask for.
//
// On the hot path: events are framed on their blank-line separators and only an event that
// carries a usage object is parsed as JSON; every other event is forwarded (or re-emitted
// verbatim) without being parsed.
import type { StreamObserver } from '../../usage/pump';
import type { TokenUsage } from '../../usage/types';
import { chatUsageToIR } from './response';

export interface OpenAIStreamTap extends StreamObserver {
  usage(): TokenUsage | null;
  firstTokenAt(): number | null;
}

const USAGE_MARK = '"usage":{';

/** The data of one SSE event (its `data:` lines joined), per the EventSource framing rules. */
export function eventData(event: string): string {
  const lines = event.split(/\r?\n/).filter((l) => l.startsWith('data:'));
  return lines.map((l) => (l[5] === ' ' ? l.slice(6) : l.slice(5))).join('\n');
}

/** Index just past the first event separator (blank line) in `text`, or -1. */
function eventEnd(text: string, from = 0): number {
  const lf = text.indexOf('\n\n', from);
  const crlf = text.indexOf('\r\n\r\n', from);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf < 0 ? -1 : lf + 2;
}

/** The text ends on an event separator (a blank line, LF or CRLF). */
const endsEvent = (text: string) => text.endsWith('\n\n') || text.endsWith('\r\n\r\n');

export function openAIStreamTap(opts: { stripUsageChunk: boolean; now: () => number }): OpenAIStreamTap {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let usage: TokenUsage | null = null;
  let firstTokenAt: number | null = null;
  let carry = '';

  /** True when the event is the usage-only chunk (usage read either way). */
  const inspect = (event: string): boolean => {
    if (!event.includes(USAGE_MARK)) return false;
    try {
      const chunk = JSON.parse(eventData(event)) as {
        choices?: unknown[];
        usage?: Parameters<typeof normalizeOpenAIUsage>[0];
      };
      usage = normalizeOpenAIUsage(chunk.usage) ?? usage;
      return Array.isArray(chunk.choices) && chunk.choices.length === 0;
    } catch {
      return false;
    }
  };

  const frame = (text: string, emit: boolean): string => {
    carry += text;
    let out = '';
    let start = 0;
    for (let end = eventEnd(carry); end >= 0; end = eventEnd(carry, start)) {
      const event = carry.slice(start, end);
      const usageOnly = inspect(event);
      if (emit && !(usageOnly && opts.stripUsageChunk)) out += event;
      start = end;
    }
    carry = carry.slice(start);
    return out;
  };

  return {
    chunk(bytes) {
      firstTokenAt ??= opts.now();
      const aligned = carry === '';
      const text = decoder.decode(bytes, { stream: true });
      // Whole events with no usage in them (nearly every chunk): nothing to read or drop, so
      // the chunk goes on as it came without being framed (no event can straddle its edges).
      if (aligned && endsEvent(text) && !text.includes(USAGE_MARK) && bytes[bytes.length - 1] === 10)
        return bytes;
      if (!opts.stripUsageChunk) {
        frame(text, false);
        return bytes;
      }
      const out = frame(text, true);
      // Nothing dropped from a chunk of whole events (the usual case): forward its own bytes. Ending
      // on a newline, it holds no partial character the decoder kept back.
      if (aligned && carry === '' && out.length === text.length && bytes[bytes.length - 1] === 10)
        return bytes;
      return out ? encoder.encode(out) : null;
    },
    end() {
      const rest = carry + decoder.decode();
      carry = '';
      if (!opts.stripUsageChunk || !rest) return null;
      return encoder.encode(rest);
    },
    failure(reason) {
      // Whatever partial event was pending is dropped; the error event is the last the client sees.
      carry = '';
      const message =
        reason === 'upstream_idle_timeout'
          ? 'The provider stopped sending mid-stream (idle timeout); the response is incomplete.'
          : 'The provider broke off the stream; the response is incomplete.';
      const error = {
        error: {
          message,
          type: 'api_error',
          param: null,
          code: reason === 'upstream_error' ? 'upstream_stream_interrupted' : reason,
        },
      };
      return encoder.encode(`data: ${JSON.stringify(error)}\n\n`);
    },
    usage: () => usage,
    firstTokenAt: () => firstTokenAt,
  };
}

// Usage from OpenAI chat-completions responses and chunks, normalized (see usage/types.ts).
interface OpenAIUsage {
  prompt_tokens?: number;
}

/** Usage of a chat completion or chunk (chatUsageToIR), or null when there is no usage object. */
export function normalizeOpenAIUsage(u: unknown): TokenUsage | null {
  if (!u || typeof u !== 'object') return null;
  return chatUsageToIR(u);
}

/**
 * Usage of a whole chat-completion body. The usage object comes last, so it is cut out and parsed
 * alone; the full parse is the fallback for any body where that does not work.
 */
export function usageFromCompletionBody(text: string): TokenUsage | null {
  const at = text.lastIndexOf('"usage":');
  if (at >= 0) {
    const open = text.indexOf('{', at);
    let depth = 0;
    for (let i = open; open >= 0 && i < text.length; i++) {
      const ch = text[i];
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        try {
          const u = JSON.parse(text.slice(open, i + 1)) as OpenAIUsage;
          if (typeof u.prompt_tokens === 'number') return normalizeOpenAIUsage(u);
        } catch {
          // Fall through to the full parse.
        }
        break;
      }
    }
  }
  try {
    const parsed = JSON.parse(text) as { usage?: OpenAIUsage };
    return normalizeOpenAIUsage(parsed.usage);
  } catch {
    return null;
  }
}
