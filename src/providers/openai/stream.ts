// OpenAI chat-completions streams ↔ IR events.
// Upstream chunks carry `choices[0].delta` (content, tool_calls[] by index, and on compatible servers
// reasoning_content), a finish chunk, then — with stream_options.include_usage — a usage chunk with
// `choices: []`, then `data: [DONE]`. The decoder holds the finish reason until [DONE] so usage
// always precedes the IR stop; a stream that ends after a finish reason but without [DONE] (some
// compatible servers) is complete, one that ends before it was cut.
import type { StreamDecoder, StreamEncodeContext, StreamEncoder } from '../../bridge/adapter';
import type { IRStopReason, IRStreamEvent } from '../../bridge/ir';
import { type JsonRecord, list, rec, str } from '../../bridge/read';
import { jsonData, sseDecoder, sseEvent } from '../../bridge/sse';
import { EventSink } from '../../bridge/stream';
import { errorBody } from '../../errors/render';
import type { TokenUsage } from '../../usage/types';
import { openAIStreamError } from './errors';
import { chatUsageFromIR, chatUsageToIR, finishFromIR, finishToIR, reasoningText } from './response';

export function chatStreamDecoder(): StreamDecoder {
  const sink = new EventSink();
  const toolIds = new Map<string, string>();
  let finish: IRStopReason | undefined;
  let refused = false;
  let usage: TokenUsage | undefined;

  const complete = (): void => {
    if (usage) sink.usage(usage);
    let reason = refused ? 'content_filter' : (finish ?? 'end_turn');
    // Some compatible servers finish a tool-calling turn with "stop".
    if (reason === 'end_turn' && sink.sawToolCall) reason = 'tool_use';
    sink.stop(reason);
  };

  const onChunk = (chunk: JsonRecord): void => {
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      sink.fail(openAIStreamError(chunk['error']));
      return;
    }
    const choices = list(chunk['choices']);
    // Azure opens with a choice-less prompt-filter chunk whose id is blank: start on real content.
    if (!sink.started && (choices.length > 0 || chunk['usage']))
      sink.start(str(chunk['id']) ?? '', str(chunk['model']) ?? '');
    const choice = rec(choices.find((c) => (rec(c)['index'] ?? 0) === 0));
    const delta = rec(choice['delta']);
    const reasoning = reasoningText(delta);
    if (reasoning) sink.thinking(reasoning);
    const content = str(delta['content']);
    if (content) sink.text(content);
    const refusal = str(delta['refusal']);
    if (refusal) {
      refused = true;
      sink.text(refusal);
    }
    for (const raw of list(delta['tool_calls'])) {
      const call = rec(raw);
      const key = String(call['index'] ?? 0);
      const fn = rec(call['function']);
      const id = str(call['id']);
      if (id && toolIds.get(key) !== id) {
        toolIds.set(key, id);
        sink.toolStart(key, id, str(fn['name']) ?? '');
      }
      sink.toolArgs(key, str(fn['arguments']) ?? '');
    }
    if (typeof choice['finish_reason'] === 'string') finish = finishToIR(choice['finish_reason']);
    if (chunk['usage'] !== undefined && chunk['usage'] !== null) usage = chatUsageToIR(chunk['usage']);
  };

  const onData = (data: string): void => {
    if (sink.finished) return;
    if (data.trim() === '[DONE]') {
      complete();
      return;
    }
    chunkData(data);
  };
  const chunkData = jsonData(onChunk);

  return sseDecoder(sink, onData, () => {
    if (!sink.finished && finish !== undefined) complete();
  });
}

export function chatStreamEncoder(ctx: StreamEncodeContext): StreamEncoder {
  let id = '';
  let model = '';
  let created = 0;
  let usage: TokenUsage | undefined;
  const toolOrdinal = new Map<number, number>();

  const chunk = (delta: JsonRecord, finish: string | null = null): string =>
    sseEvent({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });

  const encode = (e: IRStreamEvent): string => {
    switch (e.type) {
      case 'message_start':
        id = e.id;
        model = e.model;
        created = Math.floor(ctx.now() / 1000);
        return chunk({ role: 'assistant', content: '' });
      case 'text_delta':
        return chunk({ content: e.text });
      case 'thinking_delta':
        return chunk({ reasoning_content: e.text });
      case 'tool_call_start': {
        const ordinal = toolOrdinal.size;
        toolOrdinal.set(e.index, ordinal);
        const call = {
          index: ordinal,
          id: e.id,
          type: 'function',
          function: { name: e.name, arguments: '' },
        };
        return chunk({ tool_calls: [call] });
      }
      case 'tool_call_delta': {
        const ordinal = toolOrdinal.get(e.index);
        if (ordinal === undefined) return '';
        return chunk({ tool_calls: [{ index: ordinal, function: { arguments: e.arguments } }] });
      }
      case 'usage':
        usage = e.usage;
        return '';
      case 'message_stop': {
        let out = chunk({}, finishFromIR(e.stopReason));
        if (ctx.streamUsage && usage) {
          out += sseEvent({
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            choices: [],
            usage: chatUsageFromIR(usage),
          });
        }
        return `${out}${sseEvent('[DONE]')}`;
      }
      case 'error':
        // The openai SDKs raise an APIError for a chunk carrying `error`.
        return sseEvent(errorBody(e.error, 'openai', ctx.requestId ?? ''));
      default:
        // Signatures and redacted reasoning have no place in chat chunks; part_stop needs no event.
        return '';
    }
  };
  return { push: encode };
}
