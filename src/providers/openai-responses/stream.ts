// OpenAI Responses streams (upstream) → IR events. The API streams semantic events:
// response.created, then per output item output_item.added … deltas … output_item.done, then one of
// response.completed / response.incomplete / response.failed (or a bare `error` event). Each output
// item becomes one IR part (see response.ts), so output_item.done closes the part.
import type { StreamDecoder, StreamEncodeContext, StreamEncoder } from '../../bridge/adapter';
import type { IRStreamEvent } from '../../bridge/ir';
import { type JsonRecord, rec, str } from '../../bridge/read';
import { jsonData, sseDecoder, sseEvent } from '../../bridge/sse';
import { EventSink, StreamCollector } from '../../bridge/stream';
import type { GatewayError } from '../../errors/gateway-error';
import { openAIStreamError } from '../openai/errors';
import { REDACTED_PREFIX } from './request';
import {
  freeformInput,
  itemFromIR,
  itemId,
  namingOf,
  responseObject,
  responsesUsageToIR,
  statusFromIR,
  statusToIR,
} from './response';

export function responsesStreamDecoder(): StreamDecoder {
  const sink = new EventSink();
  const args = new Map<string, string>();
  let refused = false;
  let summarised = false;

  const finish = (response: JsonRecord): void => {
    if (response['usage'] !== undefined && response['usage'] !== null)
      sink.usage(responsesUsageToIR(response['usage']));
    if (response['status'] === 'failed') {
      const err = rec(response['error']);
      sink.fail(
        openAIStreamError({ type: str(err['code']) ?? 'server_error', message: str(err['message']) }),
      );
      return;
    }
    const reason = statusToIR(
      response['status'],
      rec(response['incomplete_details'])['reason'],
      sink.sawToolCall,
    );
    sink.stop(refused ? 'content_filter' : reason);
  };

  const itemDone = (key: string, item: JsonRecord): void => {
    if (item['type'] === 'reasoning') {
      const enc = str(item['encrypted_content']);
      if (enc?.startsWith(REDACTED_PREFIX)) sink.redacted(enc.slice(REDACTED_PREFIX.length));
      else if (enc) sink.signature(enc);
    } else if (item['type'] === 'function_call' && !args.get(key)) {
      // Some servers send the arguments only with the finished item.
      sink.toolArgs(key, str(item['arguments']) ?? '');
    }
    sink.closePart();
  };

  const onEvent = (data: JsonRecord): void => {
    const key = String(data['output_index'] ?? 0);
    switch (data['type']) {
      case 'response.created': {
        const response = rec(data['response']);
        sink.start(str(response['id']) ?? '', str(response['model']) ?? '');
        break;
      }
      case 'response.output_item.added': {
        const item = rec(data['item']);
        summarised = false;
        if (item['type'] === 'function_call') {
          sink.toolStart(key, str(item['call_id']) ?? '', str(item['name']) ?? '');
          args.set(key, str(item['arguments']) ?? '');
          sink.toolArgs(key, str(item['arguments']) ?? '');
        }
        break;
      }
      case 'response.output_text.delta':
        sink.text(str(data['delta']) ?? '');
        break;
      case 'response.refusal.delta':
        refused = true;
        sink.text(str(data['delta']) ?? '');
        break;
      case 'response.reasoning_summary_part.added':
        // Summary parts are joined by a blank line, as in a whole response.
        if (typeof data['summary_index'] === 'number' && data['summary_index'] > 0) sink.thinking('\n\n');
        break;
      case 'response.reasoning_summary_text.delta':
        summarised = true;
        sink.thinking(str(data['delta']) ?? '');
        break;
      case 'response.reasoning_text.delta':
        if (!summarised) sink.thinking(str(data['delta']) ?? '');
        break;
      case 'response.function_call_arguments.delta': {
        const delta = str(data['delta']) ?? '';
        args.set(key, (args.get(key) ?? '') + delta);
        sink.toolArgs(key, delta);
        break;
      }
      case 'response.output_item.done':
        itemDone(key, rec(data['item']));
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        finish(rec(data['response']));
        break;
      case 'error':
        sink.fail(
          openAIStreamError({ type: str(data['code']) ?? 'server_error', message: str(data['message']) }),
        );
        break;
      default:
        break;
    }
  };

  return sseDecoder(sink, jsonData(onEvent));
}

// IR events → OpenAI Responses stream for the client (what `responses.stream()` in the openai SDK
// and Codex consume): response.created, response.in_progress, per IR part an output item with its
// content-part / delta / done events, then response.completed (or .incomplete / .failed) carrying
// the whole response. Every event has a `sequence_number`. Items are numbered by first appearance,
// which is also their place in the final `output`.
type Kind = 'message' | 'reasoning' | 'function_call' | 'custom_tool_call' | 'web_search_call';

interface OpenItem {
  kind: Kind;
  output: number;
  id: string;
  /** A text or summary part was opened inside the item. */
  partOpen: boolean;
}

