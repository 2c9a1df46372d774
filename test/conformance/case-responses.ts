// Conformance case: OpenAI Responses.

import type { IRRequest, IRResponse } from '../../src/bridge/ir';
import { rec } from '../../src/bridge/read';
import { openAIResponsesAdapter } from '../../src/providers/openai-responses';
import { responsesUsageFromIR } from '../../src/providers/openai-responses/response';
import { type AdapterCase, effortOnly, stopWithout, withoutCache, withoutThinking } from './cases';
import { reasoningUsage } from './expected';
import { responsesReader } from './sdk';

function requestLoss(ir: IRRequest): IRRequest {
  const out = effortOnly(withoutCache(withoutThinking(ir)));
  return { ...out, tools: out.tools.map((t) => ({ ...t, strict: t.strict ?? false })) };
}

function clientLoss(res: IRResponse): IRResponse {
  return stopWithout(res, ['stop_sequence']);
}

/** The recorded bodies use the `input` string shorthand; the encoder writes items and store: false. */
function canonicalBody(body: unknown): unknown {
  const b = rec(body);
  const input =
    typeof b['input'] === 'string'
      ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: b['input'] }] }]
      : b['input'];
  return { ...b, input, store: false };
}

export const responsesCase: AdapterCase = {
  name: 'responses',
  target: {
    cfg: { baseUrl: 'http://127.0.0.1:9999/v1/', apiKey: 'sk-test' },
    req: { model: 'gpt-5', stream: true },
    url: 'http://127.0.0.1:9999/v1/responses',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
  },
  fixtures: 'responses',
  adapter: openAIResponsesAdapter,
  facts: {
    id: (n) => `resp_fake_${n}`,
    toolId: (n, i) => `call_fake_${n}_${i}`,
    model: 'gpt-5-mini',
    reasoningUsage: reasoningUsage(2, 5),
  },
  sdk: responsesReader,
  route: () => ({}),
  richAdjust: (ir) => {
    ir.stop = [];
  },
  canonicalBody,
  streamErrorStop: 'failed',
  requestLoss,
  clientLoss,
  usageWire: responsesUsageFromIR,
  contextLength: {
    status: 400,
    body: {
      error: {
        message:
          'Your input exceeds the context window of this model. Please adjust your input and try again.',
        type: 'invalid_request_error',
        param: 'input',
        code: 'context_length_exceeded',
      },
    },
  },
  refusals: [
    { what: 'stop sequences', mutate: (ir) => Object.assign(ir, { stop: ['END'] }), param: 'stop' },
    { what: 'top_k', mutate: (ir) => Object.assign(ir, { stop: [], topK: 5 }), param: 'top_k' },
    {
      what: 'stored conversation state',
      body: { model: 'm', input: 'x', previous_response_id: 'resp_1' },
      param: 'previous_response_id',
    },
    {
      what: 'a forced built-in tool',
      body: { model: 'm', input: 'x', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } },
      param: 'tool_choice',
    },
    {
      what: 'item references the response store does not hold',
      body: { model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] },
      param: 'input[0].id',
    },
    {
      what: 'other include values',
      body: { model: 'm', input: 'x', include: ['message.output_text.logprobs'] },
      param: 'include',
    },
  ],
  skip: {
    'stop-sequence': 'the Responses API has no stop sequences (refused on the upstream side)',
  },
};
