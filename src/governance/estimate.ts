// What a request reserves before its upstream call (limits and quotas): input tokens from the body size
// (about 4
// bytes a token, counting JSON overhead, so it errs high), output tokens from max_tokens or a
// default, and their cost at the model's price. Settlement replaces all of it with actual usage.
import { costMicros, type PriceRow } from '../billing/pricing';
import type { Demand } from './lease-client';

/** Output tokens reserved when the request sets no max_tokens (settled with the actual count). */
export const DEFAULT_OUTPUT_ESTIMATE = 1_024;

export function estimateDemand(
  model: string,
  bodyBytes: number,
  maxTokens: number | undefined,
  price: PriceRow | undefined,
): Demand {
  const input = Math.ceil(bodyBytes / 4);
  const output = maxTokens !== undefined && maxTokens > 0 ? maxTokens : DEFAULT_OUTPUT_ESTIMATE;
  const cost = price
    ? costMicros(
        {
          promptTokens: input,
          completionTokens: output,
          cachedReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        },
        price,
      )
    : 0;
  return { model, tokens: input + output, cost };
}
