// The dispatch rule (protocol bridge), as a table: same protocol passes through, any other is translated to
// the
// provider's own wire. docs/providers.md's provider table says the same.
import { describe, expect, it } from 'vitest';
import type { ProviderKind } from './kinds';
import { planFor } from './registry';
import type { WireProtocol } from './types';

const CLIENTS: WireProtocol[] = ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini-generate'];

const EXPECTED: Record<ProviderKind, Record<WireProtocol, string>> = {
  openai: {
    'openai-chat': 'passthrough openai-chat',
    'openai-responses': 'passthrough openai-responses',
    'anthropic-messages': 'translate openai-chat',
    'gemini-generate': 'translate openai-chat',
  },
  'openai-compatible': {
    'openai-chat': 'passthrough openai-chat',
    'openai-responses': 'translate openai-chat',
    'anthropic-messages': 'translate openai-chat',
    'gemini-generate': 'translate openai-chat',
  },
  'azure-openai': {
    'openai-chat': 'passthrough openai-chat',
    'openai-responses': 'translate openai-chat',
    'anthropic-messages': 'translate openai-chat',
    'gemini-generate': 'translate openai-chat',
  },
  mock: {
    'openai-chat': 'passthrough openai-chat',
    'openai-responses': 'translate openai-chat',
    'anthropic-messages': 'translate openai-chat',
    'gemini-generate': 'translate openai-chat',
  },
  anthropic: {
    'openai-chat': 'translate anthropic-messages',
    'openai-responses': 'translate anthropic-messages',
    'anthropic-messages': 'passthrough anthropic-messages',
    'gemini-generate': 'translate anthropic-messages',
  },
  gemini: {
    'openai-chat': 'translate gemini-generate',
    'openai-responses': 'translate gemini-generate',
    'anthropic-messages': 'translate gemini-generate',
    'gemini-generate': 'passthrough gemini-generate',
  },
};

describe('planFor', () => {
  it.each(Object.keys(EXPECTED) as ProviderKind[])('%s', (kind) => {
    const plans = Object.fromEntries(
      CLIENTS.map((client) => {
        const plan = planFor(kind, client);
        return [client, `${plan.mode} ${plan.wire.protocol}`];
      }),
    );
    expect(plans).toEqual(EXPECTED[kind]);
  });
});
