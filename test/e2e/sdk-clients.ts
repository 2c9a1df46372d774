// The official SDKs as users run them, each reduced to one call shape for the SDK matrix: send a
// prompt to a model (streamed or not, with or without one tool) and return the text and tool calls
// the SDK assembled. Every client points at the gateway with only its base URL and key changed.
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { generateText, jsonSchema, type LanguageModel, streamText, tool } from 'ai';
import OpenAI from 'openai';

export interface Outcome {
  text: string;
  toolCalls: { name: string; args: unknown }[];
}

export interface RunOptions {
  stream: boolean;
  tools: boolean;
}

export interface SdkClient {
  name: string;
  run(model: string, prompt: string, opts: RunOptions): Promise<Outcome>;
}

export const WEATHER = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
    required: ['city'],
  },
};

const args = (json: string): unknown => (json === '' ? {} : JSON.parse(json));

function openAIChat(gw: string, key: string): SdkClient {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw}/v1`, maxRetries: 0 });
  return {
    name: 'openai chat',
    async run(model, prompt, { stream, tools }) {
      const body = {
        model,
        messages: [{ role: 'user' as const, content: prompt }],
        ...(tools ? { tools: [{ type: 'function' as const, function: { ...WEATHER } }] } : {}),
      };
      const done = stream
        ? await client.chat.completions.stream(body).finalChatCompletion()
        : await client.chat.completions.create(body);
      const message = done.choices[0]?.message;
      return {
        text: message?.content ?? '',
        toolCalls: (message?.tool_calls ?? []).flatMap((c) =>
          c.type === 'function' ? [{ name: c.function.name, args: args(c.function.arguments) }] : [],
        ),
      };
    },
  };
}

function openAIResponses(gw: string, key: string): SdkClient {
  const client = new OpenAI({ apiKey: key, baseURL: `${gw}/v1`, maxRetries: 0 });
  return {
    name: 'openai responses',
    async run(model, prompt, { stream, tools }) {
      const body = {
        model,
        input: prompt,
        ...(tools ? { tools: [{ type: 'function' as const, ...WEATHER, strict: false }] } : {}),
      };
      const done = stream
        ? await client.responses.stream(body).finalResponse()
        : await client.responses.create(body);
      return {
        text: done.output_text,
        toolCalls: done.output.flatMap((o) =>
          o.type === 'function_call' ? [{ name: o.name, args: args(o.arguments) }] : [],
        ),
      };
    },
  };
}

function anthropic(gw: string, key: string): SdkClient {
  const client = new Anthropic({ apiKey: key, baseURL: gw, maxRetries: 0 });
  return {
    name: 'anthropic',
    async run(model, prompt, { stream, tools }) {
      const body = {
        model,
        max_tokens: 256,
        messages: [{ role: 'user' as const, content: prompt }],
        ...(tools
          ? {
              tools: [
                { name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.parameters },
              ],
            }
          : {}),
      };
      const done = stream
        ? await client.messages.stream(body).finalMessage()
        : await client.messages.create(body);
      return {
        text: done.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(''),
        toolCalls: done.content.flatMap((b) =>
          b.type === 'tool_use' ? [{ name: b.name, args: b.input }] : [],
        ),
      };
    },
  };
}

function genai(gw: string, key: string): SdkClient {
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw } });
  return {
    name: 'google genai',
    async run(model, prompt, { stream, tools }) {
      const params = {
        model,
        contents: prompt,
        config: tools
          ? {
              tools: [
                {
                  functionDeclarations: [
                    {
                      name: WEATHER.name,
                      description: WEATHER.description,
                      parametersJsonSchema: WEATHER.parameters,
                    },
                  ],
                },
              ],
            }
          : {},
      };
      const out: Outcome = { text: '', toolCalls: [] };
      const chunks = stream
        ? await ai.models.generateContentStream(params)
        : [await ai.models.generateContent(params)];
      for await (const chunk of chunks) {
        out.text += chunk.text ?? '';
        for (const call of chunk.functionCalls ?? [])
          out.toolCalls.push({ name: call.name ?? '', args: call.args });
      }
      return out;
    },
  };
}

function vercel(name: string, model: (id: string) => LanguageModel): SdkClient {
  const tools = {
    [WEATHER.name]: tool({ description: WEATHER.description, inputSchema: jsonSchema(WEATHER.parameters) }),
  };
  return {
    name,
    async run(id, prompt, { stream, tools: withTools }) {
      const call = { model: model(id), prompt, maxRetries: 0, ...(withTools ? { tools } : {}) };
      if (!stream) {
        const r = await generateText(call);
        return { text: r.text, toolCalls: r.toolCalls.map((c) => ({ name: c.toolName, args: c.input })) };
      }
      let failure: unknown;
      const r = streamText({
        ...call,
        onError: ({ error }) => {
          failure = error;
        },
      });
      const [text, toolCalls] = await Promise.all([r.text, r.toolCalls]);
      if (failure) throw failure;
      return { text, toolCalls: toolCalls.map((c) => ({ name: c.toolName, args: c.input })) };
    },
  };
}

export function sdkClients(gw: string, key: string): SdkClient[] {
  const openai = createOpenAI({ baseURL: `${gw}/v1`, apiKey: key });
  const claude = createAnthropic({ baseURL: `${gw}/v1`, apiKey: key });
  const google = createGoogleGenerativeAI({ baseURL: `${gw}/v1beta`, apiKey: key });
  return [
    openAIChat(gw, key),
    openAIResponses(gw, key),
    anthropic(gw, key),
    genai(gw, key),
    // The AI SDK's default OpenAI model speaks the Responses API; .chat() speaks chat completions.
    vercel('ai-sdk openai (responses)', (id) => openai(id)),
    vercel('ai-sdk openai (chat)', (id) => openai.chat(id)),
    vercel('ai-sdk anthropic', (id) => claude(id)),
    vercel('ai-sdk google', (id) => google(id)),
  ];
}
