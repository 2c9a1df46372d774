// The texts of a request that a model reads, for token estimates when no provider counts them.
import type { IRRequest } from './ir';

/** System prompt, every message's text, tool calls and results, reasoning, and tool definitions. */
export function requestTexts(ir: IRRequest): string[] {
  const out = ir.system.map((p) => p.text);
  for (const m of ir.messages) {
    for (const part of m.content) {
      if (part.type === 'text' || part.type === 'thinking') out.push(part.text);
      else if (part.type === 'tool_call') out.push(part.name, part.arguments);
      else if (part.type === 'tool_result') {
        for (const c of part.content) if (c.type === 'text') out.push(c.text);
      }
    }
  }
  for (const t of ir.tools) out.push(t.name, t.description ?? '', JSON.stringify(t.parameters));
  return out.filter((t) => t !== '');
}
