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
      const pumped = pumpBody({
        body: source,
        observer: {
          chunk: (c) => {
            seen.push(new TextDecoder().decode(c));
            return c;
          },
        },
      });
      expect(await new Response(pumped.body).text()).toBe('one two three');
      expect(await pumped.done).toBe('complete');
      expect(seen.join('')).toBe('one two three');
    });

    it('keeps draining after the client left, then cuts off an upstream that goes on past the grace', async () => {
      const { stream, seen } = endless(5);
      const observed: number[] = [];
      const pumped = pumpBody({
        body: stream,
        observer: {
          chunk: (c) => {
            observed.push(c.length);
            return c;
          },
        },
        abandonedDrainMs: 100,
      });
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
      const pumped = pumpBody({
        body: stream,
        observer: { chunk: (c) => c, failure: (reason) => bytes(`error: ${reason}`) },
        idleTimeoutMs: 50,
      });
      expect(await new Response(pumped.body).text()).toBe('error: upstream_idle_timeout');
      expect(await pumped.done).toBe('upstream_idle_timeout');
      expect(seen.cancelled).toBe(true);
    });

    it('follows what the client already has with the observer’s notice when the upstream breaks', async () => {
      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      const pumped = pumpBody({
        body: stream,
        observer: { chunk: (c) => c, failure: (reason) => bytes(`\nerror: ${reason}`) },
      });
      controller?.enqueue(bytes('data: first'));
      setTimeout(() => controller?.error(new Error('connection reset')), 20);
      expect(await new Response(pumped.body).text()).toBe('data: first\nerror: upstream_error');
      expect(await pumped.done).toBe('upstream_error');
    });

    it('drains an upstream that ends within the grace after the client left: cancelled, all metered', async () => {
      let sent = 0;
      let timer: ReturnType<typeof setInterval> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          timer = setInterval(() => {
            sent++;
            c.enqueue(bytes(`chunk ${sent}\n`));
            if (sent === 10) {
              clearInterval(timer);
              c.close();
            }
          }, 5);
        },
      });
      const observed: string[] = [];
      const pumped = pumpBody({
        body: stream,
        observer: {
          chunk: (c) => {
            observed.push(new TextDecoder().decode(c));
            return c;
          },
        },
      });
      const client = pumped.body.getReader();
      await client.read();
      await client.cancel();
      expect(await pumped.done).toBe('client_cancelled');
      expect(observed.join('')).toContain('chunk 10\n');
    });
  });
}
