// `azure-openai`: OpenAI chat completions on an Azure OpenAI resource. The wire format is OpenAI's
// (../openai/chat-*.ts); only the target differs: the deployment is in the path, the API version in
// the query, and the key in an `api-key` header.
//
// Documented defaults: the deployment defaults to the model name when the key sets none;
// `api-version` defaults to AZURE_DEFAULT_API_VERSION (the GA version that has
// stream_options.include_usage and max_completion_tokens).
import type { BridgeAdapter, UpstreamConfig, UpstreamTarget } from '../../bridge/adapter';
import { openAIChatBridge } from '../openai';

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export function azureTarget(cfg: UpstreamConfig, req: { model: string }): UpstreamTarget {
  const base = cfg.baseUrl?.replace(/\/+$/, '');
  if (!base) throw new Error('an azure-openai key needs base_url (https://<resource>.openai.azure.com)');
  const deployment = encodeURIComponent(cfg.deployment ?? req.model);
  const version = encodeURIComponent(cfg.apiVersion ?? AZURE_DEFAULT_API_VERSION);
  return {
    url: `${base}/openai/deployments/${deployment}/chat/completions?api-version=${version}`,
    headers: { 'content-type': 'application/json', 'api-key': cfg.apiKey },
  };
}

export const azureOpenAIAdapter: BridgeAdapter = {
  ...openAIChatBridge({
    maxTokensField: 'max_completion_tokens',
    protocol: 'azure-openai-chat',
    defaultBase: null,
  }),
  target: azureTarget,
};
