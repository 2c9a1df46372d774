import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type CurrentPrice,
  diffCatalogue,
  inForceOn,
  parseLiteLLMCatalogue,
  scaleDecimal,
} from './price-catalogue';

describe('scaleDecimal', () => {
  test('per-token USD to micro-USD per million tokens, exactly', () => {
    expect(scaleDecimal(0.000003, 12)).toEqual({ value: 3_000_000, exact: true });
    expect(scaleDecimal(2.5e-6, 12)).toEqual({ value: 2_500_000, exact: true });
    expect(scaleDecimal(1.25e-7, 12)).toEqual({ value: 125_000, exact: true });
    expect(scaleDecimal(3.625e-9, 12)).toEqual({ value: 3625, exact: true });
    // The float product is wrong for many prices: 4.69e-10 * 1e12 = 469.00000000000006.
    expect(4.69e-10 * 1e12).not.toBe(469);
    expect(scaleDecimal(4.69e-10, 12)).toEqual({ value: 469, exact: true });
    expect(scaleDecimal(0.0000007, 12)).toEqual({ value: 700_000, exact: true });
    expect(scaleDecimal('0.00000125', 12)).toEqual({ value: 1_250_000, exact: true });
    expect(scaleDecimal(0, 12)).toEqual({ value: 0, exact: true });
    expect(scaleDecimal(0.04, 6)).toEqual({ value: 40_000, exact: true });
    expect(scaleDecimal('1E-6', 6)).toEqual({ value: 1, exact: true });
  });

  test('finer than a micro-unit rounds half up and says so', () => {
    expect(scaleDecimal(1.5e-13, 12)).toEqual({ value: 0, exact: false });
    expect(scaleDecimal(5e-13, 12)).toEqual({ value: 1, exact: false });
    expect(scaleDecimal(1.2345678e-6, 12)).toEqual({ value: 1_234_568, exact: false });
  });

  test('refuses what is not a non-negative decimal', () => {
    for (const bad of [-1e-6, Number.NaN, Number.POSITIVE_INFINITY, 'abc', '1.2.3', '', '1e999'])
      expect(() => scaleDecimal(bad, 12), String(bad)).toThrow();
    expect(() => scaleDecimal(1e10, 12)).toThrow(/too large/);
  });

  test('any price of whole micro-units per million tokens survives the per-token double', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (micros) => {
        const perToken = Number(`${micros}e-12`);
        expect(scaleDecimal(perToken, 12)).toEqual({ value: micros, exact: true });
      }),
    );
  });
});

const gpt4o = {
  input_cost_per_token: 2.5e-6,
  output_cost_per_token: 1e-5,
  cache_read_input_token_cost: 1.25e-6,
  litellm_provider: 'openai',
  mode: 'chat',
  max_tokens: 16384,
};

