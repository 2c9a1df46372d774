// Usage records as the gateway sends them to the queue, for tests that drive the consumer directly.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import worker from '../../src/index';
import type { UsageRecord } from '../../src/usage/record';

/** A successful, priced chat completion record; `overrides` set what a test is about. */
export function usageRecord(requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  const accountId = overrides['accountId'] ?? 'acct-x';
  return {
    requestId,
    accountId,
    accountPath: `/root-x/${accountId}/`,
    keyId: 'k',
    ts: 1_790_000_000_000,
    day: '2026-09-21',
    endpoint: '/v1/chat/completions',
    clientProtocol: 'openai',
    provider: 'mock',
    modelRequested: 'm',
    model: 'm',
    level: 1,
    upstreamKeyId: 'u',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 10,
    completionTokens: 5,
    cachedReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    images: 0,
    audioSeconds: 0,
    audioChars: 0,
    webSearchCalls: 0,
    costMicros: 70,
    estimated: false,
    unpriced: false,
    latencyMs: 12,
    ttftMs: 4,
    retries: 0,
    switchedOver: false,
    ...overrides,
  };
}

/** Runs the Worker's queue handler on one batch of messages, as the Queue would deliver it. */
export async function deliverUsage(messages: { id: string; body: unknown }[]) {
  const batch = createMessageBatch(
    'switchyard-usage',
    messages.map((m) => ({ ...m, timestamp: new Date(), attempts: 1 })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}
