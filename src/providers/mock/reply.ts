// The built-in `mock` provider's deterministic behaviour, for demos and tests with no provider key:
// it answers "Mock reply from <model>: <last user text>", and counts tokens as whitespace-separated
// words of every message's text, so expected usage is easy to compute by hand.

interface MessageLike {
  role?: unknown;
  content?: unknown;
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '',
      )
      .join(' ');
  }
  return '';
}

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

export function mockReply(
  model: string,
  messages: MessageLike[],
): { text: string; promptTokens: number; completionTokens: number } {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const text = `Mock reply from ${model}: ${textOf(lastUser?.content).slice(0, 2000) || '(empty)'}`;
  const promptTokens = messages.reduce((sum, m) => sum + countWords(textOf(m.content)), 0);
  return { text, promptTokens, completionTokens: countWords(text) };
}
