// Tap on an Anthropic Messages SSE stream relayed unchanged (passthrough). Usage arrives in two
// events — message_start (input and cache tokens) and message_delta (cumulative output, and on
// newer API versions updated input counts) — so only events containing `"usage"` are parsed; every
// other event is forwarded without being looked at. A break becomes an `event: error`, which the
// Anthropic SDKs raise as an APIError.
import { rec } from '../../bridge/read';
import { SseFramer, sseData } from '../../bridge/sse-frame';
import { streamBreak } from '../../bridge/upstream-error';
import { errorBody } from '../../errors/render';
import type { TapOptions, UsageTap } from '../types';
import { anthropicUnits, anthropicUsageToIR } from './response';

const encoder = new TextEncoder();

export function anthropicStreamTap(opts: TapOptions): UsageTap {
  const decoder = new TextDecoder();
  const framer = new SseFramer();
  const usage: Record<string, unknown> = {};
  let seen = false;
  let firstTokenAt: number | null = null;

  const inspect = (event: string): void => {
    if (!event.includes('"usage"')) return;
    let data: Record<string, unknown>;
    try {
      data = rec(JSON.parse(sseData(event)));
    } catch {
      return;
    }
    const fields = data['type'] === 'message_start' ? rec(data['message'])['usage'] : data['usage'];
    // message_delta counts are cumulative and may omit fields: merge, never add.
    for (const [k, v] of Object.entries(rec(fields))) if (v !== null && v !== undefined) usage[k] = v;
    seen = true;
  };

  return {
    chunk(bytes) {
      firstTokenAt ??= opts.now();
      for (const event of framer.push(decoder.decode(bytes, { stream: true }))) inspect(event);
      return bytes;
    },
    end() {
      inspect(framer.rest() + decoder.decode());
      return null;
    },
    failure(reason) {
      const err = streamBreak(reason);
      return encoder.encode(
        `event: error\ndata: ${JSON.stringify(errorBody(err, 'anthropic', opts.requestId))}\n\n`,
      );
    },
    usage: () => (seen ? anthropicUsageToIR(usage) : null),
    units: () => anthropicUnits(usage),
    firstTokenAt: () => firstTokenAt,
  };
}
