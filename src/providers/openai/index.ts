// The `openai` provider: api.openai.com (or a base URL override that includes `/v1`), Bearer auth,
// and its chat-completions protocol as a bridge adapter: client side (`POST /v1/chat/completions`)
// and upstream side (OpenAI and any OpenAI-compatible server). Azure OpenAI reuses everything but
// the target (../azure-openai). The Responses wire is in ../openai-responses/.
import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { openAIErrorToGateway } from './errors';
import { chatRequestToIR } from './request';
import { type ChatEncodeOptions, chatRequestFromIR } from './request-encode';
import { chatResponseFromIR, chatResponseToIR } from './response';
import { chatStreamDecoder, chatStreamEncoder } from './stream';

export const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';

export function bearerTarget(base: string | null, fallback: string | null, path: string, apiKey: string) {
  const root = (base ?? fallback)?.replace(/\/+$/, '');
  if (!root) throw new Error('this upstream key has no base URL');
  return {
    url: `${root}${path}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
  } satisfies UpstreamTarget;
}

export function openAIChatBridge(
  opts: ChatEncodeOptions & { protocol?: string; defaultBase?: string | null } = {
    maxTokensField: 'max_completion_tokens',
  },
): BridgeAdapter {
  const defaultBase = opts.defaultBase === undefined ? OPENAI_DEFAULT_BASE : opts.defaultBase;
  return {
    protocol: opts.protocol ?? 'openai-chat',
    decodeRequest: (body) => chatRequestToIR(body),
    encodeResponse: chatResponseFromIR,
    streamEncoder: chatStreamEncoder,
    encodeRequest: (req) => chatRequestFromIR(req, opts),
    target: (cfg: UpstreamConfig) => bearerTarget(cfg.baseUrl, defaultBase, '/chat/completions', cfg.apiKey),
    decodeResponse: chatResponseToIR,
    streamDecoder: chatStreamDecoder,
    decodeError: openAIErrorToGateway,
  };
}

/** OpenAI itself. */
export const openAIChatAdapter = openAIChatBridge();

/** Compatible servers (vLLM, Ollama, DeepSeek…): no default base, and the older `max_tokens`. */
export const openAICompatibleChatAdapter = openAIChatBridge({
  maxTokensField: 'max_tokens',
  protocol: 'openai-compatible-chat',
  defaultBase: null,
});
