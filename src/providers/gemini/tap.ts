// Tap on a Gemini `streamGenerateContent?alt=sse` stream relayed unchanged (passthrough). Every
// chunk may carry running `usageMetadata` and the last one holds the totals, so the tap only keeps
// the raw text of the latest event that mentions it and parses that one object once, when usage is
// asked for — no event is parsed on the way through. A break becomes a `data:` chunk with an
// `error` object, which @google/genai raises as an ApiError.
import { jsonObjectAfter, SseFramer, sseData } from '../../bridge/sse-frame';
import { streamBreak } from '../../bridge/upstream-error';
import { errorBody } from '../../errors/render';
import type { TapOptions, UsageTap } from '../types';
import { geminiUsageToIR } from './response';

const encoder = new TextEncoder();
const MARK = '"usageMetadata":';

export function geminiStreamTap(opts: TapOptions): UsageTap {
  const decoder = new TextDecoder();
  const framer = new SseFramer();
  let last: string | null = null;
  let firstTokenAt: number | null = null;

  const note = (event: string): void => {
    if (event.includes(MARK)) last = event;
  };

  return {
    chunk(bytes) {
      firstTokenAt ??= opts.now();
      for (const event of framer.push(decoder.decode(bytes, { stream: true }))) note(event);
      return bytes;
    },
    end() {
      note(framer.rest() + decoder.decode());
      return null;
    },
    failure(reason) {
      const body = errorBody(streamBreak(reason), 'gemini', opts.requestId);
      return encoder.encode(`data: ${JSON.stringify(body)}\r\n\r\n`);
    },
    usage() {
      if (last === null) return null;
      const metadata = jsonObjectAfter(sseData(last), MARK);
      return metadata === undefined ? null : geminiUsageToIR(metadata);
    },
    firstTokenAt: () => firstTokenAt,
  };
}

/** Usage of a whole generateContent answer. */
export function geminiUsageFromBody(text: string) {
  const metadata = jsonObjectAfter(text, MARK);
  return metadata === undefined ? null : geminiUsageToIR(metadata);
}
