// The pump's scenarios, shared by src/usage/pump.test.ts (Node: a standard TransformStream carries
// the client's bytes) and pump-runtime.test.ts (workerd: a native IdentityTransformStream does).
import { describe, expect, it } from 'vitest';
import { pumpBody } from '../../src/usage/pump';

const bytes = (s: string) => new TextEncoder().encode(s);

/** An upstream that sends a chunk every `everyMs` until cancelled, recording what happened. */
function endless(everyMs: number) {
  const seen = { sent: 0, cancelled: false };
  let timer: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        seen.sent++;
        controller.enqueue(bytes(`chunk ${seen.sent}\n`));
      }, everyMs);
    },
    cancel() {
      seen.cancelled = true;
      clearInterval(timer);
    },
  });
  return { stream, seen };
}

/** pumpBody's behaviour, run by the unit tests (Node) and in workerd (its native byte stream). */
export function pumpCases(runtime: string) {
  describe(`pumpBody (${runtime})`, () => {
    it('relays every chunk to the client and reports a complete end', async () => {
      const source = new Response('one two three').body as ReadableStream<Uint8Array>;
      const seen: string[] = [];
      const pumped = pumpBody(source, {
        chunk: (c) => {
          seen.push(new TextDecoder().decode(c));
          return c;
        },
      });
      expect(await new Response(pumped.body).text()).toBe('one two three');
      expect(await pumped.done).toBe('complete');
      expect(seen.join('')).toBe('one two three');
    });

    it('keeps draining after the client left, then cuts off an upstream that goes on past the grace', async () => {
      const { stream, seen } = endless(5);
      const observed: number[] = [];
      const pumped = pumpBody(
        stream,
        {
          chunk: (c) => {
            observed.push(c.length);
            return c;
          },
        },
        0,
        undefined,
        100,
      );
      const client = pumped.body.getReader();
      await client.read();
      await client.cancel();
      const sentWhenLeft = seen.sent;
      expect(await pumped.done).toBe('client_abandoned');
      // It went on reading for the grace period, then cancelled the upstream.
      expect(seen.cancelled).toBe(true);
      expect(observed.length).toBeGreaterThan(sentWhenLeft);
    });

    it('ends a quiet upstream with an idle timeout and the observer’s notice', async () => {
      const { stream, seen } = endless(10_000);
      const pumped = pumpBody(
        stream,
        { chunk: (c) => c, failure: (reason) => bytes(`error: ${reason}`) },
        50,
      );
      expect(await new Response(pumped.body).text()).toBe('error: upstream_idle_timeout');
      expect(await pumped.done).toBe('upstream_idle_timeout');
      expect(seen.cancelled).toBe(true);
    });
  });
}
