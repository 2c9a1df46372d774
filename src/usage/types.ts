// Normalized token usage. Conventions (the storage contract): `promptTokens` counts every input
// token, including cached reads and cache writes; `completionTokens` counts every output token,
// including reasoning. The finer classes are subsets, so cost = input-rate × (prompt − cached −
// cache-write) + class rates × each class, whatever the provider's own convention was.
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export const zeroUsage = (): TokenUsage => ({
  promptTokens: 0,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

/** Countable units besides tokens (metering and pricing): images, audio seconds or characters, web-search calls. */
export interface MeteredUnits {
  images: number;
  audioSeconds: number;
  audioChars: number;
  webSearchCalls: number;
}
