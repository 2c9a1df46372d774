// OpenAI Responses streams (upstream) → IR events. The API streams semantic events:
// response.created, then per output item output_item.added … deltas … output_item.done, then one of
// response.completed / response.incomplete / response.failed (or a bare `error` event). Each output
// item becomes one IR part (see response.ts), so output_item.done closes the part.
import type { StreamDecoder } from '../../bridge/adapter';
import { type JsonRecord, rec, str } from '../../bridge/read';
import { jsonData, sseDecoder } from '../../bridge/sse';
import { EventSink } from '../../bridge/stream';
import { openAIStreamError } from '../openai/errors';
import { REDACTED_PREFIX } from './request';
import { responsesUsageToIR, statusToIR } from './response';

export function responsesStreamDecoder(): StreamDecoder {
  const sink = new EventSink();
  const args = new Map<string, string>();
  let refused = false;
  let summarised = false;

  const finish = (response: JsonRecord): void => {
    if (response.usage !== undefined && response.usage !== null)
      sink.usage(responsesUsageToIR(response.usage));
    if (response.status === 'failed') {
      const err = rec(response.error);
      sink.fail(openAIStreamError({ type: str(err.code) ?? 'server_error', message: str(err.message) }));
      return;
    }
    const reason = statusToIR(response.status, rec(response.incomplete_details).reason, sink.sawToolCall);
    sink.stop(refused ? 'content_filter' : reason);
  };

  const itemDone = (key: string, item: JsonRecord): void => {
    if (item.type === 'reasoning') {
      const enc = str(item.encrypted_content);
      if (enc?.startsWith(REDACTED_PREFIX)) sink.redacted(enc.slice(REDACTED_PREFIX.length));
      else if (enc) sink.signature(enc);
    } else if (item.type === 'function_call' && !args.get(key)) {
      // Some servers send the arguments only with the finished item.
      sink.toolArgs(key, str(item.arguments) ?? '');
    }
    sink.closePart();
  };

  const onEvent = (data: JsonRecord): void => {
    const key = String(data.output_index ?? 0);
    switch (data.type) {
      case 'response.created': {
        const response = rec(data.response);
        sink.start(str(response.id) ?? '', str(response.model) ?? '');
        break;
      }
      case 'response.output_item.added': {
        const item = rec(data.item);
        summarised = false;
        if (item.type === 'function_call') {
          sink.toolStart(key, str(item.call_id) ?? '', str(item.name) ?? '');
          args.set(key, str(item.arguments) ?? '');
          sink.toolArgs(key, str(item.arguments) ?? '');
        }
        break;
      }
      case 'response.output_text.delta':
        sink.text(str(data.delta) ?? '');
        break;
      case 'response.refusal.delta':
        refused = true;
        sink.text(str(data.delta) ?? '');
        break;
      case 'response.reasoning_summary_part.added':
        // Summary parts are joined by a blank line, as in a whole response.
        if (typeof data.summary_index === 'number' && data.summary_index > 0) sink.thinking('\n\n');
        break;
      case 'response.reasoning_summary_text.delta':
        summarised = true;
        sink.thinking(str(data.delta) ?? '');
        break;
      case 'response.reasoning_text.delta':
        if (!summarised) sink.thinking(str(data.delta) ?? '');
        break;
      case 'response.function_call_arguments.delta': {
        const delta = str(data.delta) ?? '';
        args.set(key, (args.get(key) ?? '') + delta);
        sink.toolArgs(key, delta);
        break;
      }
      case 'response.output_item.done':
        itemDone(key, rec(data.item));
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        finish(rec(data.response));
        break;
      case 'error':
        sink.fail(openAIStreamError({ type: str(data.code) ?? 'server_error', message: str(data.message) }));
        break;
      default:
        break;
    }
  };

  return sseDecoder(sink, jsonData(onEvent));
}
