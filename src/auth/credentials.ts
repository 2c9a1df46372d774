// Where each SDK puts its key (client protocols): OpenAI `Authorization: Bearer`, Anthropic `x-api-key`,
// Gemini
// `x-goog-api-key` or `?key=`. Pure; the URL is parsed only when no header carries a key.
export function credentialFrom(headers: Headers, url: () => URL): string | null {
  const auth = headers.get('authorization');
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match?.[1]) return match[1].trim();
  }
  return (
    headers.get('x-api-key')?.trim() ||
    headers.get('x-goog-api-key')?.trim() ||
    url().searchParams.get('key') ||
    null
  );
}
