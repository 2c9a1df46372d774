import { describe, expect, it } from 'vitest';
import type { IRResponse } from '../../bridge/ir';
import { collectStream, responseToEvents } from '../../bridge/stream';
import { zeroUsage } from '../../usage/types';
import { geminiErrorToGateway } from './errors';
import { geminiRequestToIR } from './request';
import { geminiRequestFromIR } from './request-encode';
import { geminiResponseFromIR, geminiResponseToIR, geminiUsageToIR } from './response';
import { geminiStreamDecoder, geminiStreamEncoder } from './stream';

// Gemini 3 returns the signature on the function call part; it must be sent back on that part.
const signedCall = {
  candidates: [
    {
      content: {
        role: 'model',
        parts: [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } }, thoughtSignature: 'U0lH' }],
      },
      finishReason: 'STOP',
    },
  ],
  usageMetadata: {
    promptTokenCount: 12,
    candidatesTokenCount: 3,
    thoughtsTokenCount: 40,
    cachedContentTokenCount: 4,
  },
  modelVersion: 'gemini-3-pro',
  responseId: 'r9',
};

describe('Gemini signatures and tool calls', () => {
  it('keeps a call signature in front of the call and puts it back on the call', () => {
    const res = geminiResponseToIR(signedCall);
    expect(res.content).toEqual([
      { type: 'thinking', text: '', signature: 'U0lH' },
      { type: 'tool_call', id: 'call_r9_0', name: 'get_time', arguments: '{"tz":"UTC"}' },
    ]);
    expect(res.stopReason).toBe('tool_use');
    // Client side: the same part comes out.
    const out = geminiResponseFromIR(res, { now: () => 0 });
    expect(out['candidates']).toEqual([
      {
        content: {
          role: 'model',
          parts: [
            {
              functionCall: { id: 'call_r9_0', name: 'get_time', args: { tz: 'UTC' } },
              thoughtSignature: 'U0lH',
            },
          ],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ]);
    // Next turn: the history goes upstream with the signature still on the call, and the function
    // response (sent without an id) answers that call.
    const next = geminiRequestToIR(
      {
        contents: [
          { role: 'user', parts: [{ text: 'time?' }] },
          {
            role: 'model',
            parts: [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } }, thought_signature: 'U0lH' }],
          },
          {
            role: 'user',
            parts: [{ function_response: { name: 'get_time', response: { output: '12:00' } } }],
          },
        ],
      },
      { model: 'gemini-3-pro', stream: false },
    );
    expect(next.messages[2]).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool_result',
          toolCallId: 'call_1_0',
          content: [{ type: 'text', text: '12:00' }],
          isError: false,
        },
      ],
    });
    expect(geminiRequestFromIR(next)['contents']).toEqual([
      { role: 'user', parts: [{ text: 'time?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { id: 'call_1_0', name: 'get_time', args: { tz: 'UTC' } },
            thoughtSignature: 'U0lH',
          },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { id: 'call_1_0', name: 'get_time', response: { output: '12:00' } } }],
      },
    ]);
  });

  it('streams the same way: decoder and encoder agree with the whole response', () => {
    const sse = `data: ${JSON.stringify(signedCall)}\r\n\r\n`;
    const d = geminiStreamDecoder();
    const events = [...d.feed(sse), ...d.end()];
    expect(collectStream(events).response()).toEqual(geminiResponseToIR(signedCall));
    const enc = geminiStreamEncoder({ now: () => 0, streamUsage: true });
    const out = events.map((e) => enc.push(e)).join('');
    const again = geminiStreamDecoder();
    expect(collectStream([...again.feed(out), ...again.end()]).response()).toEqual(
      geminiResponseToIR(signedCall),
    );
  });
});

