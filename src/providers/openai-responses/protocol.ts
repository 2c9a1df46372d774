// OpenAI Responses as clients speak it (`POST /v1/responses`, e.g. Codex and the Vercel AI SDK's
// default OpenAI model): light validation, passthrough (usage is always in the terminal event, so
// nothing is asked for or hidden), and the bridge's client side.
import { z } from 'zod';
import { num, str } from '../../bridge/read';
import { outputTokens } from '../../lib/input-limits';
import type { ClientProtocolSpec } from '../types';
import { openAIResponsesAdapter } from './index';
import { responsesStreamTap, responsesUsageFromBody, webSearchCalls } from './tap';

const schema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().nullish(),
  max_output_tokens: outputTokens(),
});

export const openAIResponsesProtocol: ClientProtocolSpec = {
  id: 'openai-responses',
  family: 'openai',
  schema,
  head: (body) => {
    const max = num(body['max_output_tokens']);
    return {
      model: str(body['model']) ?? '',
      stream: body['stream'] === true,
      ...(max ? { maxOutputTokens: max } : {}),
    };
  },
  client: openAIResponsesAdapter,
  passthrough: {
    forwardHeaders: ['openai-beta'],
    body: (body, model) => ({ body: { ...body, model }, hideUsage: false }),
    streamTap: responsesStreamTap,
    usageFromBody: responsesUsageFromBody,
    unitsFromBody: (text) => ({ webSearchCalls: webSearchCalls(text) }),
  },
};