describe('parseLiteLLMCatalogue', () => {
  test('maps the token classes and units, skips what is not a priced model', () => {
    const { prices, skipped } = parseLiteLLMCatalogue({
      sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of …', mode: 'one of …' },
      'gpt-4o': gpt4o,
      'claude-sonnet-4-5': {
        input_cost_per_token: 0.000003,
        output_cost_per_token: 0.000015,
        cache_read_input_token_cost: 3e-7,
        cache_creation_input_token_cost: 3.75e-6,
        litellm_provider: 'anthropic',
        mode: 'chat',
      },
      'o3-mini': {
        input_cost_per_token: 1.1e-6,
        output_cost_per_token: 4.4e-6,
        output_cost_per_reasoning_token: 4.4e-6,
      },
      'gpt-4o-search': {
        input_cost_per_token: 2.5e-6,
        output_cost_per_token: 1e-5,
        search_context_cost_per_query: { search_context_size_low: 0.03, search_context_size_medium: 0.035 },
      },
      'tts-1': { input_cost_per_character: 1.5e-5, output_cost_per_token: 0, mode: 'audio_speech' },
      'whisper-1': {
        input_cost_per_second: 0.0001,
        output_cost_per_second: 0.0001,
        mode: 'audio_transcription',
      },
      'metadata-only': { max_tokens: 8192, litellm_provider: 'x', mode: 'chat' },
      broken: 'not-an-object',
      negative: { input_cost_per_token: -1, output_cost_per_token: 0 },
    });
    expect(skipped).toEqual([
      { model: 'sample_spec', reason: 'sample_spec' },
      { model: 'whisper-1', reason: 'no_token_prices' },
      { model: 'metadata-only', reason: 'no_token_prices' },
      { model: 'broken', reason: 'not_an_object' },
      { model: 'negative', reason: 'invalid_number' },
    ]);
    const by = new Map(prices.map((p) => [p.model, p]));
    expect(by.get('gpt-4o')).toEqual({
      model: 'gpt-4o',
      provider: 'openai',
      mode: 'chat',
      inputPerMtok: 2_500_000,
      outputPerMtok: 10_000_000,
      cachedReadPerMtok: 1_250_000,
      cacheWritePerMtok: null,
      reasoningPerMtok: null,
      perImage: null,
      perAudioSecond: null,
      perMillionChars: null,
      perWebSearch: null,
      inexact: [],
    });
    expect(by.get('claude-sonnet-4-5')).toMatchObject({
      cachedReadPerMtok: 300_000,
      cacheWritePerMtok: 3_750_000,
    });
    expect(by.get('o3-mini')).toMatchObject({
      inputPerMtok: 1_100_000,
      reasoningPerMtok: 4_400_000,
      provider: null,
    });
    expect(by.get('gpt-4o-search')?.perWebSearch).toBe(35_000);
    expect(by.get('tts-1')).toMatchObject({ inputPerMtok: 0, perMillionChars: 15_000_000 });
  });
});

describe('diffCatalogue', () => {
  const stored = (model: string, effectiveFrom: string, input: number, output: number): CurrentPrice => ({
    id: `price_${model}_${effectiveFrom}`,
    model,
    effectiveFrom,
    markupBps: 0,
    inputPerMtok: input,
    outputPerMtok: output,
    cachedReadPerMtok: null,
    cacheWritePerMtok: null,
    reasoningPerMtok: null,
    perImage: null,
    perAudioSecond: null,
    perMillionChars: null,
    perWebSearch: null,
  });

  test('added, changed (naming the fields) and unchanged against the price in force', () => {
    const { prices } = parseLiteLLMCatalogue({
      'gpt-4o': gpt4o,
      'mock-small': { input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7 },
      'mock-large': { input_cost_per_token: 3e-6, output_cost_per_token: 1e-5 },
    });
    const rows = [
      stored('mock-small', '1970-01-01', 150_000, 600_000),
      stored('mock-large', '1970-01-01', 2_500_000, 10_000_000),
      // Not yet in force on the import's date: the diff is against the row before it.
      stored('mock-large', '2099-01-01', 3_000_000, 10_000_000),
    ];
    const current = inForceOn(rows, '2026-12-03');
    const diff = diffCatalogue(prices, (m) => current.get(m));
    expect(diff.added.map((c) => [c.model, c.fields])).toEqual([
      ['gpt-4o', ['inputPerMtok', 'outputPerMtok', 'cachedReadPerMtok']],
    ]);
    expect(diff.changed.map((c) => [c.model, c.fields, c.before?.effectiveFrom])).toEqual([
      ['mock-large', ['inputPerMtok'], '1970-01-01'],
    ]);
    expect(diff.unchanged.map((c) => c.model)).toEqual(['mock-small']);
  });

  test('inForceOn picks the latest row not after the day', () => {
    const rows = [
      stored('m', '2026-01-01', 1, 1),
      stored('m', '2026-06-01', 2, 2),
      stored('m', '2027-01-01', 3, 3),
    ];
    expect(inForceOn(rows, '2026-12-03').get('m')?.inputPerMtok).toBe(2);
    expect(inForceOn(rows, '2025-12-31').get('m')).toBeUndefined();
  });
});
