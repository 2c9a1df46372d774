// Reads what a client-side encoder produced with the official SDK of that protocol, through a fetch
// stub (no network), and reduces the SDK's assembled result to one comparable view.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { list, rec, str } from '../../src/bridge/read';

export interface ClientView {
  text: string;
  thinking: string;
  signatures: string[];
  toolCalls: { id: string; name: string; args: unknown }[];
  stop: string | null;
  /** The protocol's own usage object, as the SDK returned it. */
  usage: unknown;
}

export type SdkReader = {
  stream(sse: string): Promise<ClientView>;
  json(body: unknown): Promise<ClientView>;
};

const BASE = 'http://bridge.test';

function stubFetch(body: string, contentType: string, status = 200) {
  return async (): Promise<Response> =>
    new Response(body, { status, headers: { 'content-type': contentType } });
}
const sseStub = (text: string) => stubFetch(text, 'text/event-stream');
const jsonStub = (body: unknown) => stubFetch(JSON.stringify(body), 'application/json');

const parseArgs = (s: string): unknown => (s === '' ? {} : JSON.parse(s));

function openAI(fetch: ReturnType<typeof stubFetch>): OpenAI {
  return new OpenAI({ apiKey: 'test-key', baseURL: `${BASE}/v1`, maxRetries: 0, fetch });
}

function chatView(completion: unknown): ClientView {
  const c = rec(completion);
  const choice = rec(list(c['choices'])[0]);
  const message = rec(choice['message']);
  return {
    text: str(message['content']) ?? '',
    thinking: str(message['reasoning_content']) ?? '',
    signatures: [],
    toolCalls: list(message['tool_calls']).map((t) => {
      const fn = rec(rec(t)['function']);
      return {
        id: str(rec(t)['id']) ?? '',
        name: str(fn['name']) ?? '',
        args: parseArgs(str(fn['arguments']) ?? ''),
      };
    }),
    stop: str(choice['finish_reason']) ?? null,
    usage: c['usage'] ?? null,
  };
}

export const openAIChatReader: SdkReader = {
  async stream(sse) {
    const stream = openAI(sseStub(sse)).chat.completions.stream({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream_options: { include_usage: true },
    });
    // The stream helper overwrites unknown delta fields, so reasoning_content is summed from chunks.
    let thinking = '';
    stream.on('chunk', (chunk) => {
      thinking += str(rec(rec(chunk.choices[0])['delta'])['reasoning_content']) ?? '';
    });
    return { ...chatView(await stream.finalChatCompletion()), thinking };
  },
  async json(body) {
    return chatView(await openAI(jsonStub(body)).chat.completions.create({ model: 'm', messages: [] }));
  },
};

function anthropicView(message: unknown): ClientView {
  const m = rec(message);
  const blocks = list(m['content']).map(rec);
  return {
    text: blocks.flatMap((b) => (b['type'] === 'text' ? [str(b['text']) ?? ''] : [])).join(''),
    thinking: blocks.flatMap((b) => (b['type'] === 'thinking' ? [str(b['thinking']) ?? ''] : [])).join(''),
    signatures: blocks.flatMap((b) =>
      b['type'] === 'thinking' && b['signature'] ? [str(b['signature']) ?? ''] : [],
    ),
    toolCalls: blocks.flatMap((b) =>
      b['type'] === 'tool_use'
        ? [{ id: str(b['id']) ?? '', name: str(b['name']) ?? '', args: b['input'] }]
        : [],
    ),
    stop: str(m['stop_reason']) ?? null,
    usage: m['usage'] ?? null,
  };
}

function anthropic(fetch: ReturnType<typeof stubFetch>): Anthropic {
  return new Anthropic({ apiKey: 'test-key', baseURL: BASE, maxRetries: 0, fetch });
}

export const anthropicReader: SdkReader = {
  async stream(sse) {
    const stream = anthropic(sseStub(sse)).messages.stream({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    return anthropicView(await stream.finalMessage());
  },
  async json(body) {
    const message = await anthropic(jsonStub(body)).messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    return anthropicView(message);
  },
};

function gemini(fetch: ReturnType<typeof stubFetch>): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: BASE, fetch } });
}

function geminiView(chunks: unknown[]): ClientView {
  const view: ClientView = { text: '', thinking: '', signatures: [], toolCalls: [], stop: null, usage: null };
  for (const raw of chunks) {
    const chunk = rec(raw);
    const cand = rec(list(chunk['candidates'])[0]);
    for (const p of list(rec(cand['content'])['parts']).map(rec)) {
      const text = str(p['text']);
      if (text !== undefined) {
        if (p['thought'] === true) view.thinking += text;
        else view.text += text;
      }
      const sig = str(p['thoughtSignature']);
      if (sig) view.signatures.push(sig);
      if (p['functionCall']) {
        const fc = rec(p['functionCall']);
        view.toolCalls.push({ id: str(fc['id']) ?? '', name: str(fc['name']) ?? '', args: fc['args'] ?? {} });
      }
    }
    if (typeof cand['finishReason'] === 'string') view.stop = cand['finishReason'];
    if (chunk['usageMetadata']) view.usage = chunk['usageMetadata'];
  }
  return view;
}

export const geminiReader: SdkReader = {
  async stream(sse) {
    const chunks: unknown[] = [];
    for await (const c of await gemini(sseStub(sse)).models.generateContentStream({
      model: 'm',
      contents: 'x',
    })) {
      chunks.push(c);
    }
    return geminiView(chunks);
  },
  async json(body) {
    return geminiView([await gemini(jsonStub(body)).models.generateContent({ model: 'm', contents: 'x' })]);
  },
};

function responsesView(response: unknown): ClientView {
  const r = rec(response);
  const view: ClientView = {
    text: '',
    thinking: '',
    signatures: [],
    toolCalls: [],
    stop: null,
    usage: r['usage'] ?? null,
  };
  for (const item of list(r['output']).map(rec)) {
    if (item['type'] === 'message') {
      for (const c of list(item['content']).map(rec)) view.text += str(c['text']) ?? str(c['refusal']) ?? '';
    } else if (item['type'] === 'reasoning') {
      for (const s of list(item['summary']).map(rec)) view.thinking += str(s['text']) ?? '';
      const enc = str(item['encrypted_content']);
      if (enc) view.signatures.push(enc);
    } else if (item['type'] === 'function_call') {
      view.toolCalls.push({
        id: str(item['call_id']) ?? '',
        name: str(item['name']) ?? '',
        args: parseArgs(str(item['arguments']) ?? ''),
      });
    }
  }
  const reason = str(rec(r['incomplete_details'])['reason']);
  view.stop = reason ? `${str(r['status'])}:${reason}` : (str(r['status']) ?? null);
  return view;
}

export const responsesReader: SdkReader = {
  async stream(sse) {
    const stream = openAI(sseStub(sse)).responses.stream({ model: 'm', input: 'x' });
    return responsesView(await stream.finalResponse());
  },
  async json(body) {
    return responsesView(await openAI(jsonStub(body)).responses.create({ model: 'm', input: 'x' }));
  },
};
