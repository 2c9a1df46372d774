import { describe, expect, it } from 'vitest';
import {
  BehaviourKeyError,
  parseBehaviourKey,
  resolveBehaviour,
  ScriptBook,
  validateBehaviour,
} from './behaviour';

describe('parseBehaviourKey', () => {
  it.each([
    ['sk-live-abc', {}],
    ['anything', {}],
    ['fake-ok', {}],
    ['fake-429', { status: 429, retryAfter: 1 }],
    ['fake-429-ra5', { status: 429, retryAfter: 5 }],
    ['fake-500', { status: 500 }],
    ['fake-503', { status: 503 }],
    ['fake-401', { status: 401 }],
    ['fake-403', { status: 403 }],
    ['fake-529', { status: 529 }],
    ['fake-503-ra2', { status: 503, retryAfter: 2 }],
    ['fake-slow-2000', { firstByteDelayMs: 2000 }],
    ['fake-cut-3', { cutAfterChunks: 3 }],
    ['fake-drip-50', { chunkDelayMs: 50 }],
    ['fake-chunks-2', { chunks: 2 }],
    ['fake-nousage-drip-5', { noUsage: true, chunkDelayMs: 5 }],
    ['fake-slow-100-cut-0', { firstByteDelayMs: 100, cutAfterChunks: 0 }],
  ])('%s', (key, expected) => {
    expect(parseBehaviourKey(key)).toEqual(expected);
  });

  it.each([
    'fake-',
    'fake-okay',
    'fake-42',
    'fake-200',
    'fake-slow',
    'fake-slow-x',
    'fake-cut--1',
    'fake-429-rax',
  ])('rejects %s instead of treating it as fake-ok', (key) => {
    expect(() => parseBehaviourKey(key)).toThrow(BehaviourKeyError);
  });
});

describe('ScriptBook', () => {
  it('takes behaviours in order and repeats the last one forever', () => {
    const book = new ScriptBook();
    book.set('k', [{ status: 429 }, { status: 500 }, { text: 'fine' }]);
    expect([1, 2, 3, 4, 5].map(() => book.take('k'))).toEqual([
      { status: 429 },
      { status: 500 },
      { text: 'fine' },
      { text: 'fine' },
      { text: 'fine' },
    ]);
  });

  it('is keyed by the exact key and falls back to parsing the key', () => {
    const book = new ScriptBook();
    book.set('fake-429', [{ text: 'scripted' }]);
    expect(resolveBehaviour(book, 'fake-429')).toEqual({ text: 'scripted' });
    expect(resolveBehaviour(book, 'fake-500')).toEqual({ status: 500 });
    expect(book.take('other')).toBeUndefined();
  });

  it('an empty script removes the key, and clear() removes all', () => {
    const book = new ScriptBook();
    book.set('a', [{ status: 500 }]);
    book.set('b', [{ status: 500 }]);
    book.set('a', []);
    expect(book.take('a')).toBeUndefined();
    book.clear();
    expect(book.take('b')).toBeUndefined();
  });

  it('hands out copies, so callers cannot edit the script', () => {
    const book = new ScriptBook();
    const original = { status: 429 };
    book.set('k', [original]);
    const taken = book.take('k');
    if (taken) taken.status = 200;
    original.status = 201;
    expect(book.take('k')).toEqual({ status: 429 });
  });
});

describe('validateBehaviour', () => {
  it('accepts every documented field', () => {
    expect(
      validateBehaviour({
        status: 429,
        retryAfter: 3,
        firstByteDelayMs: 10,
        chunkDelayMs: 5,
        cutAfterChunks: 2,
        text: 'hi',
        usage: { cachedTokens: 1, cacheWriteTokens: 2, reasoningTokens: 3 },
        chunks: 4,
      }),
    ).toBeNull();
  });

  it.each([
    [null, 'behaviour must be an object'],
    [[], 'behaviour must be an object'],
    [{ stauts: 429 }, "unknown behaviour field 'stauts'"],
    [{ status: '429' }, "invalid value for behaviour field 'status'"],
    [{ status: 1000 }, "invalid value for behaviour field 'status'"],
    [{ chunks: 0 }, "invalid value for behaviour field 'chunks'"],
    [{ retryAfter: -1 }, "invalid value for behaviour field 'retryAfter'"],
    [{ usage: { cached: 1 } }, "invalid value for behaviour field 'usage'"],
    [{ usage: { cachedTokens: 1.5 } }, "invalid value for behaviour field 'usage'"],
  ])('rejects %j', (value, message) => {
    expect(validateBehaviour(value)).toBe(message);
  });
});
