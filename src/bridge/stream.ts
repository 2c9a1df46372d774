// The normalized stream core, shared by every adapter and free of protocol detail:
// - EventSink: what stream decoders write into. It numbers content parts, closes a part when the
//   next one starts, and enforces the IR stream contract (one start, one terminal event).
// - StreamCollector: folds IR events into an IRResponse (used by encoders that must repeat the
//   whole response at the end, and to answer a non-streaming client from a streaming upstream).
// - responseToEvents: the inverse, an IRResponse as the events a stream of it would carry.
import { type GatewayError, UpstreamError } from '../errors/gateway-error';
import { type TokenUsage, zeroUsage } from '../usage/types';
import type {
  IRAnswerPart,
  IRAssistantPart,
  IRResponse,
  IRStopReason,
  IRStreamEvent,
  IRWebSearchPart,
} from './ir';

type OpenKind = 'text' | 'thinking' | 'tool' | 'search';

export class EventSink {
  #out: IRStreamEvent[] = [];
  #next = 0;
  #open: { kind: OpenKind; index: number } | null = null;
  #tools = new Map<string, number>();
  #started = false;
  #finished = false;
  #sawToolCall = false;

  get started(): boolean {
    return this.#started;
  }
  get finished(): boolean {
    return this.#finished;
  }
  /** A tool call was streamed (some protocols report a plain stop even then). */
  get sawToolCall(): boolean {
    return this.#sawToolCall;
  }

