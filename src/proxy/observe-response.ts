// Wraps an upstream OpenAI chat response so its usage and first-token time can be read once the
// body has been pumped to the client.
import { usageFromCompletionBody } from '../providers/openai/response';
import { openAIStreamTap } from '../providers/openai/stream';
import { type EndReason, pumpBody } from '../usage/pump';
import type { TokenUsage } from '../usage/types';

export interface ObservedResponse {
  body: ReadableStream<Uint8Array>;
  done: Promise<EndReason>;
  usage(): TokenUsage | null;
  ttftAt(): number | null;
}

export function observeChatResponse(
  upstreamBody: ReadableStream<Uint8Array>,
  opts: { stream: boolean; stripUsage: boolean; now: () => number; idleTimeoutMs: number },
): ObservedResponse {
  if (opts.stream) {
    const tap = openAIStreamTap({ stripUsageChunk: opts.stripUsage, now: opts.now });
    return { ...pumpBody(upstreamBody, tap, opts.idleTimeoutMs), usage: tap.usage, ttftAt: tap.firstTokenAt };
  }
  const parts: Uint8Array[] = [];
  let firstByteAt: number | null = null;
  const pumped = pumpBody(
    upstreamBody,
    {
      chunk(bytes) {
        firstByteAt ??= opts.now();
        parts.push(bytes);
        return bytes;
      },
    },
    opts.idleTimeoutMs,
  );
  return {
    ...pumped,
    usage: () => usageFromCompletionBody(new TextDecoder().decode(concat(parts))),
    ttftAt: () => firstByteAt,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
