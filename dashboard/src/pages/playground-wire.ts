// The playground's calls to the gateway's own proxy endpoints, in each client protocol, with the
// gateway key the user chose: the request each SDK would send, and a decoder for each protocol's
// stream (text deltas and usage). Not the admin API, so not the typed admin client.
import { createParser } from 'eventsource-parser';

export type Protocol = 'openai' | 'anthropic' | 'gemini';
export const protocols: Protocol[] = ['openai', 'anthropic', 'gemini'];

export interface Usage {
  input: number;
  output: number;
}

export interface Routing {
  requestId: string | null;
  level: string | null;
  upstreamKey: string | null;
  retries: string | null;
  switchedOver: string | null;
}

export function chatRequest(
  protocol: Protocol,
  model: string,
  prompt: string,
  key: string,
): { url: string; init: RequestInit } {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const messages = [{ role: 'user', content: prompt }];
  if (protocol === 'openai') {
    headers['authorization'] = `Bearer ${key}`;
    return {
      url: '/v1/chat/completions',
      init: {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true } }),
      },
    };
  }
  if (protocol === 'anthropic') {
    headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
    return {
      url: '/v1/messages',
      init: {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages, max_tokens: 1024, stream: true }),
      },
    };
  }
  headers['x-goog-api-key'] = key;
  return {
    url: `/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
    init: {
      method: 'POST',
      headers,
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] }),
    },
  };
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** One SSE event of `protocol` → the text it adds and the usage it reports (if any). */
export function decodeEvent(
  protocol: Protocol,
  data: string,
  usage: Usage,
): { text: string; usage: Usage; error?: string } {
  if (data === '[DONE]') return { text: '', usage };
  let ev: Json;
  try {
    ev = rec(JSON.parse(data));
  } catch {
    return { text: '', usage };
  }
  if (ev['error']) return { text: '', usage, error: String(rec(ev['error'])['message'] ?? 'error') };
  if (protocol === 'openai') {
    const delta = rec(rec((ev['choices'] as unknown[] | undefined)?.[0])['delta']);
    const u = rec(ev['usage']);
    return {
      text: typeof delta['content'] === 'string' ? delta['content'] : '',
      usage: ev['usage'] ? { input: num(u['prompt_tokens']), output: num(u['completion_tokens']) } : usage,
    };
  }
  if (protocol === 'anthropic') {
    if (ev['type'] === 'message_start') {
      const u = rec(rec(ev['message'])['usage']);
      return { text: '', usage: { input: num(u['input_tokens']), output: num(u['output_tokens']) } };
    }
    if (ev['type'] === 'content_block_delta') {
      const d = rec(ev['delta']);
      return { text: typeof d['text'] === 'string' ? d['text'] : '', usage };
    }
    if (ev['type'] === 'message_delta') {
      const u = rec(ev['usage']);
      return {
        text: '',
        usage: {
          input: num(u['input_tokens']) || usage.input,
          output: num(u['output_tokens']) || usage.output,
        },
      };
    }
    return { text: '', usage };
  }
  const parts = rec(rec((ev['candidates'] as unknown[] | undefined)?.[0])['content'])['parts'] as
    | unknown[]
    | undefined;
  const text = (parts ?? [])
    .map((p) => rec(p)['text'])
    .filter((t) => typeof t === 'string')
    .join('');
  const u = rec(ev['usageMetadata']);
  return {
    text,
    usage: ev['usageMetadata']
      ? { input: num(u['promptTokenCount']), output: num(u['candidatesTokenCount']) }
      : usage,
  };
}

/** The models a key may use (GET /v1/models, OpenAI's shape); none when the key is refused. */
export async function listModels(key: string): Promise<string[]> {
  const res = await fetch('/v1/models', { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) return [];
  const body = (await res.json()) as { data: { id: string }[] };
  return body.data.map((m) => m.id);
}

export function routingOf(res: Response): Routing {
  const h = res.headers;
  return {
    requestId: h.get('x-request-id'),
    level: h.get('x-switchyard-level'),
    upstreamKey: h.get('x-switchyard-upstream-key'),
    retries: h.get('x-switchyard-retries'),
    switchedOver: h.get('x-switchyard-switched-over'),
  };
}

/** Reads a streamed answer to its end, reporting text and usage as they arrive. */
export async function readStream(
  protocol: Protocol,
  res: Response,
  on: { text(delta: string): void; usage(u: Usage): void; firstToken(): void },
): Promise<void> {
  let usage: Usage = { input: 0, output: 0 };
  let first = true;
  let failure: string | undefined;
  const parser = createParser({
    onEvent(ev) {
      const out = decodeEvent(protocol, ev.data, usage);
      if (out.error) failure = out.error;
      if (out.text) {
        if (first) on.firstToken();
        first = false;
        on.text(out.text);
      }
      if (out.usage !== usage) {
        usage = out.usage;
        on.usage(usage);
      }
    },
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed(decoder.decode());
  if (failure) throw new Error(failure);
}

/** The error message of a refused call, in whichever protocol's shape it came. */
export async function errorMessage(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = rec(JSON.parse(text));
    const e = rec(Array.isArray(body) ? body[0] : body)['error'];
    return `${res.status}: ${String(rec(e)['message'] ?? text)}`;
  } catch {
    return `${res.status}: ${text.slice(0, 200)}`;
  }
}