  start(id: string, model: string): void {
    if (this.#started || this.#finished) return;
    this.#started = true;
    this.#out.push({ type: 'message_start', id, model });
  }

  text(text: string): void {
    if (text === '') return;
    this.#push({ type: 'text_delta', index: this.#ensure('text'), text });
  }

  thinking(text: string): void {
    if (text === '') return;
    this.#push({ type: 'thinking_delta', index: this.#ensure('thinking'), text });
  }

  /**
   * Signs the open reasoning part, or an empty one (a signature may come without text). A signature
   * ends the reasoning it signs, so the part is closed.
   */
  signature(signature: string): void {
    if (signature === '') return;
    this.#push({ type: 'signature', index: this.#ensure('thinking'), signature });
    this.closePart();
  }

  redacted(data: string): void {
    const index = this.#openNew('thinking');
    this.#push({ type: 'redacted_thinking', index, data });
    this.closePart();
  }

  /** Starts a tool call; `key` is how the protocol refers to it in later argument deltas. */
  toolStart(key: string, id: string, name: string): void {
    const index = this.#openNew('tool');
    this.#tools.set(key, index);
    this.#sawToolCall = true;
    this.#push({ type: 'tool_call_start', index, id, name });
  }

  /** A whole web search the provider ran (its query and what it found). */
  webSearch(part: IRWebSearchPart): void {
    const index = this.#openNew('search');
    this.#push({ ...part, index });
    this.closePart();
  }

  hasTool(key: string): boolean {
    return this.#tools.has(key);
  }

  toolArgs(key: string, args: string): void {
    const index = this.#tools.get(key);
    if (index === undefined || args === '') return;
    this.#push({ type: 'tool_call_delta', index, arguments: args });
  }

  closePart(): void {
    if (!this.#open) return;
    const { index } = this.#open;
    this.#open = null;
    this.#out.push({ type: 'part_stop', index });
  }

  usage(usage: TokenUsage): void {
    if (this.#finished) return;
    this.#autoStart();
    this.#out.push({ type: 'usage', usage });
  }

  stop(stopReason: IRStopReason, stopSequence?: string): void {
    if (this.#finished) return;
    this.#autoStart();
    this.closePart();
    this.#finished = true;
    this.#out.push(
      stopSequence === undefined
        ? { type: 'message_stop', stopReason }
        : { type: 'message_stop', stopReason, stopSequence },
    );
  }

  fail(error: GatewayError): void {
    if (this.#finished) return;
    this.#autoStart();
    this.closePart();
    this.#finished = true;
    this.#out.push({ type: 'error', error });
  }

  /** The upstream body ended: a stream without its terminal event was cut short. */
  endOfInput(): void {
    if (!this.#finished) {
      this.fail(
        new UpstreamError('upstream_stream_cut', 'The provider ended the stream before it finished.'),
      );
    }
  }

  drain(): IRStreamEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #push(e: IRStreamEvent): void {
    if (this.#finished) return;
    this.#autoStart();
    this.#out.push(e);
  }

  #autoStart(): void {
    if (!this.#started) this.start('', '');
  }

  #ensure(kind: OpenKind): number {
    if (this.#open?.kind === kind) return this.#open.index;
    return this.#openNew(kind);
  }

  #openNew(kind: OpenKind): number {
    this.#autoStart();
    this.closePart();
    const index = this.#next++;
    this.#open = { kind, index };
    return index;
  }
}

export class StreamCollector {
  id = '';
  model = '';
  usage: TokenUsage = zeroUsage();
  stopReason: IRStopReason = 'error';
  stopSequence: string | undefined;
  error: GatewayError | undefined;
  done = false;
  readonly #parts = new Map<number, IRAnswerPart>();

  push(e: IRStreamEvent): void {
    switch (e.type) {
      case 'message_start':
        this.id = e.id;
        this.model = e.model;
        return;
      case 'text_delta': {
        const p = this.#part(e.index, () => ({ type: 'text', text: '' }));
        if (p.type === 'text') p.text += e.text;
        return;
      }
      case 'thinking_delta': {
        const p = this.#part(e.index, () => ({ type: 'thinking', text: '' }));
        if (p.type === 'thinking') p.text += e.text;
        return;
      }
      case 'signature': {
        const p = this.#part(e.index, () => ({ type: 'thinking', text: '' }));
        if (p.type === 'thinking') p.signature = (p.signature ?? '') + e.signature;
        return;
      }
      case 'redacted_thinking':
        this.#parts.set(e.index, { type: 'thinking', text: '', redactedData: e.data });
        return;
      case 'tool_call_start':
        this.#parts.set(e.index, { type: 'tool_call', id: e.id, name: e.name, arguments: '' });
        return;
      case 'tool_call_delta': {
        const p = this.#parts.get(e.index);
        if (p?.type === 'tool_call') p.arguments += e.arguments;
        return;
      }
      case 'web_search': {
        const { index, ...part } = e;
        this.#parts.set(index, part);
        return;
      }
      case 'part_stop':
        return;
      case 'usage':
        this.usage = e.usage;
        return;
      case 'message_stop':
        this.stopReason = e.stopReason;
        this.stopSequence = e.stopSequence;
        this.done = true;
        return;
      case 'error':
        this.error = e.error;
        this.stopReason = 'error';
        this.done = true;
        return;
    }
  }

  /** Parts in index order. */
  parts(): IRAnswerPart[] {
    return [...this.#parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
  }

  part(index: number): IRAnswerPart | undefined {
    return this.#parts.get(index);
  }

  response(): IRResponse {
    const res: IRResponse = {
      id: this.id,
      model: this.model,
      content: this.parts(),
      stopReason: this.stopReason,
      usage: this.usage,
    };
    if (this.stopSequence !== undefined) res.stopSequence = this.stopSequence;
    return res;
  }

  #part(index: number, make: () => IRAssistantPart): IRAnswerPart {
    let p = this.#parts.get(index);
    if (!p) {
      p = make();
      this.#parts.set(index, p);
    }
    return p;
  }
}

export function collectStream(events: Iterable<IRStreamEvent>): StreamCollector {
  const c = new StreamCollector();
  for (const e of events) c.push(e);
  return c;
}

/** The events a stream of `res` carries: one delta per part, usage, then the stop. */
export function responseToEvents(res: IRResponse): IRStreamEvent[] {
  const out: IRStreamEvent[] = [{ type: 'message_start', id: res.id, model: res.model }];
  res.content.forEach((part, index) => {
    if (part.type === 'text') out.push({ type: 'text_delta', index, text: part.text });
    else if (part.type === 'web_search') out.push({ ...part, index });
    else if (part.type === 'tool_call') {
      out.push({ type: 'tool_call_start', index, id: part.id, name: part.name });
      if (part.arguments !== '') out.push({ type: 'tool_call_delta', index, arguments: part.arguments });
    } else if (part.redactedData !== undefined) {
      out.push({ type: 'redacted_thinking', index, data: part.redactedData });
    } else {
      if (part.text !== '') out.push({ type: 'thinking_delta', index, text: part.text });
      if (part.signature) out.push({ type: 'signature', index, signature: part.signature });
    }
    out.push({ type: 'part_stop', index });
  });
  out.push({ type: 'usage', usage: res.usage });
  out.push(
    res.stopSequence === undefined
      ? { type: 'message_stop', stopReason: res.stopReason }
      : { type: 'message_stop', stopReason: res.stopReason, stopSequence: res.stopSequence },
  );
  return out;
}
