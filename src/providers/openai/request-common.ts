// What OpenAI's two request dialects (chat completions and Responses) read the same way.
import type { IRMessage, IRRequest, IRToolResultPart } from '../../bridge/ir';
import { type JsonRecord, optString, optStringMap } from '../../bridge/read';

/** End-user id (`safety_identifier` when `user` is absent) and string metadata. */
export function readUserAndMetadata(body: JsonRecord, ir: IRRequest): void {
  const user = optString(body, 'user') ?? optString(body, 'safety_identifier');
  if (user !== undefined) ir.user = user;
  const metadata = optStringMap(body, 'metadata');
  if (metadata) ir.metadata = metadata;
}

/** Consecutive tool results answer one assistant turn; the IR keeps them as one tool message. */
export function appendToolResult(out: IRMessage[], result: IRToolResultPart): void {
  const last = out[out.length - 1];
  if (last?.role === 'tool') last.content.push(result);
  else out.push({ role: 'tool', content: [result] });
}
