// Tap on an OpenAI chat-completions SSE stream: forwards bytes as they arrive, reads the usage
// chunk, notes the first content token, and — when the gateway asked for usage on the client's
// behalf — drops the usage-only chunk the client did not ask for.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamObserver } from '../../usage/pump';
import type { TokenUsage } from '../../usage/types';
import { normalizeOpenAIUsage } from './response';

interface ChunkShape {
  choices?: unknown[];
  usage?: Parameters<typeof normalizeOpenAIUsage>[0];
}

export interface OpenAIStreamTap extends StreamObserver {
  usage(): TokenUsage | null;
  firstTokenAt(): number | null;
}

export function openAIStreamTap(opts: { stripUsageChunk: boolean; now: () => number }): OpenAIStreamTap {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let usage: TokenUsage | null = null;
  let firstTokenAt: number | null = null;
  let pending: string[] = [];

  const onEvent = (event: EventSourceMessage) => {
    let drop = false;
    if (event.data !== '[DONE]') {
      try {
        const chunk = JSON.parse(event.data) as ChunkShape;
        if (firstTokenAt === null && Array.isArray(chunk.choices) && chunk.choices.length > 0)
          firstTokenAt = opts.now();
        if (chunk.usage) {
          usage = normalizeOpenAIUsage(chunk.usage) ?? usage;
          drop = opts.stripUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0;
        }
      } catch {
        // Not JSON: forward as is; the client sees exactly what the upstream sent.
      }
    }
    if (opts.stripUsageChunk && !drop) {
      pending.push(`${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
    }
  };
  const parser = createParser({ onEvent });

  return {
    chunk(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      if (!opts.stripUsageChunk) return bytes;
      // Rewriting mode: re-emit only whole events, minus the usage-only one.
      const out = pending.join('');
      pending = [];
      return out ? encoder.encode(out) : null;
    },
    end() {
      parser.reset({ consume: true });
      if (!opts.stripUsageChunk || pending.length === 0) return null;
      const out = pending.join('');
      pending = [];
      return encoder.encode(out);
    },
    usage: () => usage,
    firstTokenAt: () => firstTokenAt,
  };
}
