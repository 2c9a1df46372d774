// The `mock` provider answers inside the Worker in OpenAI chat-completions wire format — no network,
// no key — so `npm start` works on a fresh machine and the demo exercises the real proxy path. It is
// an upstream wire like any other: chat clients get it passed through, every other client protocol
// is translated to and from it by the bridge.
import { list, rec, str } from '../../bridge/read';
import { openAIChatAdapter } from '../openai';
import type { UpstreamRequest, UpstreamWire } from '../types';
import { mockReply } from './reply';

const encoder = new TextEncoder();

function sse(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

export function mockChatResponse(body: UpstreamRequest['body'], now = Date.now()): Response {
  const model = str(body['model']) ?? 'mock';
  const { text, promptTokens, completionTokens } = mockReply(model, list(body['messages']).map(rec));
  const id = `chatcmpl-mock-${crypto.randomUUID().slice(0, 8)}`;
  const created = Math.floor(now / 1000);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (body['stream'] !== true) {
    return Response.json({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
      ],
      usage,
    });
  }
  const base = { id, object: 'chat.completion.chunk', created, model };
  const words = text.split(' ');
  const includeUsage = rec(body['stream_options'])['include_usage'] === true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        sse({
          ...base,
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
        }),
      );
      words.forEach((word, i) => {
        const content = i === 0 ? word : ` ${word}`;
        controller.enqueue(
          sse({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] }),
        );
      });
      controller.enqueue(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      if (includeUsage) controller.enqueue(sse({ ...base, choices: [], usage }));
      controller.enqueue(sse('[DONE]'));
      controller.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

export const mockWire: UpstreamWire = {
  protocol: 'openai-chat',
  // The OpenAI chat translators, with a target that never leaves the Worker.
  adapter: { ...openAIChatAdapter, target: () => ({ url: 'mock:chat/completions', headers: {} }) },
  send: async (req) => mockChatResponse(req.body),
};
