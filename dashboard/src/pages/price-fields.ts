// The price amounts the console shows, in the API's names (token classes per million tokens first).
export const amountFields = ['input', 'output', 'cached_read', 'cache_write', 'reasoning'] as const;
export const unitFields = ['per_image', 'per_audio_second', 'per_million_chars', 'per_web_search'] as const;
