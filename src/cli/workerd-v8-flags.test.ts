import { describe, expect, it } from 'vitest';
import { flagsFromEnv, withV8Flags } from './workerd-v8-flags.mjs';

// A reader written from the Cap'n Proto encoding spec, apart from the writer under test.
function words(buf: Uint8Array) {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getUint32(0, true) + 1;
  const header = Math.ceil((4 + 4 * count) / 8) * 8;
  const starts: number[] = [];
  let at = header;
  for (let i = 0; i < count; i++) {
    starts.push(at);
    at += view.getUint32(4 + 4 * i, true) * 8;
  }
  const lo = (seg: number, w: number) => view.getUint32((starts[seg] as number) + w * 8, true);
  const hi = (seg: number, w: number) => view.getUint32((starts[seg] as number) + w * 8 + 4, true);
  return { view, starts, lo, hi, count, total: at };
}

function readV8Flags(buf: Uint8Array): string[] | null {
  const m = words(buf);
  const structAt = 1 + ((m.lo(0, 0) | 0) >> 2);
  const slot = structAt + (m.hi(0, 0) & 0xffff) + 2;
  let [seg, w] = [0, slot];
  if (m.lo(seg, w) === 0 && m.hi(seg, w) === 0) return null;
  if ((m.lo(seg, w) & 3) === 2) [seg, w] = [m.hi(seg, w), m.lo(seg, w) >>> 3];
  const list = (s: number, at: number) => ({
    start: at + 1 + ((m.lo(s, at) | 0) >> 2),
    size: m.hi(s, at) & 7,
    count: m.hi(s, at) >>> 3,
  });
  const outer = list(seg, w);
  expect(outer.size).toBe(6);
  return Array.from({ length: outer.count }, (_, i) => {
    const text = list(seg, outer.start + i);
    expect(text.size).toBe(2);
    const from = (m.starts[seg] as number) + text.start * 8;
    const bytes = buf.subarray(from, from + text.count);
    expect(bytes[bytes.length - 1]).toBe(0);
    return new TextDecoder().decode(bytes.subarray(0, -1));
  });
}

/** A message whose root struct has `data` data words and `pointers` null pointers, then `extra` words. */
function message(data: number, pointers: number, extra = 0): Uint8Array {
  const segWords = 1 + data + pointers + extra;
  const buf = new Uint8Array(8 + segWords * 8);
  const view = new DataView(buf.buffer);
  view.setUint32(0, 0, true);
  view.setUint32(4, segWords, true);
  view.setUint32(8, 0, true); // struct pointer, offset 0: the struct follows the root pointer
  view.setUint32(12, data | (pointers << 16), true);
  for (let i = 0; i < data * 8; i++) buf[16 + i] = 0xa0 + (i % 16);
  return buf;
}

describe('withV8Flags', () => {
  it('adds the flags in a new segment, reachable from the third pointer of the root', () => {
    const before = message(1, 6, 3);
    const after = withV8Flags(before, ['--single-threaded-gc', '--x']);
    expect(readV8Flags(before)).toBeNull();
    expect(readV8Flags(after)).toEqual(['--single-threaded-gc', '--x']);
    const m = words(after);
    expect(m.count).toBe(2);
    expect(m.total).toBe(after.byteLength);
    // The first segment is byte for byte what it was, but for the pointer set.
    const old = before.subarray(8);
    const now = after.subarray(m.starts[0], (m.starts[0] as number) + old.length);
    const slotByte = (1 + 1 + 2) * 8;
    expect([...now.subarray(0, slotByte)]).toEqual([...old.subarray(0, slotByte)]);
    expect([...now.subarray(slotByte + 8)]).toEqual([...old.subarray(slotByte + 8)]);
  });

  it('appends to a message that already has two segments (the header then needs padding)', () => {
    const base = message(0, 3);
    const twoSegments = new Uint8Array(16 + base.length - 8 + 8);
    const v = new DataView(twoSegments.buffer);
    v.setUint32(0, 1, true); // two segments: the root's (4 words) and one of 1 word
    v.setUint32(4, 4, true);
    v.setUint32(8, 1, true);
    twoSegments.set(base.subarray(8), 16);
    const after = withV8Flags(twoSegments, ['--b', '--cc']);
    expect(words(after).count).toBe(3);
    expect(readV8Flags(after)).toEqual(['--b', '--cc']);
  });

  it('leaves a message alone without flags, and refuses what it cannot patch', () => {
    const m = message(0, 3);
    expect(withV8Flags(m, [])).toBe(m);
    expect(() => withV8Flags(message(0, 2), ['--a'])).toThrow(/no v8Flags pointer/);
    expect(() => withV8Flags(withV8Flags(m, ['--a']), ['--b'])).toThrow(/already sets v8Flags/);
    expect(() => withV8Flags(m.subarray(0, m.length - 8), ['--a'])).toThrow(/not a single/);
  });

  it('reads the flags from the environment, with single-threaded GC by default', () => {
    expect(flagsFromEnv({})).toEqual(['--single-threaded-gc']);
    expect(flagsFromEnv({ SWITCHYARD_WORKERD_V8_FLAGS: ' --a  --b ' })).toEqual(['--a', '--b']);
    expect(flagsFromEnv({ SWITCHYARD_WORKERD_V8_FLAGS: '' })).toEqual([]);
  });
});
