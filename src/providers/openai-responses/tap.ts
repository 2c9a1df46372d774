// Tap on an OpenAI Responses SSE stream relayed unchanged (passthrough). Usage is only in the
// terminal event (response.completed / incomplete / failed): earlier events carry `"usage":null`,
// so only an event containing `"usage":{` is looked at, and only its usage object is parsed (the
// event also repeats the whole response). Events are counted instead of parsed, which is enough to
// give a break's `error` event the next `sequence_number`.
import { jsonObjectAfter, SseFramer, sseData } from '../../bridge/sse-frame';
import { streamBreak } from '../../bridge/upstream-error';
import type { TapOptions, UsageTap } from '../types';
import { responsesUsageToIR } from './response';

const encoder = new TextEncoder();
const MARK = '"usage":';

export function responsesStreamTap(opts: TapOptions): UsageTap {
  const decoder = new TextDecoder();
  const framer = new SseFramer();
  let usageEvent: string | null = null;
  let events = 0;
  let firstTokenAt: number | null = null;

  const note = (event: string): void => {
    events++;
    if (event.includes('"usage":{')) usageEvent = event;
  };

  return {
    chunk(bytes) {
      firstTokenAt ??= opts.now();
      for (const event of framer.push(decoder.decode(bytes, { stream: true }))) note(event);
      return bytes;
    },
    end() {
      const rest = framer.rest() + decoder.decode();
      if (rest.trim()) note(rest);
      return null;
    },
    failure(reason) {
      const err = streamBreak(reason);
      const data = {
        type: 'error',
        code: err.code,
        message: err.message,
        param: null,
        sequence_number: events,
      };
      return encoder.encode(`event: error\ndata: ${JSON.stringify(data)}\n\n`);
    },
    usage() {
      if (usageEvent === null) return null;
      const usage = jsonObjectAfter(sseData(usageEvent), MARK);
      return usage === undefined ? null : responsesUsageToIR(usage);
    },
    // The terminal event repeats the whole response, output items included.
    units: () => ({ webSearchCalls: usageEvent === null ? 0 : webSearchCalls(usageEvent) }),
    firstTokenAt: () => firstTokenAt,
  };
}

const WEB_SEARCH_ITEM = /"type"\s*:\s*"web_search_call"/g;

/**
 * Web-search output items in a Responses document, compact or indented. Counting the marker is
 * exact: inside a JSON string its quotes would be escaped, so it only matches an item's `type`.
 */
export function webSearchCalls(text: string): number {
  return text.match(WEB_SEARCH_ITEM)?.length ?? 0;
}

/** Usage of a whole Responses answer (the usage object comes after the output). */
export function responsesUsageFromBody(text: string) {
  const usage = jsonObjectAfter(text, MARK);
  return usage === undefined ? null : responsesUsageToIR(usage);
}
