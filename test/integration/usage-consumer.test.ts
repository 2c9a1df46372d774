// The usage consumer has exactly-once effect: a redelivered batch changes nothing, and a poison
// message is parked in the dead-letter queue without blocking the good ones.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { UsageRecord } from '../../src/usage/record';

function record(requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId,
    accountId: 'acct-x',
    accountPath: '/root-x/acct-x/',
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
    cachedReadTokens: 2,
    cacheWriteTokens: 1,
    reasoningTokens: 3,
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

async function deliver(messages: { id: string; body: unknown }[]) {
  const batch = createMessageBatch(
    'switchyard-usage',
    messages.map((m) => ({ ...m, timestamp: new Date(), attempts: 1 })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('usage consumer', () => {
  it('counts a redelivered batch once, and parks the poison message', async () => {
    const good = {
      v: 1,
      records: [
        record('r1'),
        record('r2', {
          status: 502,
          errorCode: 'upstream_error',
          promptTokens: 0,
          completionTokens: 0,
          costMicros: 0,
        }),
      ],
    };
    const other = { v: 1, records: [record('r3', { model: 'n' })] };
    const poison = { v: 1, records: [{ requestId: 'bad', promptTokens: -5 }] };
    const messages = [
      { id: 'm1', body: good },
      { id: 'm2', body: poison },
      { id: 'm3', body: other },
    ];
    const first = await deliver(messages);
    expect(first.explicitAcks.sort()).toEqual(['m1', 'm2', 'm3']);
    expect(first.retryMessages).toEqual([]);
    const snapshot = async () =>
      (
        await env.DB.prepare(
          "SELECT model, requests, errors, prompt_tokens, completion_tokens, cached_read_tokens, cache_write_tokens, reasoning_tokens, cost_micros FROM usage_daily WHERE account_id = 'acct-x' ORDER BY model",
        ).all()
      ).results;
    const once = await snapshot();
    expect(once).toEqual([
      {
        model: 'm',
        requests: 2,
        errors: 1,
        prompt_tokens: 10,
        completion_tokens: 5,
        cached_read_tokens: 4,
        cache_write_tokens: 2,
        reasoning_tokens: 6,
        cost_micros: 70,
      },
      {
        model: 'n',
        requests: 1,
        errors: 0,
        prompt_tokens: 10,
        completion_tokens: 5,
        cached_read_tokens: 2,
        cache_write_tokens: 1,
        reasoning_tokens: 3,
        cost_micros: 70,
      },
    ]);

    await deliver(messages);
    expect(await snapshot()).toEqual(once);
    const events = await env.DB.prepare(
      "SELECT count(*) AS n FROM usage_events WHERE account_id = 'acct-x'",
    ).first<{ n: number }>();
    expect(events?.n).toBe(3);
  });
});
