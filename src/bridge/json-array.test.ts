import { describe, expect, it } from 'vitest';
import { asJsonArrayStream, sseToJsonArray } from './json-array';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Writes `pieces` one by one and records what came out after each write. */
async function run(pieces: string[]): Promise<string[]> {
  const t = sseToJsonArray();
  const writer = t.writable.getWriter();
  const reader = t.readable.getReader();
  const out: string[] = [];
  const drain = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out.push(dec.decode(value));
    }
  })();
  for (const p of pieces) await writer.write(enc.encode(p));
  await writer.close();
  await drain;
  return out;
}

describe('sseToJsonArray', () => {
  it('turns each SSE event into an array element as it completes, whatever the chunking', async () => {
    const out = await run(['data: {"a":', '1}\r\n\r\nda', 'ta: {"b":2}\r\n\r\n', 'data: {"c":3}\n\n']);
    expect(out).toEqual(['[{"a":1}', '\n,\r\n{"b":2}', '\n,\r\n{"c":3}', '\n]']);
    expect(JSON.parse(out.join(''))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('keeps a last event without its blank line, and writes [] for an empty stream', async () => {
    expect(JSON.parse((await run(['data: {"a":1}\r\n\r\ndata: {"error":{"code":502}}'])).join(''))).toEqual([
      { a: 1 },
      { error: { code: 502 } },
    ]);
    expect((await run([])).join('')).toBe('[]');
  });

  it('leaves error answers (JSON) alone and relabels a stream as JSON', async () => {
    const err = new Response('{"error":{}}', {
      status: 400,
      headers: { 'content-type': 'application/json' },
    });
    expect(asJsonArrayStream(err)).toBe(err);
    const sse = new Response('data: {"x":1}\r\n\r\n', { headers: { 'content-type': 'text/event-stream' } });
    const res = asJsonArrayStream(sse);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual([{ x: 1 }]);
  });
});
