// The bridge against the providers' own published examples (test/fixtures/published, each listed
// with its source URL and retrieval date in SOURCES.md): every example decodes to the IR its text
// says, and translates into every client protocol and back without losing text or usage.
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../providers/anthropic';
import { geminiAdapter } from '../providers/gemini';
import { openAIChatAdapter } from '../providers/openai';
import { openAIResponsesAdapter } from '../providers/openai-responses';
import type { BridgeAdapter } from './adapter';
import type { IRResponse, IRStreamEvent } from './ir';
import { collectStream } from './stream';

const ROOT = '../../test/fixtures/published/';
const files = import.meta.glob('../../test/fixtures/published/*', {
  query: '?raw',
  import: 'default',
  eager: true,
});

function fixture(name: string): string {
  const text = files[`${ROOT}${name}`];
  if (typeof text !== 'string') throw new Error(`missing fixture ${name}`);
  return text;
}

const CLIENTS: Record<string, BridgeAdapter> = {
  'openai-chat': openAIChatAdapter,
  'openai-responses': openAIResponsesAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

const ctx = { now: () => 1_767_225_600_000, requestId: 'req_test' };
const textOf = (r: IRResponse) => r.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');

function decodeStream(adapter: BridgeAdapter, sse: string, chunk?: number): IRStreamEvent[] {
  const d = adapter.streamDecoder();
  const pieces: string[] = [];
  for (let i = 0; i < sse.length; i += chunk ?? sse.length)
    pieces.push(sse.slice(i, i + (chunk ?? sse.length)));
  return [...pieces.flatMap((p) => d.feed(p)), ...d.end()];
}

interface Example {
  file: string;
  upstream: BridgeAdapter;
  stream: boolean;
  /** What the published example itself says. */
  text: string;
  stopReason: IRResponse['stopReason'];
  usage: Partial<IRResponse['usage']>;
}

const EXAMPLES: Example[] = [
  {
    file: 'openai-chat-completion.json',
    upstream: openAIChatAdapter,
    stream: false,
    text: 'Hello! How can I assist you today?',
    stopReason: 'end_turn',
    usage: { promptTokens: 19, completionTokens: 10, cachedReadTokens: 0, reasoningTokens: 0 },
  },
  {
    file: 'openai-response.json',
    upstream: openAIResponsesAdapter,
    stream: false,
    text: 'In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool that reflected the stars. As she dipped her horn into the water, the pool began to shimmer, revealing a pathway to a magical realm of endless night skies. Filled with wonder, Lumina whispered a wish for all who dream to find their own hidden magic, and as she glanced back, her hoofprints sparkled like stardust.',
    stopReason: 'end_turn',
    usage: { promptTokens: 36, completionTokens: 87, cachedReadTokens: 0, reasoningTokens: 0 },
  },
  {
    file: 'anthropic-message.json',
    upstream: anthropicAdapter,
    stream: false,
    text: 'Hi! My name is Claude.',
    stopReason: 'end_turn',
    usage: { promptTokens: 2095, completionTokens: 503 },
  },
  {
    file: 'anthropic-message-stream.sse',
    upstream: anthropicAdapter,
    stream: true,
    text: 'Hello!',
    stopReason: 'end_turn',
    usage: { promptTokens: 25, completionTokens: 15 },
  },
  {
    file: 'gemini-generate-content.json',
    upstream: geminiAdapter,
    stream: false,
    text: 'Meow 😺 \n',
    stopReason: 'end_turn',
    usage: { promptTokens: 0, completionTokens: 0 },
  },
  {
    file: 'gemini-stream-generate-content.sse',
    upstream: geminiAdapter,
    stream: true,
    text:
      'In the quaint, sunlit cottage nestled amidst a lush meadow, resided two feline companions named ' +
      'Mittens and Whiskers. Mittens, with her silky black fur and piercing green eyes, possessed an air ' +
      'of elegance and mystery. Whiskers, other and for adventure stronger than ever.',
    stopReason: 'end_turn',
    usage: { promptTokens: 0, completionTokens: 0 },
  },
];

function decode(e: Example, chunk?: number): IRResponse {
  const raw = fixture(e.file);
  if (!e.stream) return e.upstream.decodeResponse(JSON.parse(raw));
  return collectStream(decodeStream(e.upstream, raw, chunk)).response();
}

describe('published provider examples', () => {
  it('are each listed in SOURCES.md with a source URL and a date', () => {
    const sources = fixture('SOURCES.md');
    const listed = Object.keys(files)
      .map((k) => k.slice(ROOT.length))
      .filter((f) => f !== 'SOURCES.md');
    expect(listed.sort()).toEqual(EXAMPLES.map((e) => e.file).sort());
    for (const f of listed) {
      const row = sources.split('\n').find((l) => l.startsWith(`| \`${f}\``));
      expect(row, f).toMatch(/https:\/\/\S+ \| \d{4}-\d{2}-\d{2} \|/);
    }
  });

  for (const e of EXAMPLES) {
    describe(e.file, () => {
      it('decodes to the text, stop reason and usage the example shows', () => {
        for (const chunk of e.stream ? [undefined, 1, 7] : [undefined]) {
          const ir = decode(e, chunk);
          expect(textOf(ir)).toBe(e.text);
          expect(ir.stopReason).toBe(e.stopReason);
          expect(ir.usage).toMatchObject(e.usage);
        }
      });

      it('translates into every client protocol and back with its text and usage', () => {
        const ir = decode(e);
        for (const [name, client] of Object.entries(CLIENTS)) {
          const again = client.decodeResponse(client.encodeResponse(ir, ctx));
          expect(textOf(again), name).toBe(e.text);
          expect(again.usage.promptTokens, name).toBe(ir.usage.promptTokens);
          expect(again.usage.completionTokens, name).toBe(ir.usage.completionTokens);
          if (!e.stream) continue;
          const enc = client.streamEncoder({ ...ctx, streamUsage: true });
          const sse = decodeStream(e.upstream, fixture(e.file))
            .map((ev) => enc.push(ev))
            .join('');
          expect(textOf(collectStream(decodeStream(client, sse)).response()), name).toBe(e.text);
        }
      });
    });
  }
});
