// Anthropic Messages streams ↔ IR events. The wire sequence (docs "Streaming Messages"):
// message_start (input usage), per block content_block_start / content_block_delta (text_delta,
// input_json_delta, thinking_delta, signature_delta) / content_block_stop, message_delta (stop
// reason, cumulative output usage), message_stop; `ping` anywhere; `error` mid-stream.
// The encoder numbers blocks itself (by first appearance of an IR part), so indices stay contiguous
// whatever the upstream sent. Usage is only known at the end when the upstream is another protocol:
// message_start then reports zeros and message_delta the full counts, which the Anthropic SDKs copy
// over (they overwrite every non-null message_delta usage field).
import type { StreamDecoder, StreamEncodeContext, StreamEncoder } from '../../bridge/adapter';
import type { IRStopReason, IRStreamEvent } from '../../bridge/ir';
import { type JsonRecord, rec, str } from '../../bridge/read';
import { jsonData, sseDecoder, sseEvent } from '../../bridge/sse';
import { EventSink } from '../../bridge/stream';
import { errorBody } from '../../errors/render';
import { type TokenUsage, zeroUsage } from '../../usage/types';
import { anthropicStreamError } from './errors';
import {
  anthropicUsageFromIR,
  anthropicUsageToIR,
  stopReasonFromIR,
  stopReasonToIR,
  webSearchBlocks,
  webSearchQuery,
  webSearchSources,
} from './response';

export function anthropicStreamDecoder(): StreamDecoder {
  const sink = new EventSink();
  const skipped = new Set<number>();
  /** Web search calls by id: their block index, streamed query JSON and the query they started with. */
  const searches = new Map<string, { index: number; json: string; query: string }>();
  let usage: JsonRecord = {};
  let stopReason: IRStopReason = 'end_turn';
  let stopSequence: string | undefined;

  const mergeUsage = (u: unknown): void => {
    for (const [k, v] of Object.entries(rec(u))) if (v !== null && v !== undefined) usage[k] = v;
  };

  const onEvent = (data: JsonRecord): void => {
    const index = typeof data['index'] === 'number' ? data['index'] : -1;
    switch (data['type']) {
      case 'message_start': {
        const message = rec(data['message']);
        sink.start(str(message['id']) ?? '', str(message['model']) ?? '');
        usage = {};
        mergeUsage(message['usage']);
        return;
      }
      case 'content_block_start': {
        const block = rec(data['content_block']);
        if (block['type'] === 'text') sink.text(str(block['text']) ?? '');
        else if (block['type'] === 'thinking') sink.thinking(str(block['thinking']) ?? '');
        else if (block['type'] === 'redacted_thinking') sink.redacted(str(block['data']) ?? '');
        else if (block['type'] === 'tool_use')
          sink.toolStart(String(index), str(block['id']) ?? '', str(block['name']) ?? '');
        else if (webSearchQuery(block) !== undefined) {
          // Its query streams as input_json_delta; the part is sent whole with the result block.
          searches.set(str(block['id']) ?? '', { json: '', index, query: webSearchQuery(block) ?? '' });
          skipped.add(index);
        } else if (block['type'] === 'web_search_tool_result') {
          const id = str(block['tool_use_id']) ?? '';
          const call = searches.get(id);
          let query = call?.query ?? '';
          try {
            query = str(rec(JSON.parse(call?.json || '{}'))['query']) ?? query;
          } catch {
            // An unreadable query still reports the search and what it found.
          }
          sink.webSearch({ type: 'web_search', id, query, sources: webSearchSources(block) });
          skipped.add(index);
        }
        // Other server-tool blocks are never requested through the bridge; skip them if they appear.
        else skipped.add(index);
        return;
      }
      case 'content_block_delta': {
        const delta = rec(data['delta']);
        const search = [...searches.values()].find((s) => s.index === index);
        if (search && delta['type'] === 'input_json_delta') search.json += str(delta['partial_json']) ?? '';
        if (skipped.has(index)) return;
        if (delta['type'] === 'text_delta') sink.text(str(delta['text']) ?? '');
        else if (delta['type'] === 'thinking_delta') sink.thinking(str(delta['thinking']) ?? '');
        else if (delta['type'] === 'signature_delta') sink.signature(str(delta['signature']) ?? '');
        else if (delta['type'] === 'input_json_delta')
          sink.toolArgs(String(index), str(delta['partial_json']) ?? '');
        return;
      }
      case 'content_block_stop':
        if (!skipped.has(index)) sink.closePart();
        return;
      case 'message_delta': {
        const delta = rec(data['delta']);
        if (delta['stop_reason'] !== undefined && delta['stop_reason'] !== null)
          stopReason = stopReasonToIR(delta['stop_reason']);
        const seq = str(delta['stop_sequence']);
        if (seq !== undefined) stopSequence = seq;
        mergeUsage(data['usage']);
        return;
      }
      case 'message_stop':
        sink.usage(anthropicUsageToIR(usage));
        sink.stop(stopReason, stopSequence);
        return;
      case 'error':
        sink.fail(anthropicStreamError(data['error']));
        return;
      default:
        // ping and event types added later carry nothing the IR needs.
        return;
    }
  };

  return sseDecoder(sink, jsonData(onEvent));
}

