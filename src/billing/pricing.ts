// Cost of a request in integer micro-units (credits and plans; metering and pricing). Token prices are per
// million tokens, unit
// prices per image, audio second, million characters or web search; the sum is rounded once, half
// up, so no request is rounded twice.
import type { MeteredUnits, TokenUsage } from '../usage/types';
import type { Rates } from './price-fields';

type UnitRate = (typeof UNIT_RATES)[number][1];

/** A price as the cost function reads it; unit rates (micro-units per image, second of audio, …) may be left out. */
export type PriceRow = {
  model: string;
  /** Path of the account the override applies to; null for the global price. */
  accountPath: string | null;
  effectiveFrom: string;
  markupBps: number;
} & Omit<Rates, UnitRate> &
  Partial<Pick<Rates, UnitRate>>;

const UNIT_RATES = [
  ['images', 'perImage', 1_000_000],
  ['audioSeconds', 'perAudioSecond', 1_000_000],
  ['audioChars', 'perMillionChars', 1],
  ['webSearchCalls', 'perWebSearch', 1_000_000],
] as const;

/** Units were metered that the price has no rate for: their cost is unknown, not zero. */
export function lacksUnitRate(units: Partial<MeteredUnits>, price: PriceRow): boolean {
  return UNIT_RATES.some(([unit, rate]) => (units[unit] ?? 0) > 0 && (price[rate] ?? null) === null);
}

/** The price in force for `model` on `day`: the nearest account override, else the global row. */
export function findPrice<P extends PriceRow>(
  prices: readonly P[],
  model: string,
  accountPath: string,
  day: string,
): P | undefined {
  let best: P | undefined;
  for (const p of prices) {
    if (p.model !== model || p.effectiveFrom > day) continue;
    if (p.accountPath !== null && !accountPath.startsWith(p.accountPath)) continue;
    if (!best) {
      best = p;
      continue;
    }
    const depth = (r: PriceRow) => r.accountPath?.length ?? 0;
    if (depth(p) > depth(best) || (depth(p) === depth(best) && p.effectiveFrom > best.effectiveFrom))
      best = p;
  }
  return best;
}

export function costMicros(usage: TokenUsage, price: PriceRow, units: Partial<MeteredUnits> = {}): number {
  const plainInput = Math.max(0, usage.promptTokens - usage.cachedReadTokens - usage.cacheWriteTokens);
  const reasoningRate = price.reasoningPerMtok ?? price.outputPerMtok;
  const plainOutput = Math.max(0, usage.completionTokens - usage.reasoningTokens);
  const perMillion =
    plainInput * price.inputPerMtok +
    usage.cachedReadTokens * (price.cachedReadPerMtok ?? price.inputPerMtok) +
    usage.cacheWriteTokens * (price.cacheWritePerMtok ?? price.inputPerMtok) +
    plainOutput * price.outputPerMtok +
    usage.reasoningTokens * reasoningRate +
    // Everything in millionths of a micro-unit, like the token rates, so there is one rounding.
    UNIT_RATES.reduce((sum, [unit, rate, scale]) => sum + (units[unit] ?? 0) * (price[rate] ?? 0) * scale, 0);
  const withMarkup = (perMillion * (10_000 + price.markupBps)) / 10_000;
  return Math.round(withMarkup / 1_000_000);
}
