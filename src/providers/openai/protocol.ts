// OpenAI chat completions as clients speak it (`POST /v1/chat/completions`): light validation,
// passthrough (include_usage asked for and hidden again), and the bridge's client side.
import { num, str } from '../../bridge/read';
import type { ClientProtocolSpec } from '../types';
import { openAIChatAdapter } from './adapter';
import { chatCompletionRequestSchema, upstreamChatBody } from './protocol-body';
import { openAIStreamTap } from './tap';
import { usageFromCompletionBody } from './tap-usage';

export const openAIChatProtocol: ClientProtocolSpec = {
  id: 'openai-chat',
  family: 'openai',
  schema: chatCompletionRequestSchema,
  // The body passed `schema` already: fields are read, not validated again.
  head: (body) => {
    const max = num(body.max_completion_tokens) ?? num(body.max_tokens);
    return {
      model: str(body.model) ?? '',
      stream: body.stream === true,
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
