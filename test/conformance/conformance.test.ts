// The shared conformance suite of the protocol bridge: every adapter runs the same tests against
// the fake provider's recorded answers (test/fixtures/providers). Gaps are listed per adapter in its
// case's `skip`, each with a reason, and show up as skipped tests named with that reason.
import { describe, expect, it } from 'vitest';
import type { IRResponse, IRStreamEvent } from '../../src/bridge/ir';
import { rec } from '../../src/bridge/read';
import { collectStream, responseToEvents } from '../../src/bridge/stream';
import { GatewayError, InvalidRequestError, RateLimitError } from '../../src/errors/gateway-error';
import { CASES } from './all-cases';
import type { AdapterCase, TestName } from './cases';
import { expectedAnswer, fakeNumber, richRequest, SCENARIOS, type Scenario } from './expected';
import { fixtureJson, fixtureNames, fixtureText, ragged } from './fixtures';

const ctx = { now: () => 1_767_225_600_000, requestId: 'req_test' };

function test(c: AdapterCase, name: TestName, title: string, fn: () => unknown): void {
  const reason = c.skip[name];
  if (reason) it.skip(`${title} [skipped: ${reason}]`, () => {});
  else it(title, fn);
}

function decodeStream(c: AdapterCase, text: string, chunk?: number): IRStreamEvent[] {
  const d = c.adapter.streamDecoder();
  const pieces = chunk ? ragged(text, chunk) : [text];
  return [...pieces.flatMap((p) => d.feed(p)), ...d.end()];
}

/** The IR stream contract (ir.ts): start first, one terminal last, usage before it, parts closed. */
function expectContract(events: IRStreamEvent[]): void {
  expect(events[0]?.type).toBe('message_start');
  const terminals = events.filter((e) => e.type === 'message_stop' || e.type === 'error');
  expect(terminals).toHaveLength(1);
  expect(events[events.length - 1]).toBe(terminals[0]);
  const started = new Set<number>();
  const stopped = new Set<number>();
  for (const e of events) {
    if ('index' in e) {
      if (e.type === 'part_stop') stopped.add(e.index);
      else {
        expect(stopped.has(e.index), `event after part_stop of part ${e.index}`).toBe(false);
        started.add(e.index);
      }
    }
  }
  expect([...stopped].sort()).toEqual([...started].sort());
}

function encodeStream(c: AdapterCase, events: IRStreamEvent[]): string {
  const enc = c.adapter.streamEncoder({ ...ctx, streamUsage: true });
  return events.map((e) => enc.push(e)).join('');
}

const textOf = (r: IRResponse) => r.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
const thinkingOf = (r: IRResponse) =>
  r.content.flatMap((p) => (p.type === 'thinking' ? [p.text] : [])).join('');
const callsOf = (r: IRResponse) =>
  r.content.flatMap((p) =>
    p.type === 'tool_call' ? [{ id: p.id, name: p.name, args: JSON.parse(p.arguments) }] : [],
  );

const ERRORS: Record<number, { code: string; status: number }> = {
  400: { code: 'upstream_invalid_request', status: 400 },
  401: { code: 'upstream_auth_failed', status: 502 },
  403: { code: 'upstream_auth_failed', status: 502 },
  429: { code: 'upstream_rate_limited', status: 429 },
  500: { code: 'upstream_error', status: 502 },
  503: { code: 'upstream_overloaded', status: 503 },
  529: { code: 'upstream_overloaded', status: 503 },
};

