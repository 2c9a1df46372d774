// OpenAI chat-completions request: validated just enough to route and meter it; every other field
// passes through untouched (unknown fields are kept, C2).
import { z } from 'zod';
import { type JsonRecord, rec } from '../../bridge/read';
import { MAX_CHOICES, outputTokens } from '../../lib/input-limits';

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
 * metered exactly (C8). `stripUsage` tells the response tap to hide the extra usage chunk from a
 * client that did not ask for it.
 */
export function upstreamChatBody<B extends JsonRecord>(
  body: B,
  model: string,
): { body: B & { model: string }; stripUsage: boolean } {
  if (body.stream !== true) return { body: { ...body, model }, stripUsage: false };
  const options = rec(body.stream_options);
  return {
    body: { ...body, model, stream_options: { ...options, include_usage: true } },
    stripUsage: options.include_usage !== true,
  };
}
