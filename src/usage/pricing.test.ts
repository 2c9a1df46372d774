import { describe, expect, it } from 'vitest';
import { costMicros, findPrice, type PriceRow } from './pricing';

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