for (const c of CASES) {
  const answer = (s: Scenario, stream: boolean) => expectedAnswer(c.facts, s, fakeNumber(s, stream));

  describe(`bridge conformance: ${c.name}`, () => {
    test(c, 'request-identity', 'recorded client requests decode, and re-encode to the same body', () => {
      for (const s of SCENARIOS) {
        const body = fixtureJson(c.fixtures, `${s}.request.json`);
        const route = c.route({ model: 'gemini-2.5-flash', stream: false });
        const ir = c.adapter.decodeRequest(body, route);
        expect(ir.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
        expect(ir.stream).toBe(false);
        expect(ir.tools.map((t) => t.name)).toEqual(s === 'tools' ? ['get_weather', 'get_time'] : []);
        expect(c.adapter.encodeRequest(ir)).toEqual(c.canonicalBody ? c.canonicalBody(body) : body);
        expect(c.adapter.decodeRequest(c.adapter.encodeRequest(ir), route)).toEqual(ir);
      }
    });

    test(
      c,
      'request-rich',
      'a rich request survives IR → upstream body → IR, minus documented losses',
      () => {
        const rich = richRequest();
        c.richAdjust?.(rich);
        const body = c.adapter.encodeRequest(rich);
        const expected = richRequest();
        c.richAdjust?.(expected);
        expect(c.adapter.decodeRequest(body, c.route(rich))).toEqual(c.requestLoss(expected));
      },
    );

    for (const r of c.refusals) {
      it(`refuses ${r.what} naming ${r.param}`, () => {
        let thrown: unknown;
        try {
          if (r.mutate) {
            const ir = richRequest();
            r.mutate(ir);
            c.adapter.encodeRequest(ir);
          } else c.adapter.decodeRequest(r.body, c.route({ model: 'm', stream: false }));
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(InvalidRequestError);
        expect((thrown as InvalidRequestError).param).toBe(r.param);
      });
    }

    test(c, 'response-fixtures', 'recorded answers decode to the exact IR (content, stop, usage)', () => {
      for (const s of SCENARIOS) {
        expect(c.adapter.decodeResponse(fixtureJson(c.fixtures, `${s}.json`))).toEqual(answer(s, false));
      }
    });

    test(c, 'response-roundtrip', 'IR → client body → IR, and the official SDK reads the body', async () => {
      for (const u of CASES) {
        for (const s of SCENARIOS) {
          const ir = expectedAnswer(u.facts, s, 1);
          const body = c.adapter.encodeResponse(ir, ctx);
          expect(c.adapter.decodeResponse(body)).toEqual(c.clientLoss(ir));
          const view = await c.sdk.json(body);
          expect(view.text).toBe(textOf(ir));
          expect(view.toolCalls).toEqual(callsOf(ir));
          expect(view.usage).toMatchObject(rec(c.usageWire(ir.usage)));
        }
      }
    });

    test(
      c,
      'stream-decode',
      'recorded streams decode (whole and in ragged chunks) to the JSON answer',
      () => {
        for (const s of SCENARIOS) {
          const text = fixtureText(c.fixtures, `${s}.sse`);
          for (const size of [undefined, 1, 7]) {
            const events = decodeStream(c, text, size);
            expectContract(events);
            expect(collectStream(events).response()).toEqual(answer(s, true));
          }
        }
      },
    );

    test(c, 'stream-decode', 'a stream cut before its end decodes to an error event', () => {
      const text = fixtureText(c.fixtures, 'text.sse');
      const events = decodeStream(c, text.slice(0, Math.floor(text.length / 2)));
      expectContract(events);
      const last = events[events.length - 1];
      expect(last?.type === 'error' && last.error.code).toBe('upstream_stream_cut');
    });

    test(c, 'stream-encode', "any upstream's stream re-encodes into one the official SDK reads", async () => {
      for (const u of CASES) {
        for (const s of SCENARIOS) {
          const events = decodeStream(u, fixtureText(u.fixtures, `${s}.sse`));
          const ir = collectStream(events).response();
          const sse = encodeStream(c, events);
          const view = await c.sdk.stream(sse);
          expect(view.text, `${u.name}/${s}`).toBe(textOf(ir));
          expect(view.toolCalls, `${u.name}/${s}`).toEqual(callsOf(ir));
          expect(view.usage, `${u.name}/${s}`).toMatchObject(rec(c.usageWire(ir.usage)));
          if (c.name !== 'openai-chat' && c.name !== 'azure-openai')
            expect(view.thinking).toBe(thinkingOf(ir));
          const again = collectStream(decodeStream(c, sse)).response();
          expect(again, `${u.name}/${s}`).toEqual(c.clientLoss(ir));
        }
      }
    });

    test(c, 'tool-result-images', 'images inside tool results reach the upstream', () => {
      const ir = richRequest();
      c.richAdjust?.(ir);
      const tool = ir.messages[2];
      if (tool?.role !== 'tool' || !tool.content[0]) throw new Error('rich request changed');
      const image = {
        type: 'image',
        source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
      } as const;
      tool.content[0].content.push(image);
      const back = c.adapter.decodeRequest(c.adapter.encodeRequest(ir), c.route(ir));
      const result = back.messages[2];
      expect(result?.role === 'tool' && result.content[0]?.content).toEqual([
        { type: 'text', text: '21 degrees' },
        image,
      ]);
    });

    test(c, 'signatures', 'reasoning signatures and redacted reasoning survive the client protocol', () => {
      const ir: IRResponse = {
        id: 'r1',
        model: 'm',
        content: [
          { type: 'thinking', text: 'plan', signature: 'c2ln' },
          { type: 'thinking', text: '', redactedData: 'ZW5j' },
          { type: 'text', text: 'ok' },
        ],
        stopReason: 'end_turn',
        usage: expectedAnswer(c.facts, 'text', 1).usage,
      };
      expect(c.adapter.decodeResponse(c.adapter.encodeResponse(ir, ctx))).toEqual(ir);
      expect(collectStream(decodeStream(c, encodeStream(c, responseToEvents(ir)))).response()).toEqual(ir);
    });

    test(c, 'stop-sequence', 'the matched stop sequence survives the client protocol', () => {
      const ir: IRResponse = {
        ...expectedAnswer(c.facts, 'text', 1),
        stopReason: 'stop_sequence',
        stopSequence: 'END',
      };
      expect(c.adapter.decodeResponse(c.adapter.encodeResponse(ir, ctx))).toEqual(ir);
    });

    test(c, 'errors', 'recorded upstream errors map to gateway errors without leaking internals', () => {
      const files = fixtureNames(c.fixtures, '.error.json');
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const f = rec(fixtureJson(c.fixtures, file));
        const status = Number(f['status']);
        const err = c.adapter.decodeError({
          status,
          body: JSON.stringify(f['body']),
          retryAfter: typeof f['retryAfter'] === 'string' ? f['retryAfter'] : null,
        });
        expect(err).toBeInstanceOf(GatewayError);
        expect({ file, code: err.code, status: err.status }).toEqual({ file, ...ERRORS[status] });
        if (status === 429) expect((err as RateLimitError).retryAfterSeconds).toBe(1);
        if (status !== 400) expect(err.message).not.toContain(JSON.stringify(f['body']).slice(10, 40));
      }
      const ctxErr = c.adapter.decodeError({
        status: c.contextLength.status,
        body: JSON.stringify(c.contextLength.body),
      });
      expect(ctxErr).toBeInstanceOf(InvalidRequestError);
      expect(ctxErr.code).toBe('context_length_exceeded');
    });

    test(c, 'stream-error', 'an error mid-stream reaches the official SDK as an error', async () => {
      const enc = c.adapter.streamEncoder({ ...ctx, streamUsage: true });
      const sse = [
        enc.push({ type: 'message_start', id: 'msg_1', model: 'm' }),
        enc.push({ type: 'text_delta', index: 0, text: 'Hi' }),
        enc.push({ type: 'error', error: new RateLimitError('upstream_rate_limited', 'slow down', 1) }),
      ].join('');
      const outcome = await c.sdk.stream(sse).then(
        (view) => view.stop,
        () => 'thrown',
      );
      expect(outcome).toBe(c.streamErrorStop ?? 'thrown');
      const events = decodeStream(c, sse);
      const last = events[events.length - 1];
      expect(last?.type === 'error' && last.error.status).toBe(429);
    });
  });
}
