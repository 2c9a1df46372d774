// @ts-check
// Adds V8 flags to the binary Cap'n Proto config Miniflare pipes to workerd, which has no flag for
// them on its command line and which Miniflare (our version) never sets. Why we need one at all:
// see workerd-v8.sh. Run as a filter (stdin → stdout) by that script; `withV8Flags` is the pure part.
//
// The message keeps every byte it had; the flags go into one new segment, reached from the root
// Config struct's `v8Flags` pointer (field @2, the third pointer) by a far pointer, so no offset
// inside the existing segments moves.

const V8_FLAGS_POINTER = 2;
const LIST = 1;
const FAR = 2;
const BYTE_ELEMENTS = 2;
const POINTER_ELEMENTS = 6;

/**
 * @param {Uint8Array} message a Cap'n Proto message in the standard stream framing
 * @param {string[]} flags
 * @returns {Uint8Array}
 */
export function withV8Flags(message, flags) {
  if (flags.length === 0) return message;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const segments = view.getUint32(0, true) + 1;
  const headerBytes = Math.ceil((4 + 4 * segments) / 8) * 8;
  const sizes = Array.from({ length: segments }, (_, i) => view.getUint32(4 + 4 * i, true));
  const body = sizes.reduce((n, words) => n + words * 8, 0);
  if (headerBytes + body !== message.byteLength) throw new Error('not a single Cap’n Proto message');

  const rootLo = view.getUint32(headerBytes, true);
  const rootHi = view.getUint32(headerBytes + 4, true);
  if ((rootLo & 3) !== 0) throw new Error('the root pointer is not a near struct pointer');
  const structWord = 1 + ((rootLo | 0) >> 2);
  const dataWords = rootHi & 0xffff;
  const pointerWords = rootHi >>> 16;
  if (pointerWords <= V8_FLAGS_POINTER) throw new Error('the root struct has no v8Flags pointer');
  const slot = headerBytes + (structWord + dataWords + V8_FLAGS_POINTER) * 8;
  if (view.getUint32(slot, true) !== 0 || view.getUint32(slot + 4, true) !== 0)
    throw new Error('the config already sets v8Flags');

  // New segment: a landing pad (a list pointer to the next word), the list's text pointers, texts.
  const texts = flags.map((f) => new TextEncoder().encode(`${f}\0`));
  const textWords = texts.map((t) => Math.ceil(t.length / 8));
  const words = 1 + flags.length + textWords.reduce((a, b) => a + b, 0);
  const segment = new Uint8Array(words * 8);
  const seg = new DataView(segment.buffer);
  const listPointer = (at, offset, elementSize, count) => {
    seg.setUint32(at * 8, (LIST | (offset << 2)) >>> 0, true);
    seg.setUint32(at * 8 + 4, (elementSize | (count << 3)) >>> 0, true);
  };
  listPointer(0, 0, POINTER_ELEMENTS, flags.length);
  let next = 1 + flags.length;
  for (const [i, text] of texts.entries()) {
    const at = 1 + i;
    listPointer(at, next - (at + 1), BYTE_ELEMENTS, text.length);
    segment.set(text, next * 8);
    next += textWords[i] ?? 0;
  }

  const newHeaderBytes = Math.ceil((4 + 4 * (segments + 1)) / 8) * 8;
  const out = new Uint8Array(newHeaderBytes + body + segment.length);
  const head = new DataView(out.buffer);
  head.setUint32(0, segments, true);
  for (const [i, w] of [...sizes, words].entries()) head.setUint32(4 + 4 * i, w, true);
  out.set(message.subarray(headerBytes), newHeaderBytes);
  out.set(segment, newHeaderBytes + body);
  // The far pointer: landing pad at word 0 of the new segment (id `segments`).
  const farAt = slot - headerBytes + newHeaderBytes;
  head.setUint32(farAt, FAR, true);
  head.setUint32(farAt + 4, segments, true);
  return out;
}

/** SWITCHYARD_WORKERD_V8_FLAGS (space-separated) or the default. */
export function flagsFromEnv(env = process.env) {
  const raw = env['SWITCHYARD_WORKERD_V8_FLAGS'] ?? '--single-threaded-gc';
  return raw.split(/\s+/).filter(Boolean);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  process.stdout.write(withV8Flags(new Uint8Array(Buffer.concat(chunks)), flagsFromEnv()));
}
