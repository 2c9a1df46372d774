// Which error shape a path's callers expect (client protocols; security and failure behaviour). Pure.
import type { ClientProtocol } from './render';

export function protocolForPath(path: string, anthropicVersion?: string | null): ClientProtocol {
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/v1beta/')) return 'gemini';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  // The model listing is one path for OpenAI and Anthropic SDKs; Anthropic's send their API version.
  if (anthropicVersion && (path === '/v1/models' || path.startsWith('/v1/models/'))) return 'anthropic';
  return 'openai';
}
