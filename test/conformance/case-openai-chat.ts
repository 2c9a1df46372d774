// Conformance case: OpenAI chat completions (and, with another target, Azure OpenAI).

import type { BridgeAdapter } from '../../src/bridge/adapter';
import { azureOpenAIAdapter } from '../../src/providers/azure-openai';
import { openAIChatAdapter } from '../../src/providers/openai';
import { chatUsageFromIR } from '../../src/providers/openai/response';
import {
  type AdapterCase,
  effortOnly,
  flattened,
  stopWithout,
  type TargetCheck,
  withoutCache,
  withoutThinking,
} from './cases';
import { reasoningUsage } from './expected';
import { openAIChatReader } from './sdk';

export function chatCase(
  name: string,
  fixtures: string,
  adapter: BridgeAdapter,
  target: TargetCheck,
): AdapterCase {
  return {
    name,
    target,
    fixtures,
    adapter,
    facts: {
      id: (n) => `chatcmpl-fake-${n}`,
      toolId: (n, i) => `call_fake_${n}_${i}`,
      model: 'gpt-4o-mini',
      reasoningUsage: reasoningUsage(2, 5),
    },
    sdk: openAIChatReader,
    route: () => ({}),
    requestLoss: (ir) => effortOnly(withoutCache(withoutThinking(ir))),
    clientLoss: (res) => stopWithout(flattened(res, false), ['stop_sequence', 'error']),
    usageWire: chatUsageFromIR,
    contextLength: {
      status: 400,
      body: {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130011 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
    },
    refusals: [
      { what: 'top_k', mutate: (ir) => Object.assign(ir, { topK: 40 }), param: 'top_k' },
      {
        what: 'an image inside a tool result',
        mutate: (ir) => {
          const tool = ir.messages[2];
          if (tool?.role === 'tool' && tool.content[0]) {
            tool.content[0].content.push({
              type: 'image',
              source: { kind: 'url', url: 'https://example.test/a.png' },
            });
          }
        },
        param: 'messages[2].content[0].content[1]',
      },
      { what: 'n > 1', body: { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, param: 'n' },
      { what: 'logprobs', body: { model: 'm', messages: [], logprobs: true }, param: 'logprobs' },
      {
        what: 'legacy functions',
        body: { model: 'm', messages: [], functions: [{ name: 'f' }] },
        param: 'functions',
      },
      {
        what: 'custom tools',
        body: { model: 'm', messages: [], tools: [{ type: 'custom', custom: { name: 'apply_patch' } }] },
        param: 'tools[0].type',
      },
      {
        what: 'audio input',
        body: {
          model: 'm',
          messages: [
            { role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] },
          ],
        },
        param: 'messages[0].content[0].type',
      },
    ],
    skip: {
      'tool-result-images': 'chat tool messages carry text only; such a request is refused (see refusals)',
      signatures:
        'chat completions has no field for reasoning signatures or redacted reasoning; the text goes out as reasoning_content',
      'stop-sequence': 'finish_reason "stop" does not say which stop sequence matched',
    },
  };
}

export const openAIChatCase = chatCase('openai-chat', 'openai-chat', openAIChatAdapter, {
  cfg: { baseUrl: null, apiKey: 'sk-test' },
  req: { model: 'gpt-4o', stream: true },
  url: 'https://api.openai.com/v1/chat/completions',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
});

export const azureOpenAICase = chatCase('azure-openai', 'azure-openai', azureOpenAIAdapter, {
  cfg: { baseUrl: 'https://res.openai.azure.com/', apiKey: 'az-test', deployment: 'prod-4o' },
  req: { model: 'gpt-4o', stream: false },
  url: 'https://res.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21',
  headers: { 'content-type': 'application/json', 'api-key': 'az-test' },
});
