// The contract every provider adapter fulfils. The core calls adapters only through this type, so
// no provider name appears in the proxy code.
import type { ProviderKind } from '../db/schema';
import type { ChatCompletionRequest } from './openai/request';

export interface UpstreamOptions {
  deployment?: string;
  api_version?: string;
}

/** One upstream key as the proxy sees it; the secret is decrypted only when an adapter calls it. */
export interface UpstreamCredential {
  id: string;
  provider: ProviderKind;
  baseUrl: string | null;
  options: UpstreamOptions;
  secret(): Promise<string>;
}

export interface ChatCall {
  /** OpenAI chat-completions body with the upstream model name already set. */
  body: ChatCompletionRequest;
  signal: AbortSignal;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  /** Sends a chat request and returns the upstream's answer in OpenAI chat-completions wire format. */
  chatCompletions(cred: UpstreamCredential, call: ChatCall): Promise<Response>;
}
