// What the fake provider's recorded answers decode to, from its documented rules
// (test/fake-provider/server.ts): prompt words W, reply words C, and the scripted extra usage of the
// `reasoning` scenario (cached 3, cache-write 2, reasoning 5 tokens).

import type { IRAssistantPart, IRRequest, IRResponse } from '../../src/bridge/ir';
import type { TokenUsage } from '../../src/usage/types';

export type Scenario = 'text' | 'tools' | 'reasoning';
export const SCENARIOS: Scenario[] = ['text', 'tools', 'reasoning'];

/** The fake numbers answers 1, 2, … per folder: json then sse for each scenario in order. */
export function fakeNumber(scenario: Scenario, stream: boolean): number {
  return SCENARIOS.indexOf(scenario) * 2 + (stream ? 2 : 1);
}

export const TEXT = 'Echo: Hello there friend';
export const WEATHER_ARGS = { city: 'sample', unit: 'celsius' };
export const TIME_ARGS = { tz: 'sample' };

const usage = (u: Partial<TokenUsage>): TokenUsage => ({
  promptTokens: 0,
  completionTokens: 0,
  cachedReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  ...u,
});

export interface ProtocolFacts {
  id(n: number): string;
  toolId(n: number, i: number): string;
  model: string;
  /** The reasoning scenario's usage as this protocol reports it. */
  reasoningUsage: TokenUsage;
  /** The thinking part this protocol returns in the reasoning scenario, if any. */
  thinking?(n: number): IRAssistantPart;
}

export function expectedAnswer(p: ProtocolFacts, scenario: Scenario, n: number): IRResponse {
  const base = { id: p.id(n), model: p.model };
  if (scenario === 'text') {
    return {
      ...base,
      content: [{ type: 'text', text: TEXT }],
      stopReason: 'end_turn',
      usage: usage({ promptTokens: 5, completionTokens: 4 }),
    };
  }
  if (scenario === 'tools') {
    return {
      ...base,
      content: [
        {
          type: 'tool_call',
          id: p.toolId(n, 0),
          name: 'get_weather',
          arguments: JSON.stringify(WEATHER_ARGS),
        },
        { type: 'tool_call', id: p.toolId(n, 1), name: 'get_time', arguments: JSON.stringify(TIME_ARGS) },
      ],
      stopReason: 'tool_use',
      usage: usage({ promptTokens: 8, completionTokens: 2 }),
    };
  }
  const thinking = p.thinking?.(n);
  return {
    ...base,
    content: [...(thinking ? [thinking] : []), { type: 'text', text: TEXT }],
    stopReason: 'end_turn',
    usage: p.reasoningUsage,
  };
}

export const reasoningUsage = (cacheWrite: number, reasoning: number): TokenUsage =>
  usage({
    promptTokens: 10,
    completionTokens: 9,
    cachedReadTokens: 3,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
  });

/** A request using most of the IR, which every adapter must carry (minus its documented losses). */
export function richRequest(): IRRequest {
  return {
    model: 'model-x',
    system: [{ type: 'text', text: 'You are terse.' }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and the weather?' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'The user wants weather.', signature: 'c2lnLTE=' },
          { type: 'text', text: 'A cat. Checking the weather.' },
          {
            type: 'tool_call',
            id: 'call_1',
            name: 'get_weather',
            arguments: '{"city":"Paris","unit":"celsius"}',
          },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId: 'call_1',
            content: [{ type: 'text', text: '21 degrees' }],
            isError: false,
          },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks!' }] },
    ],
    tools: [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
    toolChoice: 'auto',
    parallelToolCalls: false,
    maxOutputTokens: 5000,
    temperature: 0.5,
    topP: 0.9,
    stop: ['END'],
    responseFormat: {
      type: 'json_schema',
      name: 'answer',
      schema: { type: 'object', properties: {} },
      strict: true,
    },
    reasoning: { budgetTokens: 2048 },
    stream: true,
    streamUsage: true,
    user: 'user-1',
  };
}
