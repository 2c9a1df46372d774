// OpenAI chat completions as clients speak it (`POST /v1/chat/completions`): light validation,
// passthrough (include_usage asked for and hidden again), and the bridge's client side.
import { z } from 'zod';
import { type JsonRecord, num, rec, str } from '../../bridge/read';
import { MAX_CHOICES, outputTokens } from '../../lib/input-limits';
import type { ClientProtocolSpec } from '../types';
import { openAIChatAdapter } from './index';
import { openAIStreamTap, usageFromCompletionBody } from './tap';

// OpenAI chat-completions request: validated just enough to route and meter it; every other field
// passes through untouched (unknown fields are kept, protocol bridge).
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  messages: z.array(z.looseObject({ role: z.string() })).min(1, 'messages must not be empty'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: outputTokens(),
  max_completion_tokens: outputTokens(),
  n: z.number().int().min(1).max(MAX_CHOICES).nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/**
 * The body sent upstream: the mapped model, and for streams `include_usage` switched on so usage is
 * metered exactly (metering and pricing). `stripUsage` tells the response tap to hide the extra usage chunk from a
 * client that did not ask for it.
 */
export function upstreamChatBody<B extends JsonRecord>(
  body: B,
  model: string,
): { body: B & { model: string }; stripUsage: boolean } {
  if (body['stream'] !== true) return { body: { ...body, model }, stripUsage: false };
  const options = rec(body['stream_options']);
  return {
    body: { ...body, model, stream_options: { ...options, include_usage: true } },
    stripUsage: options['include_usage'] !== true,
  };
}

export const openAIChatProtocol: ClientProtocolSpec = {
  id: 'openai-chat',
  family: 'openai',
  schema: chatCompletionRequestSchema,
  // The body passed `schema` already: fields are read, not validated again.
  head: (body) => {
    const max = num(body['max_completion_tokens']) ?? num(body['max_tokens']);
    return {
      model: str(body['model']) ?? '',
      stream: body['stream'] === true,
      ...(max ? { maxOutputTokens: max } : {}),
    };
  },
  client: openAIChatAdapter,
  passthrough: {
    forwardHeaders: [],
    body(body, model) {
      const out = upstreamChatBody(body, model);
      return { body: out.body, hideUsage: out.stripUsage };
    },
    streamTap: (o) => openAIStreamTap({ stripUsageChunk: o.hideUsage, now: o.now }),
    usageFromBody: usageFromCompletionBody,
  },
};
