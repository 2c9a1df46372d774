import { describe, expect, it } from 'vitest';
import {
  type Conversation,
  countWords,
  embedVector,
  planReply,
  sampleArgs,
  splitDeltas,
  UnknownToolError,
} from './conversation';

const conv = (over: Partial<Conversation> = {}): Conversation => ({
  texts: ['You are terse.', 'hello there'],
  lastUserText: 'hello there',
  tools: [],
  toolChoice: { mode: 'auto' },
  hasToolResult: false,
  parallelAllowed: true,
  ...over,
});

const weather = {
  name: 'get_weather',
  schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer' },
    },
    required: ['city', 'unit'],
  },
};
const time = {
  name: 'get_time',
  schema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
};

describe('countWords', () => {
  it.each([
    ['', 0],
    ['   ', 0],
    ['one', 1],
    ['  two  words ', 2],
    ['tabs\tand\nnew lines', 4],
    ['{"city":"sample"}', 1],
  ])('%j → %i', (text, n) => expect(countWords(text)).toBe(n));
});

describe('splitDeltas', () => {
  it('gives one delta per word, carrying the leading whitespace', () => {
    expect(splitDeltas('Echo: hello  big world\n')).toEqual(['Echo:', ' hello', '  big', ' world\n']);
  });

  it('splits into n near-equal pieces that concatenate back exactly', () => {
    const text = 'Echo: a fairly long sentence 🙂 here';
    for (const n of [1, 2, 3, 7]) {
      const pieces = splitDeltas(text, n);
      expect(pieces).toHaveLength(n);
      expect(pieces.join('')).toBe(text);
    }
    expect(splitDeltas('ab', 5)).toEqual(['a', 'b']);
    expect(splitDeltas('')).toEqual([]);
  });
});

describe('sampleArgs', () => {
  it('fills only required properties by type', () => {
    expect(
      sampleArgs({
        type: 'object',
        properties: {
          s: { type: 'string' },
          e: { enum: ['x', 'y'] },
          n: { type: 'number' },
          i: { type: 'integer' },
          b: { type: 'boolean' },
          a: { type: 'array', items: { type: 'string' } },
          o: {
            type: 'object',
            properties: { inner: { type: 'string' }, opt: { type: 'string' } },
            required: ['inner'],
          },
          nullable: { type: ['null', 'string'] },
          optional: { type: 'string' },
        },
        required: ['s', 'e', 'n', 'i', 'b', 'a', 'o', 'nullable'],
      }),
    ).toEqual({
      s: 'sample',
      e: 'x',
      n: 1,
      i: 1,
      b: true,
      a: [],
      o: { inner: 'sample' },
      nullable: 'sample',
    });
  });

  it('accepts Gemini upper-case OpenAPI types', () => {
    expect(
      sampleArgs({
        type: 'OBJECT',
        properties: { q: { type: 'STRING' }, k: { type: 'INTEGER' } },
        required: ['q', 'k'],
      }),
    ).toEqual({ q: 'sample', k: 1 });
  });

  it('gives {} without a schema', () => expect(sampleArgs(undefined)).toEqual({}));
});

describe('planReply', () => {
  it('echoes the last user text and counts words', () => {
    expect(planReply(conv(), {})).toEqual({
      kind: 'text',
      text: 'Echo: hello there',
      usage: { promptWords: 5, cached: 0, cacheWrite: 0, reasoning: 0, webSearches: 0, outputWords: 3 },
    });
  });

  it('uses behaviour text and extra token classes', () => {
    const r = planReply(conv({ lastUserText: null }), {
      text: 'custom reply',
      usage: { cachedTokens: 3, cacheWriteTokens: 2, reasoningTokens: 9 },
    });
    expect(r).toEqual({
      kind: 'text',
      text: 'custom reply',
      usage: { promptWords: 5, cached: 3, cacheWrite: 2, reasoning: 9, webSearches: 0, outputWords: 2 },
    });
    expect(planReply(conv({ lastUserText: null }), {})).toMatchObject({ text: 'Echo: (empty)' });
  });

  it('calls the first tool with sample arguments', () => {
    const r = planReply(conv({ tools: [weather, time] }), {});
    expect(r).toMatchObject({
      kind: 'tools',
      calls: [{ name: 'get_weather', args: { city: 'sample', unit: 'celsius' } }],
      usage: { outputWords: 1 },
    });
  });

  it('calls a forced tool, or two tools when asked for parallel', () => {
    expect(
      planReply(conv({ tools: [weather, time], toolChoice: { mode: 'required', name: 'get_time' } }), {}),
    ).toMatchObject({
      calls: [{ name: 'get_time', args: { tz: 'sample' } }],
    });
    const parallel = conv({ tools: [weather, time], lastUserText: 'do these in Parallel please' });
    expect(planReply(parallel, {})).toMatchObject({
      calls: [{ name: 'get_weather' }, { name: 'get_time' }],
      usage: { outputWords: 2 },
    });
    expect(planReply({ ...parallel, parallelAllowed: false }, {})).toMatchObject({
      calls: [{ name: 'get_weather' }],
    });
    expect(planReply({ ...parallel, tools: [weather] }, {})).toMatchObject({
      calls: [{ name: 'get_weather' }],
    });
  });

  it('answers in text after a tool result or with tool choice none', () => {
    expect(planReply(conv({ tools: [weather], hasToolResult: true }), {}).kind).toBe('text');
    expect(planReply(conv({ tools: [weather], toolChoice: { mode: 'none' } }), {}).kind).toBe('text');
  });

  it('calls a scripted tool with scripted arguments, and refuses one the request lacks', () => {
    const tool = { name: 'get_time', args: { tz: 'UTC', extra: [1] } };
    expect(planReply(conv({ tools: [weather, time] }), { tool })).toMatchObject({
      kind: 'tools',
      calls: [{ name: 'get_time', args: { tz: 'UTC', extra: [1] }, argsJson: '{"tz":"UTC","extra":[1]}' }],
    });
    expect(planReply(conv({ tools: [weather, time], hasToolResult: true }), { tool }).kind).toBe('text');
    expect(() => planReply(conv({ tools: [weather] }), { tool })).toThrow(UnknownToolError);
    expect(planReply(conv({ tools: [weather] }), { noTools: true, text: 'hi' })).toMatchObject({
      kind: 'text',
      text: 'hi',
    });
  });

  it('rejects a forced tool that is not defined', () => {
    expect(() =>
      planReply(conv({ tools: [weather], toolChoice: { mode: 'required', name: 'nope' } }), {}),
    ).toThrow(UnknownToolError);
  });
});

describe('embedVector', () => {
  it('is deterministic, 8 floats in [-1, 1] that are multiples of 1/1024', () => {
    const v = embedVector('hello');
    expect(v).toHaveLength(8);
    expect(embedVector('hello')).toEqual(v);
    expect(embedVector('hello!')).not.toEqual(v);
    for (const x of v) {
      expect(Math.abs(x)).toBeLessThanOrEqual(1);
      expect(Number.isInteger(x * 1024)).toBe(true);
    }
    expect(embedVector('hello', 3)).toHaveLength(3);
  });
});
