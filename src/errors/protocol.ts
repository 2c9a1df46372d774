// Which error shape a path's callers expect (C1, C13). Pure.
import type { ClientProtocol } from './render';

export function protocolForPath(path: string): ClientProtocol {
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/v1beta/')) return 'gemini';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  return 'openai';
}
