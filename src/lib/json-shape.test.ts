import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ITEMS, MAX_JSON_DEPTH, MAX_STRING_CHARS } from './input-limits';
import { checkJsonShape } from './json-shape';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('checkJsonShape', () => {
  it('accepts any JSON within the limits, whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => {
        expect(() => checkJsonShape(JSON.stringify(v))).not.toThrow();
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it('refuses nesting deeper than the limit, counting brackets inside strings as text', () => {
    expect(() => checkJsonShape(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => checkJsonShape(nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: 'json_too_deep', status: 400 }),
    );
    expect(() => checkJsonShape(`{"a":${nested(10_000)}}`)).toThrow(
      expect.objectContaining({ code: 'json_too_deep' }),
    );
    expect(() => checkJsonShape(JSON.stringify({ s: `${'['.repeat(10_000)}\\"{` }))).not.toThrow();
  });

  it('refuses one string or one container beyond its limit', () => {
    expect(() => checkJsonShape(JSON.stringify({ s: 'x'.repeat(MAX_STRING_CHARS + 1) }))).toThrow(
      expect.objectContaining({ code: 'field_too_large' }),
    );
    expect(() => checkJsonShape(JSON.stringify({ s: 'x'.repeat(1000) }))).not.toThrow();
    expect(() => checkJsonShape(JSON.stringify(Array(MAX_ITEMS + 1).fill(0)))).toThrow(
      expect.objectContaining({ code: 'field_too_large' }),
    );
    expect(() => checkJsonShape(JSON.stringify(Array(1000).fill('a,b')))).not.toThrow();
  });
});