export function anthropicStreamEncoder(ctx: StreamEncodeContext): StreamEncoder {
  const blocks = new Map<number, number>();
  let next = 0;
  let open: number | undefined;
  let usage: TokenUsage = zeroUsage();
  const ev = (type: string, fields: JsonRecord): string => sseEvent({ type, ...fields }, type);

  const closeOpen = (): string => {
    if (open === undefined) return '';
    const index = open;
    open = undefined;
    return ev('content_block_stop', { index });
  };

  /** The Anthropic block index of IR part `irIndex`, opening the block on first sight. */
  const block = (irIndex: number, start: () => JsonRecord): [number, string] => {
    const known = blocks.get(irIndex);
    if (known !== undefined) return [known, ''];
    const index = next++;
    blocks.set(irIndex, index);
    const prefix = closeOpen();
    open = index;
    return [index, `${prefix}${ev('content_block_start', { index, content_block: start() })}`];
  };

  const delta = (irIndex: number, start: () => JsonRecord, d: JsonRecord): string => {
    const [index, prefix] = block(irIndex, start);
    return `${prefix}${ev('content_block_delta', { index, delta: d })}`;
  };

  const text = () => ({ type: 'text', text: '' });
  const thinking = () => ({ type: 'thinking', thinking: '', signature: '' });

  const encode = (e: IRStreamEvent): string => {
    switch (e.type) {
      case 'message_start':
        return ev('message_start', {
          message: {
            id: e.id,
            type: 'message',
            role: 'assistant',
            model: e.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: anthropicUsageFromIR(zeroUsage()),
          },
        });
      case 'text_delta':
        return delta(e.index, text, { type: 'text_delta', text: e.text });
      case 'thinking_delta':
        return delta(e.index, thinking, { type: 'thinking_delta', thinking: e.text });
      case 'signature':
        return delta(e.index, thinking, { type: 'signature_delta', signature: e.signature });
      case 'redacted_thinking':
        return block(e.index, () => ({ type: 'redacted_thinking', data: e.data }))[1];
      case 'tool_call_start':
        return block(e.index, () => ({ type: 'tool_use', id: e.id, name: e.name, input: {} }))[1];
      case 'tool_call_delta': {
        const start = () => ({ type: 'tool_use', id: '', name: '', input: {} });
        return delta(e.index, start, { type: 'input_json_delta', partial_json: e.arguments });
      }
      case 'web_search': {
        // Two whole blocks, as Anthropic's own web search streams them: the call and its results.
        const [use, result] = webSearchBlocks(e);
        let out = closeOpen();
        for (const content_block of [use, result]) {
          const index = next++;
          blocks.set(e.index, index);
          out += ev('content_block_start', { index, content_block });
          out += ev('content_block_stop', { index });
        }
        return out;
      }
      case 'part_stop':
        return blocks.get(e.index) === open ? closeOpen() : '';
      case 'usage':
        usage = e.usage;
        return '';
      case 'message_stop':
        return `${closeOpen()}${ev('message_delta', {
          delta: { stop_reason: stopReasonFromIR(e.stopReason), stop_sequence: e.stopSequence ?? null },
          usage: anthropicUsageFromIR(usage),
        })}${ev('message_stop', {})}`;
      case 'error':
        return sseEvent(errorBody(e.error, 'anthropic', ctx.requestId ?? ''), 'error');
    }
  };
  return { push: encode };
}
