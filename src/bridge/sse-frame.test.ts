import { describe, expect, it } from 'vitest';
import { withVersion } from './base-url';
import { jsonObjectAfter, SseFramer, sseData } from './sse-frame';

describe('SseFramer', () => {
  it('cuts events on LF and CRLF blank lines across any chunking', () => {
    const text = 'event: a\ndata: 1\n\ndata: 2\r\n\r\ndata: {"x":3}\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const framer = new SseFramer();
      const events: string[] = [];
      for (let i = 0; i < text.length; i += size) events.push(...framer.push(text.slice(i, i + size)));
      expect(events).toEqual(['event: a\ndata: 1\n\n', 'data: 2\r\n\r\n', 'data: {"x":3}\n\n']);
      expect(framer.rest()).toBe('');
    }
  });

  it('keeps an unterminated last event for rest()', () => {
    const framer = new SseFramer();
    expect(framer.push('data: 1\n\ndata: 2')).toEqual(['data: 1\n\n']);
    expect(framer.rest()).toBe('data: 2');
  });

  it('reads the data of multi-line events', () => {
    expect(sseData('event: x\ndata: {"a":\ndata:1}\n\n')).toBe('{"a":\n1}');
  });
});

describe('jsonObjectAfter', () => {
  it('parses only the object after the last marker, skipping braces inside strings', () => {
    const text = '{"text":"a } { \\" \\"usage\\":{","usage":{"n":1,"d":{"s":"}"}},"more":true}';
    expect(jsonObjectAfter(text, '"usage":')).toEqual({ n: 1, d: { s: '}' } });
  });

  it('returns undefined for a null value, a missing marker or a cut object', () => {
    expect(jsonObjectAfter('{"usage": null}', '"usage":')).toBeUndefined();
    expect(jsonObjectAfter('{"other":{}}', '"usage":')).toBeUndefined();
    expect(jsonObjectAfter('{"usage":{"n":1', '"usage":')).toBeUndefined();
  });
});

describe('withVersion', () => {
  it('adds the API version segment only when the base URL has none', () => {
    expect(withVersion('http://127.0.0.1:9/', 'v1')).toBe('http://127.0.0.1:9/v1');
    expect(withVersion('https://api.anthropic.com/v1', 'v1')).toBe('https://api.anthropic.com/v1');
    expect(withVersion('https://proxy.test/google/v1beta/', 'v1beta')).toBe(
      'https://proxy.test/google/v1beta',
    );
    expect(withVersion('https://proxy.test/google/v1alpha2', 'v1beta')).toBe(
      'https://proxy.test/google/v1alpha2',
    );
  });
});
