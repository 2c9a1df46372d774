// `openai-compatible`: DeepSeek, Mistral, xAI, Groq, Together, OpenRouter, vLLM, Ollama… anything
// that speaks OpenAI's API at a base URL (required in the policy file, e.g. http://127.0.0.1:11434/v1).
import { openAIStyleAdapter } from '../openai';

export const openAICompatibleAdapter = openAIStyleAdapter('openai-compatible', null);
