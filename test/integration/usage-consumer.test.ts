// The usage consumer has exactly-once effect: a redelivered batch changes nothing, and a poison
// message is parked in the dead-letter queue without blocking the good ones.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/usage/record';
import { deliverUsage, usageRecord } from './usage-fixtures';

// Every token class present, so the rollup checks cover them all.
const record = (requestId: string, overrides: Partial<UsageRecord> = {}) =>
  usageRecord(requestId, { cachedReadTokens: 2, cacheWriteTokens: 1, reasoningTokens: 3, ...overrides });
const deliver = deliverUsage;

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

  it('writes a delivered batch as one transaction, however many records, counting a repeated id once', async () => {
    const many = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        record(`${prefix}-${i}`, { accountId: 'acct-many', model: 'bulk' }),
      );
    // 700 records: more than one statement's share (500); one id appears in both messages.
    const first = many('a', 400);
    const second = [...many('b', 299), first[7] as UsageRecord];
    const result = await deliver([
      { id: 'big-1', body: { v: 1, records: first } },
      { id: 'big-2', body: { v: 1, records: second } },
    ]);
    expect(result.explicitAcks.sort()).toEqual(['big-1', 'big-2']);
    const rollup = await env.DB.prepare(
      "SELECT requests, cost_micros FROM usage_daily WHERE account_id = 'acct-many'",
    ).first();
    expect(rollup).toEqual({ requests: 699, cost_micros: 699 * 70 });
    const events = await env.DB.prepare(
      "SELECT count(*) AS n FROM usage_events WHERE account_id = 'acct-many'",
    ).first<{ n: number }>();
    expect(events?.n).toBe(699);
  });

  it('retries every valid message of a batch whose write failed, and still parks the poison one', async () => {
    await env.DB.prepare('ALTER TABLE usage_pending RENAME TO usage_pending_away').run();
    try {
      const result = await deliver([
        { id: 'f1', body: { v: 1, records: [record('f-1')] } },
        { id: 'f2', body: { v: 1, records: [{ requestId: 'bad' }] } },
        { id: 'f3', body: { v: 1, records: [record('f-3')] } },
      ]);
      expect(result.explicitAcks).toEqual(['f2']);
      expect(result.retryMessages.map((m: { msgId: string }) => m.msgId).sort()).toEqual(['f1', 'f3']);
    } finally {
      await env.DB.prepare('ALTER TABLE usage_pending_away RENAME TO usage_pending').run();
    }
    const events = await env.DB.prepare(
      "SELECT count(*) AS n FROM usage_events WHERE request_id IN ('f-1', 'f-3')",
    ).first<{ n: number }>();
    expect(events?.n).toBe(0);
  });
});
