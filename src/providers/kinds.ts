// The provider kinds the gateway has adapters for; src/providers/registry.ts holds one entry per
// kind. The storage schema, the policy file and the admin API take the list from here, so the
// adapters never depend on storage.
export const PROVIDER_KINDS = [
  'openai',
  'anthropic',
  'gemini',
  'azure-openai',
  'openai-compatible',
  'mock',
] as const;

export type ProviderKind = (typeof PROVIDER_KINDS)[number];
