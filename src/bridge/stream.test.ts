import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../errors/gateway-error';
import { zeroUsage } from '../usage/types';
import type { IRResponse } from './ir';
import { collectStream, EventSink, responseToEvents } from './stream';

describe('EventSink', () => {
  it('numbers parts in order and closes one when the next kind starts', () => {
    const sink = new EventSink();
    sink.start('m1', 'model');
    sink.thinking('hmm');
    sink.signature('sig');
    sink.text('Hel');
    sink.text('lo');
    sink.toolStart('0', 'call_a', 'f');
    sink.toolArgs('0', '{"a":');
    sink.toolArgs('0', '1}');
    sink.usage({ ...zeroUsage(), promptTokens: 3 });
    sink.stop('tool_use');
    expect(sink.drain()).toEqual([
      { type: 'message_start', id: 'm1', model: 'model' },
      { type: 'thinking_delta', index: 0, text: 'hmm' },
      { type: 'signature', index: 0, signature: 'sig' },
      { type: 'part_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Hel' },
      { type: 'text_delta', index: 1, text: 'lo' },
      { type: 'part_stop', index: 1 },
      { type: 'tool_call_start', index: 2, id: 'call_a', name: 'f' },
      { type: 'tool_call_delta', index: 2, arguments: '{"a":' },
      { type: 'tool_call_delta', index: 2, arguments: '1}' },
      { type: 'usage', usage: { ...zeroUsage(), promptTokens: 3 } },
      { type: 'part_stop', index: 2 },
      { type: 'message_stop', stopReason: 'tool_use' },
    ]);
  });

  it('opens an empty reasoning part for a lone signature, and a closed one for redacted data', () => {
    const sink = new EventSink();
    sink.text('a');
    sink.signature('s');
    sink.redacted('xyz');
    sink.stop('end_turn');
    const events = sink.drain();
    expect(events[0]).toEqual({ type: 'message_start', id: '', model: '' });
    expect(events.slice(1)).toEqual([
      { type: 'text_delta', index: 0, text: 'a' },
      { type: 'part_stop', index: 0 },
      { type: 'signature', index: 1, signature: 's' },
      { type: 'part_stop', index: 1 },
      { type: 'redacted_thinking', index: 2, data: 'xyz' },
      { type: 'part_stop', index: 2 },
      { type: 'message_stop', stopReason: 'end_turn' },
    ]);
  });

  it('ignores everything after the terminal event and reports a cut stream as an error', () => {
    const done = new EventSink();
    done.stop('end_turn');
    done.text('late');
    done.endOfInput();
    expect(done.drain().map((e) => e.type)).toEqual(['message_start', 'message_stop']);

    const cut = new EventSink();
    cut.start('m', 'x');
    cut.text('partial');
    cut.endOfInput();
    const events = cut.drain();
    const last = events[events.length - 1];
    expect(events.map((e) => e.type)).toEqual(['message_start', 'text_delta', 'part_stop', 'error']);
    expect(last?.type === 'error' && [last.error.code, last.error.status]).toEqual([
      'upstream_stream_cut',
      502,
    ]);
  });

  it('ignores argument deltas for a tool call it never saw start', () => {
    const sink = new EventSink();
    sink.toolArgs('9', '{}');
    expect(sink.drain()).toEqual([]);
  });
});

describe('collector and responseToEvents', () => {
  const res: IRResponse = {
    id: 'r1',
    model: 'm',
    content: [
      { type: 'thinking', text: 'think', signature: 'c2ln' },
      { type: 'thinking', text: '', redactedData: 'enc' },
      { type: 'text', text: 'answer' },
      { type: 'tool_call', id: 'c1', name: 'f', arguments: '{"x":1}' },
    ],
    stopReason: 'stop_sequence',
    stopSequence: 'END',
    usage: {
      promptTokens: 10,
      completionTokens: 5,
      cachedReadTokens: 2,
      cacheWriteTokens: 1,
      reasoningTokens: 3,
    },
  };

  it('are inverses of each other', () => {
    expect(collectStream(responseToEvents(res)).response()).toEqual(res);
  });

  it('records an error as stop reason "error" and keeps the error', () => {
    const err = new OverloadedError('upstream_overloaded', 'busy');
    const c = collectStream([...responseToEvents(res).slice(0, -1), { type: 'error', error: err }]);
    expect(c.done).toBe(true);
    expect(c.error).toBe(err);
    expect(c.response().stopReason).toBe('error');
    expect(c.response().content).toEqual(res.content);
  });
});
