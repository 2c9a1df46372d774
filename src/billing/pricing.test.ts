import { describe, expect, it } from 'vitest';
import { costMicros, findPrice, lacksUnitRate, type PriceRow } from './pricing';

const base: PriceRow = {
  model: 'gpt-4o',
  accountPath: null,
  effectiveFrom: '2026-01-01',
  inputPerMtok: 2_500_000,
  outputPerMtok: 10_000_000,
  cachedReadPerMtok: 1_250_000,
  cacheWritePerMtok: null,
  reasoningPerMtok: null,
  markupBps: 0,
};

describe('cost', () => {
  it('prices each token class at its own rate, once, rounding half up', () => {
    // 1000 input of which 400 cached: 600 × 2.5 + 400 × 1.25 = 1500 + 500; 200 output × 10 = 2000.
    const usage = {
      promptTokens: 1000,
      completionTokens: 200,
      cachedReadTokens: 400,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
    expect(costMicros(usage, base)).toBe(4_000);
    expect(costMicros({ ...usage, promptTokens: 1, completionTokens: 0, cachedReadTokens: 0 }, base)).toBe(3);
  });

  it('charges reasoning at the output rate unless priced, and applies markup', () => {
    const usage = {
      promptTokens: 0,
      completionTokens: 100,
      cachedReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 60,
    };
    expect(costMicros(usage, base)).toBe(1_000);
    expect(costMicros(usage, { ...base, reasoningPerMtok: 20_000_000 })).toBe(1_600);
    expect(costMicros(usage, { ...base, markupBps: 1_000 })).toBe(1_100);
  });
});

describe('price lookup', () => {
  const prices: PriceRow[] = [
    base,
    { ...base, effectiveFrom: '2026-06-01', inputPerMtok: 2_000_000 },
    { ...base, accountPath: '/org/team/', inputPerMtok: 1_000_000 },
  ];

  it('takes the latest effective row on or before the day', () => {
    expect(findPrice(prices, 'gpt-4o', '/org/', '2026-05-31')?.inputPerMtok).toBe(2_500_000);
    expect(findPrice(prices, 'gpt-4o', '/org/', '2026-06-01')?.inputPerMtok).toBe(2_000_000);
    expect(findPrice(prices, 'gpt-4o', '/org/', '2025-12-31')).toBeUndefined();
  });

  it('prefers the nearest account override for that subtree only', () => {
    expect(findPrice(prices, 'gpt-4o', '/org/team/alice/', '2026-07-01')?.inputPerMtok).toBe(1_000_000);
    expect(findPrice(prices, 'gpt-4o', '/org/other/', '2026-07-01')?.inputPerMtok).toBe(2_000_000);
    expect(findPrice(prices, 'unknown', '/org/', '2026-07-01')).toBeUndefined();
  });
});

describe('unit prices', () => {
  const none = {
    promptTokens: 0,
    completionTokens: 0,
    cachedReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  const priced: PriceRow = {
    ...base,
    perImage: 40_000,
    perAudioSecond: 100,
    perMillionChars: 15_000_000,
    perWebSearch: 10_000,
  };

  it('prices images, audio seconds, characters and web searches, with the tokens, rounded once', () => {
    expect(costMicros(none, priced, { images: 2 })).toBe(80_000);
    expect(costMicros(none, priced, { audioSeconds: 3 })).toBe(300);
    // 11 characters at $15 per million: 165 micro-units.
    expect(costMicros(none, priced, { audioChars: 11 })).toBe(165);
    expect(costMicros({ ...none, promptTokens: 1 }, priced, { webSearchCalls: 1 })).toBe(10_003);
    expect(costMicros(none, { ...priced, markupBps: 500 }, { images: 1 })).toBe(42_000);
  });

  it('says when a metered unit has no rate', () => {
    expect(lacksUnitRate({ images: 1 }, base)).toBe(true);
    expect(lacksUnitRate({ images: 1 }, priced)).toBe(false);
    expect(lacksUnitRate({ images: 0, audioChars: 0 }, base)).toBe(false);
  });
});
