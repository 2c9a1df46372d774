// Ready-to-run calls for a new key, one per client protocol the gateway speaks.
export interface Snippet {
  id: string;
  label: string;
  code: string;
}

export function snippets(origin: string, key: string, model: string): Snippet[] {
  return [
    {
      id: 'openai-curl',
      label: 'OpenAI · curl',
      code: `curl ${origin}/v1/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "content-type: application/json" \\
  -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`,
    },
    {
      id: 'openai-sdk',
      label: 'OpenAI · Node SDK',
      code: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${origin}/v1', apiKey: '${key}' });
const reply = await client.chat.completions.create({
  model: '${model}',
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(reply.choices[0].message.content);`,
    },
    {
      id: 'openai-python',
      label: 'OpenAI · Python SDK',
      code: `from openai import OpenAI

client = OpenAI(base_url="${origin}/v1", api_key="${key}")
reply = client.chat.completions.create(
    model="${model}", messages=[{"role": "user", "content": "Hello"}]
)
print(reply.choices[0].message.content)`,
    },
    {
      id: 'anthropic-curl',
      label: 'Anthropic · curl',
      code: `curl ${origin}/v1/messages \\
  -H "x-api-key: ${key}" \\
  -H "anthropic-version: 2023-06-01" \\
  -H "content-type: application/json" \\
  -d '{"model":"${model}","max_tokens":256,"messages":[{"role":"user","content":"Hello"}]}'`,
    },
    {
      id: 'anthropic-sdk',
      label: 'Anthropic · Node SDK',
      code: `import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: '${origin}', apiKey: '${key}' });
const reply = await client.messages.create({
  model: '${model}',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello' }],
});`,
    },
    {
      id: 'gemini-curl',
      label: 'Gemini · curl',
      code: `curl "${origin}/v1beta/models/${model}:generateContent" \\
  -H "x-goog-api-key: ${key}" \\
  -H "content-type: application/json" \\
  -d '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}'`,
    },
    {
      id: 'gemini-sdk',
      label: 'Gemini · @google/genai',
      code: `import { GoogleGenAI } from '@google/genai';

const ai = new GoogleGenAI({ apiKey: '${key}', httpOptions: { baseUrl: '${origin}' } });
const reply = await ai.models.generateContent({ model: '${model}', contents: 'Hello' });
console.log(reply.text);`,
    },
  ];
}
