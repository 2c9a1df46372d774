import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { bpeRanks, EXACT_CHARS, estimateTokens, utf8Bytes } from './tokenizer';

describe('estimateTokens (bounded for any input)', () => {
  it('counts a 1 MB run of one character quickly, over-estimating the part past the exact prefix', async () => {
    await estimateTokens(['warm up']);
    const text = 'a'.repeat(1_000_000);
    const started = performance.now();
    const tokens = await estimateTokens([text]);
    // Liveness bound, loose for a shared machine: unbounded counting takes minutes here.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(tokens).toBeGreaterThanOrEqual(1_000_000 - EXACT_CHARS);
  });

  it('bounds the work across many texts (a batch of embeddings), not per text', async () => {
    const texts = Array.from({ length: 2_000 }, () => 'b'.repeat(5_000));
    const started = performance.now();
    const tokens = await estimateTokens(texts, 1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(tokens).toBeGreaterThanOrEqual(10_000_000 - EXACT_CHARS);
  });

  it('is exact for ordinary short text', async () => {
    const text = 'Hello, Switchyard. How many tokens is this sentence?';
    expect(await estimateTokens([text], 3)).toBe(countTokens(text) + 3);
  });

  it('never counts fewer tokens than the tokenizer does on the whole text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ maxLength: 3_000 }), fc.string({ unit: 'grapheme', maxLength: 800 })), {
          maxLength: 4,
        }),
        async (texts) => {
          const exact = texts.reduce((n, t) => n + countTokens(t), 0);
          expect(await estimateTokens(texts)).toBeGreaterThanOrEqual(exact);
        },
      ),
      { seed: 12, numRuns: 150 },
    );
  });

  it('measures UTF-8 like TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8Bytes(s)).toBe(new TextEncoder().encode(s).length);
      }),
      { seed: 12, numRuns: 200 },
    );
  });
});

describe('bpeRanks (the table shipped as a Text module)', () => {
  it("decodes the package's cl100k_base.tiktoken to exactly the package's own JS rank list", async () => {
    const { default: table } = await import('gpt-tokenizer/data/cl100k_base.tiktoken');
    const { default: packaged } = await import('gpt-tokenizer/esm/bpeRanks/cl100k_base');
    const ranks = bpeRanks(table);
    expect(ranks.length).toBe(packaged.length);
    const differing = ranks.flatMap((r, i) => (JSON.stringify(r) === JSON.stringify(packaged[i]) ? [] : [i]));
    expect(differing).toEqual([]);
    // Both shapes occur: strings for valid UTF-8, byte lists for partial sequences.
    expect(ranks.some((r) => Array.isArray(r))).toBe(true);
  });
});
