import { describe, expect, it } from 'vitest';
import { upstreamChatBody } from './protocol';
import { openAIStreamTap, usageFromCompletionBody } from './tap';

const enc = new TextEncoder();
const dec = new TextDecoder();
const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const sse = [
  chunk({ id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }),
  chunk({ id: 'c', choices: [{ index: 0, delta: { content: 'Hi' } }] }),
  chunk({
    id: 'c',
    choices: [],
    usage: {
      prompt_tokens: 12,
      completion_tokens: 3,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 1 },
    },
  }),
  'data: [DONE]\n\n',
].join('');

function run(strip: boolean, pieces: string[]) {
  let t = 100;
  const tap = openAIStreamTap({ stripUsageChunk: strip, now: () => t++ });
  let out = '';
  for (const p of pieces) {
    const forwarded = tap.chunk(enc.encode(p));
    if (forwarded) out += dec.decode(forwarded);
  }
  const tail = tap.end?.();
  if (tail) out += dec.decode(tail);
  return { tap, out };
}

// Split at awkward places: inside JSON, between \n\n.
const ragged = [sse.slice(0, 7), sse.slice(7, 90), sse.slice(90, 91), sse.slice(91)];

describe('OpenAI stream tap', () => {
  it('forwards the bytes untouched and reads usage when the client asked for it', () => {
    const { tap, out } = run(false, ragged);
    expect(out).toBe(sse);
    expect(tap.usage()).toEqual({
      promptTokens: 12,
      completionTokens: 3,
      cachedReadTokens: 4,
      cacheWriteTokens: 0,
      reasoningTokens: 1,
    });
    expect(tap.firstTokenAt()).toBe(100);
  });

  it("drops only the usage-only chunk when the gateway asked on the client's behalf", () => {
    const { tap, out } = run(true, ragged);
    expect(out).not.toContain('usage');
    expect(out).toContain('"content":"Hi"');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(tap.usage()?.promptTokens).toBe(12);
  });
});

describe('OpenAI stream tap, forwarding chunks of whole events as they came', () => {
  const events = [
    chunk({ id: 'c', choices: [{ index: 0, delta: { content: 'Hé🙂' } }] }),
    chunk({ id: 'c', choices: [], usage: { prompt_tokens: 2, completion_tokens: 1 } }),
    'data: [DONE]\n\n',
  ];
  const expected = `${events[0]}${events[2]}`;

  function relay(pieces: Uint8Array[]) {
    const tap = openAIStreamTap({ stripUsageChunk: true, now: () => 0 });
    const out: Uint8Array[] = [];
    for (const p of pieces) {
      const forwarded = tap.chunk(p);
      if (forwarded) out.push(forwarded);
    }
    const tail = tap.end?.();
    if (tail) out.push(tail);
    return { out, text: dec.decode(Buffer.concat(out)), tap };
  }

  it('passes a whole event through as the same bytes, and still drops the usage-only one', () => {
    const pieces = events.map((e) => enc.encode(e));
    const { out, text, tap } = relay(pieces);
    expect(text).toBe(expected);
    expect(out[0]).toBe(pieces[0]);
    expect(tap.usage()?.promptTokens).toBe(2);
  });

  it('never repeats or loses a character split across chunks', () => {
    const all = enc.encode(events.join(''));
    for (let cut = 1; cut < all.length; cut++) {
      const { text } = relay([all.slice(0, cut), all.slice(cut)]);
      expect(text).toBe(expected);
    }
  });
});

describe('upstream chat body', () => {
  const body = {
    model: 'alias',
    messages: [{ role: 'user', content: 'x' }],
    temperature: 0.2,
    custom_field: { a: 1 },
  };

  it('sets the mapped model and keeps unknown fields', () => {
    expect(upstreamChatBody(body, 'real')).toEqual({ body: { ...body, model: 'real' }, stripUsage: false });
  });

  it('asks for usage on streams and remembers whether the client did', () => {
    expect(upstreamChatBody({ ...body, stream: true }, 'real')).toMatchObject({
      body: { stream_options: { include_usage: true } },
      stripUsage: true,
    });
    const asked = upstreamChatBody(
      { ...body, stream: true, stream_options: { include_usage: true } },
      'real',
    );
    expect(asked.stripUsage).toBe(false);
  });
});

describe('usage of a whole completion body', () => {
  it('reads the trailing usage object, even when the content mentions usage', () => {
    const body = JSON.stringify({
      choices: [{ message: { content: 'the "usage":{"prompt_tokens":999} field {nested}' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } },
    });
    expect(usageFromCompletionBody(body)).toEqual({
      promptTokens: 7,
      completionTokens: 3,
      cachedReadTokens: 2,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('falls back to a full parse when usage is not last, and reports none when absent', () => {
    const body = JSON.stringify({
      usage: { prompt_tokens: 5, completion_tokens: 1 },
      choices: [{ message: { content: 'x "usage":{"a":1}' } }],
    });
    expect(usageFromCompletionBody(body)?.promptTokens).toBe(5);
    expect(usageFromCompletionBody('{"choices":[]}')).toBeNull();
  });
});
