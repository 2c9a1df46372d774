// Provider kind → adapter. Kinds not yet bridged are refused at routing time with a clear error.
import type { ProviderKind } from '../db/schema';
import { mockAdapter } from './mock';
import { openAIAdapter } from './openai';
import { openAICompatibleAdapter } from './openai-compatible';
import type { ProviderAdapter } from './types';

const adapters: Partial<Record<ProviderKind, ProviderAdapter>> = {
  mock: mockAdapter,
  openai: openAIAdapter,
  'openai-compatible': openAICompatibleAdapter,
};

export function adapterFor(kind: ProviderKind): ProviderAdapter | undefined {
  return adapters[kind];
}
