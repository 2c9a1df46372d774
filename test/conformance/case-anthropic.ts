// Conformance case: Anthropic Messages.

import type { IRRequest } from '../../src/bridge/ir';
import { anthropicAdapter } from '../../src/providers/anthropic';
import { anthropicUsageFromIR } from '../../src/providers/anthropic/response';
import type { AdapterCase } from './cases';
import { reasoningUsage } from './expected';
import { anthropicReader } from './sdk';

function requestLoss(ir: IRRequest): IRRequest {
  const { seed: _seed, metadata: _metadata, ...rest } = ir;
  const out: IRRequest = { ...rest, streamUsage: true };
  if (ir.responseFormat?.type === 'json_schema') {
    out.responseFormat = { type: 'json_schema', name: 'response', schema: ir.responseFormat.schema };
  }
  out.messages = ir.messages.map((m) =>
    m.role === 'user'
      ? {
          ...m,
          content: m.content.map((p) => {
            if (p.type !== 'image') return p;
            const { detail: _d, ...image } = p;
            return image;
          }),
        }
      : m,
  );
  return out;
}

export const anthropicCase: AdapterCase = {
  name: 'anthropic',
  target: {
    cfg: { baseUrl: null, apiKey: 'sk-ant-test' },
    req: { model: 'claude-sonnet-4-6', stream: true },
    url: 'https://api.anthropic.com/v1/messages',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
    },
  },
  fixtures: 'anthropic',
  adapter: anthropicAdapter,
  facts: {
    id: (n) => `msg_fake_${n}`,
    toolId: (n, i) => `toolu_fake_${n}_${i}`,
    model: 'claude-sonnet-4-6',
    reasoningUsage: reasoningUsage(2, 0),
    thinking: (n) => ({
      type: 'thinking',
      text: 'Thinking about: Hello there friend',
      signature: btoa(`fake-signature-${n}`),
    }),
  },
  sdk: anthropicReader,
  route: () => ({}),
  requestLoss,
  clientLoss: (res) => (res.stopReason === 'error' ? { ...res, stopReason: 'end_turn' } : res),
  usageWire: anthropicUsageFromIR,
  contextLength: {
    status: 400,
    body: {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long: 210345 tokens > 200000 maximum' },
    },
  },
  refusals: [
    {
      what: 'temperature above 1',
      mutate: (ir) => Object.assign(ir, { temperature: 1.5 }),
      param: 'temperature',
    },
    {
      what: 'presence penalty',
      mutate: (ir) => Object.assign(ir, { presencePenalty: 0.5 }),
      param: 'presence_penalty',
    },
    {
      what: 'json_object output',
      mutate: (ir) => Object.assign(ir, { responseFormat: { type: 'json_object' } }),
      param: 'response_format',
    },
    {
      what: 'a BMP image',
      mutate: (ir) => {
        const user = ir.messages[0];
        if (user?.role === 'user')
          user.content[1] = {
            type: 'image',
            source: { kind: 'base64', mediaType: 'image/bmp', data: 'Qk0=' },
          };
      },
      param: 'messages[0].content[1]',
    },
    {
      what: 'tool arguments that are not JSON',
      mutate: (ir) => {
        const assistant = ir.messages[1];
        const call = assistant?.role === 'assistant' ? assistant.content[2] : undefined;
        if (call?.type === 'tool_call') call.arguments = '{"city": Par';
      },
      param: 'messages[1].content[2]',
    },
    {
      what: 'document blocks',
      body: {
        model: 'm',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }],
          },
        ],
      },
      param: 'messages[0].content[0].type',
    },
    {
      what: 'a forced server tool',
      body: {
        model: 'm',
        max_tokens: 10,
        messages: [],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'tool', name: 'web_search' },
      },
      param: 'tool_choice.name',
    },
    {
      what: 'containers',
      body: { model: 'm', max_tokens: 10, messages: [], container: 'c1' },
      param: 'container',
    },
  ],
  skip: {},
};