describe('Gemini with several signed reasoning parts (another provider upstream)', () => {
  const res: IRResponse = {
    id: 'r',
    model: 'm',
    content: [
      { type: 'thinking', text: 'first', signature: 'czE=' },
      { type: 'thinking', text: 'second', signature: 'czI=' },
      { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' },
      { type: 'thinking', text: '', signature: 'czM=' },
    ],
    stopReason: 'tool_use',
    usage: zeroUsage(),
  };

  it('keeps each signature with its own reasoning, whole, streamed and replayed', () => {
    const body = geminiResponseFromIR(res, { now: () => 0 });
    expect(geminiResponseToIR(body)).toEqual({ ...res, id: 'r', model: 'm' });
    const enc = geminiStreamEncoder({ now: () => 0, streamUsage: true });
    const sse = responseToEvents(res)
      .map((e) => enc.push(e))
      .join('');
    const d = geminiStreamDecoder();
    expect(collectStream([...d.feed(sse), ...d.end()]).response()).toEqual(res);
    // The client replays the parts it got; the IR comes back unchanged.
    const parts = (body['candidates'] as { content: { parts: unknown[] } }[])[0]?.content.parts;
    const replay = geminiRequestToIR({ contents: [{ role: 'model', parts }] }, { model: 'm' });
    expect(replay.messages).toEqual([{ role: 'assistant', content: res.content }]);
  });
});

describe('Gemini requests', () => {
  it('reads snake_case, OpenAPI schemas and thinking budgets', () => {
    const ir = geminiRequestToIR(
      {
        system_instruction: { parts: [{ text: 'S' }] },
        contents: [{ parts: [{ text: 'hi' }] }],
        tools: [
          {
            function_declarations: [
              {
                name: 'f',
                parameters: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true } } },
              },
            ],
          },
        ],
        tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['f'] } },
        generation_config: {
          max_output_tokens: 9,
          thinking_config: { thinking_budget: -1 },
          response_mime_type: 'application/json',
        },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      },
      { model: 'g', stream: true },
    );
    expect(ir.tools).toEqual([
      { name: 'f', parameters: { type: 'object', properties: { a: { type: ['string', 'null'] } } } },
    ]);
    expect([
      ir.system,
      ir.toolChoice,
      ir.maxOutputTokens,
      ir.reasoning,
      ir.responseFormat,
      ir.stream,
    ]).toEqual([
      [{ type: 'text', text: 'S' }],
      { name: 'f' },
      9,
      { adaptive: true },
      { type: 'json_object' },
      true,
    ]);
  });

  it('turns effort into a budget, or a level for level-only requests, and "none" into 0', () => {
    const ir = geminiRequestToIR({ contents: [] }, { model: 'g' });
    expect(geminiRequestFromIR({ ...ir, reasoning: { budgetTokens: 500 } })['generationConfig']).toEqual({
      thinkingConfig: { thinkingBudget: 500, includeThoughts: true },
    });
    expect(geminiRequestFromIR({ ...ir, reasoning: { effort: 'high' } })['generationConfig']).toEqual({
      thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true },
    });
    expect(geminiRequestFromIR({ ...ir, reasoning: { effort: 'none' } })['generationConfig']).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
  });
});

describe('Gemini usage and errors', () => {
  it('adds thoughts to candidates (which exclude them)', () => {
    expect(geminiUsageToIR(signedCall.usageMetadata)).toEqual({
      promptTokens: 12,
      completionTokens: 43,
      cachedReadTokens: 4,
      cacheWriteTokens: 0,
      reasoningTokens: 40,
    });
  });

  it('treats a bad key on a 400 as an auth failure and reads RetryInfo', () => {
    const badKey = geminiErrorToGateway({
      status: 400,
      body: JSON.stringify({
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
        },
      }),
    });
    expect([badKey.code, badKey.status, badKey.message]).toEqual([
      'upstream_auth_failed',
      502,
      "The provider refused the gateway's credentials; an operator has been alerted.",
    ]);
    const limited = geminiErrorToGateway({
      status: 429,
      body: JSON.stringify({
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '23s' }],
        },
      }),
    });
    expect(limited.headers()).toEqual({ 'retry-after': '23' });
    const region = geminiErrorToGateway({
      status: 400,
      body: '{"error":{"code":400,"message":"User location is not supported","status":"FAILED_PRECONDITION"}}',
    });
    expect(region.code).toBe('upstream_billing');
  });
});