export function responsesStreamEncoder(ctx: StreamEncodeContext): StreamEncoder {
  const collector = new StreamCollector();
  const items = new Map<number, OpenItem>();
  const closed = new Set<number>();
  let seq = 0;
  let head: { id: string; model: string; createdAt: number; stored?: boolean } = {
    id: '',
    model: '',
    createdAt: 0,
  };
  const naming = namingOf(ctx);

  const ev = (type: string, fields: JsonRecord): string =>
    sseEvent({ type, sequence_number: seq++, ...fields }, type);

  const open = (index: number, kind: Kind, item: JsonRecord): [OpenItem, string] => {
    const known = items.get(index);
    if (known) return [known, ''];
    const prefix = [...items.keys()]
      .filter((i) => !closed.has(i))
      .map(close)
      .join('');
    const prefix2 = {
      message: 'msg',
      reasoning: 'rs',
      function_call: 'fc',
      custom_tool_call: 'ctc',
      web_search_call: 'ws',
    }[kind];
    const state: OpenItem = { kind, output: items.size, id: itemId(prefix2, index, naming), partOpen: false };
    items.set(index, state);
    return [
      state,
      `${prefix}${ev('response.output_item.added', { output_index: state.output, item: { id: state.id, ...item } })}`,
    ];
  };

  const close = (index: number): string => {
    const state = items.get(index);
    const part = collector.part(index);
    if (!state || !part || closed.has(index)) return '';
    closed.add(index);
    const at = { item_id: state.id, output_index: state.output };
    let out = '';
    if (part.type === 'text' && state.partOpen) {
      const done = { type: 'output_text', text: part.text, annotations: [], logprobs: [] };
      out += ev('response.output_text.done', { ...at, content_index: 0, text: part.text, logprobs: [] });
      out += ev('response.content_part.done', { ...at, content_index: 0, part: done });
    } else if (part.type === 'thinking' && state.partOpen) {
      const done = { type: 'summary_text', text: part.text };
      out += ev('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: part.text });
      out += ev('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: done });
    } else if (part.type === 'tool_call' && state.kind === 'custom_tool_call') {
      // The free-form input is only known once the arguments object is complete.
      const input = freeformInput(part.arguments);
      out += ev('response.custom_tool_call_input.delta', { ...at, delta: input });
      out += ev('response.custom_tool_call_input.done', { ...at, input });
    } else if (part.type === 'tool_call') {
      out += ev('response.function_call_arguments.done', {
        ...at,
        name: naming.aliases[part.name]?.name ?? part.name,
        arguments: part.arguments,
      });
    }
    return `${out}${ev('response.output_item.done', { output_index: state.output, item: itemFromIR(part, index, naming) })}`;
  };

  const textDelta = (index: number, delta: string): string => {
    const [state, prefix] = open(index, 'message', {
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    });
    const at = { item_id: state.id, output_index: state.output, content_index: 0 };
    let out = prefix;
    if (!state.partOpen) {
      state.partOpen = true;
      out += ev('response.content_part.added', {
        ...at,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      });
    }
    return `${out}${ev('response.output_text.delta', { ...at, delta, logprobs: [] })}`;
  };

  const reasoning = { type: 'reasoning', summary: [], encrypted_content: null };

  const thinkingDelta = (index: number, delta: string): string => {
    const [state, prefix] = open(index, 'reasoning', reasoning);
    const at = { item_id: state.id, output_index: state.output, summary_index: 0 };
    let out = prefix;
    if (!state.partOpen) {
      state.partOpen = true;
      out += ev('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    }
    return `${out}${ev('response.reasoning_summary_text.delta', { ...at, delta })}`;
  };

  const finish = (err?: GatewayError): string => {
    const pending = [...items.keys()]
      .filter((i) => !closed.has(i))
      .map(close)
      .join('');
    const res = collector.response();
    const status = statusFromIR(res.stopReason, err);
    const output = res.content.map((p, i) => itemFromIR(p, i, naming));
    const response = responseObject(head, output, status, res.usage);
    const type =
      status['status'] === 'completed' ? 'response.completed' : `response.${String(status['status'])}`;
    return `${pending}${ev(type, { response })}`;
  };

  const encode = (e: IRStreamEvent): string => {
    collector.push(e);
    switch (e.type) {
      case 'message_start': {
        head = {
          id: ctx.responseId ?? e.id,
          model: e.model,
          createdAt: Math.floor(ctx.now() / 1000),
          stored: ctx.responseId !== undefined,
        };
        const response = responseObject(
          head,
          [],
          { status: 'in_progress', incomplete_details: null, error: null },
          null,
        );
        return `${ev('response.created', { response })}${ev('response.in_progress', { response })}`;
      }
      case 'text_delta':
        return textDelta(e.index, e.text);
      case 'thinking_delta':
        return thinkingDelta(e.index, e.text);
      case 'signature':
      case 'redacted_thinking':
        // Carried in the finished item's encrypted_content.
        return open(e.index, 'reasoning', reasoning)[1];
      case 'tool_call_start': {
        const alias = naming.aliases[e.name];
        const ns = alias?.namespace ? { namespace: alias.namespace } : {};
        if (alias?.freeform) {
          return open(e.index, 'custom_tool_call', {
            type: 'custom_tool_call',
            status: 'in_progress',
            call_id: e.id,
            name: alias.name,
            ...ns,
            input: '',
          })[1];
        }
        return open(e.index, 'function_call', {
          type: 'function_call',
          status: 'in_progress',
          call_id: e.id,
          name: alias?.name ?? e.name,
          ...ns,
          arguments: '',
        })[1];
      }
      case 'tool_call_delta': {
        const state = items.get(e.index);
        if (!state || state.kind === 'custom_tool_call') return '';
        return ev('response.function_call_arguments.delta', {
          item_id: state.id,
          output_index: state.output,
          delta: e.arguments,
        });
      }
      case 'web_search': {
        // A search the provider already ran: its whole item lifecycle at once.
        const [state, prefix] = open(e.index, 'web_search_call', {
          type: 'web_search_call',
          status: 'in_progress',
          action: { type: 'search', query: e.query },
        });
        const at = { item_id: state.id, output_index: state.output };
        return `${prefix}${ev('response.web_search_call.in_progress', at)}${ev('response.web_search_call.searching', at)}${ev('response.web_search_call.completed', at)}${close(e.index)}`;
      }
      case 'part_stop':
        return close(e.index);
      case 'usage':
        return '';
      case 'message_stop':
        return finish();
      case 'error':
        return finish(e.error);
    }
  };
  return { push: encode };
}
