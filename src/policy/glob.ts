// Model-name globs. Model names contain `/` (OpenRouter's `openai/gpt-4o`), so path-glob libraries,
// where `*` stops at `/`, would surprise users: here `*` matches any run of characters.
const compiled = new Map<string, RegExp>();

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function globToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return isGlob(pattern) ? globToRegExp(pattern).test(value) : pattern === value;
}

/** First entry whose key matches `value`; exact keys win over globs, globs keep declared order. */
export function lookupGlob<V>(table: Record<string, V> | undefined, value: string): V | undefined {
  if (!table) return undefined;
  if (Object.hasOwn(table, value)) return table[value];
  for (const [pattern, v] of Object.entries(table)) {
    if (isGlob(pattern) && globToRegExp(pattern).test(value)) return v;
  }
  return undefined;
}
