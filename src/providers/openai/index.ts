// The `openai` provider: api.openai.com (or a base URL override that includes `/v1`), Bearer auth.
// Its wires (chat completions and Responses) are in adapter.ts and ../openai-responses/.
export const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';
