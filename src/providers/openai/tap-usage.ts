// Usage from OpenAI chat-completions responses and chunks, normalized (see usage/types.ts).
import type { TokenUsage } from '../../usage/types';
import { chatUsageToIR } from './response';

interface OpenAIUsage {
  prompt_tokens?: number;
}

/** Usage of a chat completion or chunk (chatUsageToIR), or null when there is no usage object. */
export function normalizeOpenAIUsage(u: unknown): TokenUsage | null {
  if (!u || typeof u !== 'object') return null;
  return chatUsageToIR(u);
}

/**
 * Usage of a whole chat-completion body. The usage object comes last, so it is cut out and parsed
 * alone; the full parse is the fallback for any body where that does not work.
 */
export function usageFromCompletionBody(text: string): TokenUsage | null {
  const at = text.lastIndexOf('"usage":');
  if (at >= 0) {
    const open = text.indexOf('{', at);
    let depth = 0;
    for (let i = open; open >= 0 && i < text.length; i++) {
      const ch = text[i];
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        try {
          const u = JSON.parse(text.slice(open, i + 1)) as OpenAIUsage;
          if (typeof u.prompt_tokens === 'number') return normalizeOpenAIUsage(u);
        } catch {
          // Fall through to the full parse.
        }
        break;
      }
    }
  }
  try {
    const parsed = JSON.parse(text) as { usage?: OpenAIUsage };
    return normalizeOpenAIUsage(parsed.usage);
  } catch {
    return null;
  }
}
