// Conformance case: Gemini generateContent.

import type { IRRequest, IRResponse } from '../../src/bridge/ir';
import { geminiAdapter } from '../../src/providers/gemini';
import { geminiUsageFromIR } from '../../src/providers/gemini/response';
import { type AdapterCase, stopWithout, withoutCache } from './cases';
import { reasoningUsage } from './expected';
import { geminiReader } from './sdk';

function requestLoss(ir: IRRequest): IRRequest {
  const { parallelToolCalls: _p, user: _u, metadata: _m, ...rest } = withoutCache(ir);
  const out: IRRequest = { ...rest, streamUsage: true };
  if (ir.responseFormat?.type === 'json_schema') {
    out.responseFormat = { type: 'json_schema', name: 'response', schema: ir.responseFormat.schema };
  }
  out.messages = out.messages.map((m) =>
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

function clientLoss(res: IRResponse): IRResponse {
  const out = stopWithout(res, ['stop_sequence']);
  return {
    ...out,
    content: out.content.filter((p) => p.type !== 'thinking' || p.redactedData === undefined),
    usage: { ...out.usage, cacheWriteTokens: 0 },
  };
}

export const geminiCase: AdapterCase = {
  name: 'gemini',
  target: {
    cfg: { baseUrl: null, apiKey: 'gm-test' },
    req: { model: 'models/gemini-2.5-flash', stream: true },
    url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gm-test' },
  },
  fixtures: 'gemini',
  adapter: geminiAdapter,
  facts: {
    id: (n) => `fake-${n}`,
    toolId: (n, i) => `call_fake-${n}_${i}`,
    model: 'gemini-2.5-flash',
    reasoningUsage: reasoningUsage(0, 5),
  },
  sdk: geminiReader,
  route: (ir) => ({ model: ir.model, stream: ir.stream }),
  requestLoss,
  clientLoss,
  usageWire: geminiUsageFromIR,
  contextLength: {
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
        status: 'INVALID_ARGUMENT',
      },
    },
  },
  refusals: [
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
    {
      what: 'several candidates',
      body: { contents: [], generationConfig: { candidateCount: 2 } },
      param: 'generationConfig.candidateCount',
    },
    {
      what: 'cached content',
      body: { contents: [], cachedContent: 'cachedContents/abc' },
      param: 'cachedContent',
    },
    {
      what: 'audio input',
      body: {
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: 'UklG' } }] }],
      },
      param: 'contents[0].parts[0].inlineData',
    },
  ],
  skip: {
    'tool-result-images': 'function responses carry JSON; media inside them is refused (see refusals)',
    signatures: 'Gemini has no form for redacted reasoning (plain signatures do round-trip: gemini.test.ts)',
    'stop-sequence': 'finishReason STOP does not distinguish a matched stop sequence',
  },
};
