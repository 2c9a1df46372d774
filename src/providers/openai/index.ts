// The `openai` provider: api.openai.com (or a base URL override), Bearer auth, chat completions.
import type { ProviderAdapter, UpstreamCredential } from '../types';

export const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';

/** Adapter for any upstream that speaks OpenAI's API under `base` (which includes `/v1`). */
export function openAIStyleAdapter(
  kind: 'openai' | 'openai-compatible',
  defaultBase: string | null,
): ProviderAdapter {
  return {
    kind,
    async chatCompletions(cred: UpstreamCredential, call) {
      const base = (cred.baseUrl ?? defaultBase)?.replace(/\/+$/, '');
      if (!base) throw new Error(`upstream key ${cred.id} has no base_url`);
      return fetch(`${base}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await cred.secret()}` },
        body: JSON.stringify(call.body),
        signal: call.signal,
      });
    },
  };
}

export const openAIAdapter = openAIStyleAdapter('openai', OPENAI_DEFAULT_BASE);
