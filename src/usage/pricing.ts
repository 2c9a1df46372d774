// Cost of a request in integer micro-units (C6, C8). Prices are per million tokens; the sum is
// rounded once, half up, so no request is rounded twice.
import type { TokenUsage } from './types';

export interface PriceRow {
  model: string;
  /** Path of the account the override applies to; null for the global price. */
  accountPath: string | null;
  effectiveFrom: string;
  inputPerMtok: number;
  outputPerMtok: number;
  cachedReadPerMtok: number | null;
  cacheWritePerMtok: number | null;
  reasoningPerMtok: number | null;
  markupBps: number;
}

/** The price in force for `model` on `day`: the nearest account override, else the global row. */
export function findPrice(
  prices: PriceRow[],
  model: string,
  accountPath: string,
  day: string,
): PriceRow | undefined {
  let best: PriceRow | undefined;
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

export function costMicros(usage: TokenUsage, price: PriceRow): number {
  const plainInput = Math.max(0, usage.promptTokens - usage.cachedReadTokens - usage.cacheWriteTokens);
  const reasoningRate = price.reasoningPerMtok ?? price.outputPerMtok;
  const plainOutput = Math.max(0, usage.completionTokens - usage.reasoningTokens);
  const perMillion =
    plainInput * price.inputPerMtok +
    usage.cachedReadTokens * (price.cachedReadPerMtok ?? price.inputPerMtok) +
    usage.cacheWriteTokens * (price.cacheWritePerMtok ?? price.inputPerMtok) +
    plainOutput * price.outputPerMtok +
    usage.reasoningTokens * reasoningRate;
  const withMarkup = (perMillion * (10_000 + price.markupBps)) / 10_000;
  return Math.round(withMarkup / 1_000_000);
}
