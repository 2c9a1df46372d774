import { describe, expect, it, vi } from 'vitest';
import type { UpstreamSide } from '../bridge/adapter';
import type { EndReason } from '../usage/pump';
import { estimatingDelivery } from './estimate-usage';
import type { DeliverContext, Delivery } from './exchange';

const ctx: DeliverContext = { now: Date.now, idleTimeoutMs: 1_000, requestId: 'req_test' };

/** A whole answer with no usage, delivered through `estimatingDelivery`. */
function deliverWithoutUsage(upstream: Partial<UpstreamSide>, answer: string): Delivery {
  return estimatingDelivery(
    ctx,
    (inner) => {
      inner.capture?.(answer);
      return {
        response: Promise.resolve(new Response(answer)),
        done: Promise.resolve<EndReason>('complete'),
        usage: () => null,
        ttftAt: () => null,
      };
    },
    {
      request: () => null,
      rawRequest: () => '{"messages":[{"role":"user","content":"hi"}]}',
      upstream: upstream as UpstreamSide,
      stream: false,
    },
  );
}

describe('estimatingDelivery', () => {
  it('counts the answer when the provider reports no usage', async () => {
    const d = deliverWithoutUsage(
      { decodeResponse: () => ({ content: [{ type: 'text', text: 'four words right here' }] }) as never },
      '{"choices":[]}',
    );
    await d.done;
    expect(d.usage()?.completionTokens).toBe(4);
    expect(d.estimated?.()).toBe(true);
  });

  it('bills the raw answer (one token a byte) when decoding it for the estimate throws, and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const answer = '{"choices":[{"message":{"content":"an answer"}}]}';
    const d = deliverWithoutUsage(
      {
        decodeResponse: () => {
          throw new TypeError('adapter bug');
        },
      },
      answer,
    );
    await d.done;
    expect(d.usage()?.completionTokens).toBe(answer.length);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[0])).toContain('req_test');
    log.mockRestore();
  });
});
