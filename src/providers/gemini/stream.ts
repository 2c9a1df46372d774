// Gemini `streamGenerateContent?alt=sse` ↔ IR events. Each `data:` chunk is a whole
// GenerateContentResponse holding the next parts; the last one carries `finishReason` and the final
// `usageMetadata`. There is no terminator event, so the decoder ends the IR stream when the body
// ends: complete if a finish reason was seen, cut otherwise. Function calls arrive whole, one part
// each; the encoder therefore holds a call's argument deltas until the part ends.
import type { StreamDecoder, StreamEncodeContext, StreamEncoder } from '../../bridge/adapter';
import type { IRStreamEvent } from '../../bridge/ir';
import { type JsonRecord, list, parseArgumentsLenient, rec, str } from '../../bridge/read';
import { jsonData, sseDecoder, sseEvent } from '../../bridge/sse';
import { EventSink } from '../../bridge/stream';
import { errorBody } from '../../errors/render';
import { type TokenUsage, zeroUsage } from '../../usage/types';
import { geminiStreamError } from './errors';
import {
  finishFromIR,
  finishToIR,
  geminiUsageFromIR,
  geminiUsageToIR,
  groundingToSink,
  type PartState,
  partsToSink,
} from './response';

export function geminiStreamDecoder(): StreamDecoder {
  const sink = new EventSink();
  const state: PartState = { responseId: '', calls: 0 };
  let finish: string | undefined;
  let blocked = false;
  let usage: TokenUsage | undefined;

  const onChunk = (chunk: JsonRecord): void => {
    if (chunk['error'] !== undefined && chunk['error'] !== null) {
      sink.fail(geminiStreamError(chunk['error']));
      return;
    }
    if (!sink.started) {
      state.responseId = str(chunk['responseId']) ?? '';
      sink.start(state.responseId, str(chunk['modelVersion']) ?? '');
    }
    const cand = rec(list(chunk['candidates'])[0]);
    partsToSink(sink, list(rec(cand['content'])['parts']), state);
    groundingToSink(sink, cand['groundingMetadata'], state);
    if (typeof cand['finishReason'] === 'string') finish = cand['finishReason'];
    if (str(rec(chunk['promptFeedback'])['blockReason'])) blocked = true;
    // Every chunk may carry running usage; the last one is the total.
    if (chunk['usageMetadata'] !== undefined) usage = geminiUsageToIR(chunk['usageMetadata']);
  };

  const onData = jsonData((chunk) => {
    if (!sink.finished) onChunk(chunk);
  });
  return sseDecoder(sink, onData, () => {
    if (!sink.finished && (finish !== undefined || blocked)) {
      if (usage) sink.usage(usage);
      sink.stop(blocked ? 'content_filter' : finishToIR(finish ?? 'STOP', sink.sawToolCall));
    }
  });
}

export function geminiStreamEncoder(ctx: StreamEncodeContext): StreamEncoder {
  let id = '';
  let model = '';
  let usage: TokenUsage = zeroUsage();
  let signature: string | undefined;
  const calls = new Map<number, { id: string; name: string; args: string }>();

  const chunk = (parts: JsonRecord[], last?: JsonRecord): string => {
    const candidate: JsonRecord = { content: { parts, role: 'model' }, index: 0, ...(last ?? {}) };
    const body: JsonRecord = { candidates: [candidate] };
    if (last) body['usageMetadata'] = geminiUsageFromIR(usage);
    body['modelVersion'] = model;
    body['responseId'] = id;
    // Gemini ends its SSE lines with CRLF.
    return sseEvent(body, undefined, '\r\n');
  };
  /** A part, carrying the pending signature of the reasoning before it. */
  const signed = (part: JsonRecord): JsonRecord => {
    if (signature === undefined) return part;
    const out = { ...part, thoughtSignature: signature };
    signature = undefined;
    return out;
  };
  /** A signature still waiting when the next reasoning starts is sent on its own (see response.ts). */
  const flushSignature = (): string => {
    if (signature === undefined) return '';
    const part = { text: '', thought: true, thoughtSignature: signature };
    signature = undefined;
    return chunk([part]);
  };
  const flushCall = (index: number): string => {
    const call = calls.get(index);
    if (!call) return '';
    calls.delete(index);
    const functionCall = { id: call.id, name: call.name, args: parseArgumentsLenient(call.args) };
    return chunk([signed({ functionCall })]);
  };

  const encode = (e: IRStreamEvent): string => {
    switch (e.type) {
      case 'message_start':
        id = e.id;
        model = e.model;
        return '';
      case 'text_delta':
        return chunk([signed({ text: e.text })]);
      case 'thinking_delta':
        return `${flushSignature()}${chunk([{ text: e.text, thought: true }])}`;
      case 'signature': {
        const before = flushSignature();
        signature = e.signature;
        return before;
      }
      case 'tool_call_start':
        calls.set(e.index, { id: e.id, name: e.name, args: '' });
        return '';
      case 'tool_call_delta': {
        const call = calls.get(e.index);
        if (call) call.args += e.arguments;
        return '';
      }
      case 'part_stop':
        return flushCall(e.index);
      case 'usage':
        usage = e.usage;
        return '';
      case 'message_stop': {
        const pending = [...calls.keys()].map(flushCall).join('');
        const tail: JsonRecord[] =
          signature === undefined
            ? [{ text: '' }]
            : [{ text: '', thought: true, thoughtSignature: signature }];
        signature = undefined;
        return `${pending}${chunk(tail, { finishReason: finishFromIR(e.stopReason) })}`;
      }
      case 'error':
        // @google/genai raises an ApiError for a chunk carrying `error` with an HTTP code.
        return sseEvent(errorBody(e.error, 'gemini', ctx.requestId ?? ''), undefined, '\r\n');
      default:
        // Redacted reasoning has no Gemini form.
        return '';
    }
  };
  return { push: encode };
}
