// Anthropic Messages as clients speak it (`POST /v1/messages`, e.g. Claude Code): light validation,
// passthrough (usage is always in message_start/message_delta; beta flags forwarded), and the
// bridge's client side.
import { z } from 'zod';
import { num, str } from '../../bridge/read';
import { jsonObjectAfter } from '../../bridge/sse-frame';
import { outputTokens } from '../../lib/input-limits';
import type { ClientProtocolSpec } from '../types';
import { anthropicAdapter, anthropicTarget } from './index';
import { anthropicUnits, anthropicUsageToIR } from './response';
import { anthropicStreamTap } from './tap';

const schema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  messages: z.array(z.looseObject({ role: z.string() })).min(1, 'messages must not be empty'),
  stream: z.boolean().nullish(),
  max_tokens: outputTokens(),
});

export const anthropicMessagesProtocol: ClientProtocolSpec = {
  id: 'anthropic-messages',
  family: 'anthropic',
  schema,
  head: (body) => {
    const max = num(body['max_tokens']);
    return {
      model: str(body['model']) ?? '',
      stream: body['stream'] === true,
      ...(max ? { maxOutputTokens: max } : {}),
    };
  },
  client: anthropicAdapter,
  passthrough: {
    // Claude Code turns features on with anthropic-beta; the client's API version is the format
    // of its body, so it must travel with it.
    forwardHeaders: ['anthropic-beta', 'anthropic-version'],
    body: (body, model) => ({ body: { ...body, model }, hideUsage: false }),
    streamTap: anthropicStreamTap,
    usageFromBody: (text) => {
      const usage = jsonObjectAfter(text, '"usage":');
      return usage === undefined ? null : anthropicUsageToIR(usage);
    },
    unitsFromBody: (text) => anthropicUnits(jsonObjectAfter(text, '"usage":')),
  },
  counting: {
    upstream: (cfg, body, model) => ({
      ...anthropicTarget(cfg, undefined, '/messages/count_tokens'),
      body: { ...body, model },
    }),
    request: (body) => body,
    answer: (tokens) => ({ input_tokens: tokens }),
  },
};
