// The passthrough taps, over the recorded provider streams: bytes forwarded untouched in any
// chunking, the same usage the bridge's full stream decoder reads, and a break reported in the
// protocol's own error shape.
import { describe, expect, it } from 'vitest';
import { fixtureNames, fixtureText, ragged } from '../../test/conformance/fixtures';
import type { StreamDecoder } from '../bridge/adapter';
import { anthropicStreamDecoder } from './anthropic/stream';
import { anthropicStreamTap } from './anthropic/tap';
import { geminiStreamDecoder } from './gemini/stream';
import { geminiStreamTap } from './gemini/tap';
import { responsesStreamDecoder } from './openai-responses/stream';
import { responsesStreamTap } from './openai-responses/tap';
import type { TapOptions, UsageTap } from './types';

const cases: [string, (o: TapOptions) => UsageTap, () => StreamDecoder][] = [
  ['anthropic', anthropicStreamTap, anthropicStreamDecoder],
  ['gemini', geminiStreamTap, geminiStreamDecoder],
  ['responses', responsesStreamTap, responsesStreamDecoder],
];

const enc = new TextEncoder();
const dec = new TextDecoder();
const options = (): TapOptions => ({ hideUsage: false, now: () => 42, requestId: 'req_1' });

function decodedUsage(decoder: StreamDecoder, sse: string) {
  const events = [...decoder.feed(sse), ...decoder.end()];
  return events.flatMap((e) => (e.type === 'usage' ? [e.usage] : [])).at(-1) ?? null;
}

describe.each(cases)('%s stream tap', (protocol, tap, decoder) => {
  for (const file of fixtureNames(protocol, '.sse')) {
    it(`relays ${file} untouched and reads its usage`, () => {
      const sse = fixtureText(protocol, file);
      for (const size of [5, 64, sse.length]) {
        const t = tap(options());
        let out = '';
        for (const piece of ragged(sse, size))
          out += dec.decode(t.chunk(enc.encode(piece)) ?? new Uint8Array());
        expect(t.end?.()).toBeNull();
        expect(out).toBe(sse);
        expect(t.usage()).toEqual(decodedUsage(decoder(), sse));
        expect(t.firstTokenAt()).toBe(42);
      }
    });
  }

  it('reports a break in the protocol’s error shape', () => {
    const notice = dec.decode(tap(options()).failure?.('upstream_idle_timeout') ?? new Uint8Array());
    expect(notice).toContain('upstream_idle_timeout');
    expect(notice).toMatch(/\r?\n\r?\n$/);
  });
});
