// Agent-shaped sessions through the real gateway (protocol bridge): a Claude-Code-shaped session (Anthropic
// SDK:
// system blocks with cache_control, many tools, streaming, extended thinking, tool_result turns)
// served by an openai-compatible model, and a Codex-shaped session (openai SDK Responses stream:
// instructions, function tools, reasoning with encrypted content, function_call_output turns)
// served by an Anthropic model. Plus the SDK calls around generation: embeddings, token counting
// and model listings.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, fakeLevel, newGatewayKey } from '../harness/seed';

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
  await applyPolicy(
    gw,
    {
      version: 1,
      accounts: [
        {
          id: 'org',
          name: 'Org',
          policy: {
            // What the agents ask for, mapped onto the models the organization runs.
            model_mapper: { 'claude-sonnet-4-5': 'compat-coder', 'gpt-5-codex': 'claude-coder' },
            level_mapper: { 'compat-*': 1, 'claude-*': 2, 'gemini-*': 3 },
          },
        },
      ],
      levels: [
        fakeLevel(fake, 1, 'openai-compatible', 'compat', 'openai-compatible'),
        fakeLevel(fake, 2, 'anthropic', 'ant', 'anthropic'),
        fakeLevel(fake, 3, 'gemini', 'gem', 'gemini'),
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'agents', key_env: 'KEY' }],
    },
    { UP: 'fake-ok', KEY: key },
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

const schema = (required: Record<string, unknown>) => ({
  type: 'object' as const,
  properties: required,
  required: Object.keys(required),
});

describe('a Claude-Code-shaped session against an openai-compatible model', () => {
  const client = () =>
    new Anthropic({
      apiKey: key,
      baseURL: gw.url,
      maxRetries: 0,
      defaultHeaders: {
        'anthropic-beta': 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
      },
    });
  const tools: Anthropic.Tool[] = [
    {
      name: 'Bash',
      description: 'Run a shell command',
      input_schema: schema({ command: { type: 'string' } }),
    },
    { name: 'Read', description: 'Read a file', input_schema: schema({ file_path: { type: 'string' } }) },
    {
      name: 'Edit',
      description: 'Replace text in a file',
      input_schema: schema({
        file_path: { type: 'string' },
        old_string: { type: 'string' },
        new_string: { type: 'string' },
      }),
    },
    { name: 'Glob', description: 'Find files', input_schema: schema({ pattern: { type: 'string' } }) },
    { name: 'Grep', description: 'Search files', input_schema: schema({ pattern: { type: 'string' } }) },
    {
      name: 'TodoWrite',
      description: 'Update the todo list',
      input_schema: schema({ todos: { type: 'array', items: { type: 'object' } } }),
    },
    {
      name: 'Task',
      description: 'Launch a sub-agent',
      input_schema: schema({ description: { type: 'string' }, prompt: { type: 'string' } }),
      cache_control: { type: 'ephemeral' },
    },
  ];
  const system: Anthropic.TextBlockParam[] = [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    {
      type: 'text',
      text: 'You are an interactive CLI tool that helps users with software engineering tasks.',
      cache_control: { type: 'ephemeral' },
    },
  ];
  const ask = 'list the files in src';
  const base = {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    system,
    tools,
    thinking: { type: 'enabled' as const, budget_tokens: 4000 },
    metadata: { user_id: 'user_0123_account__session_abc' },
  };

  it('streams a tool call, takes the tool_result turn, and finishes in text', async () => {
    const first = await client()
      .messages.stream({
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'text', text: ask, cache_control: { type: 'ephemeral' } }] },
        ],
      })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b) => b.type === 'tool_use');
    expect(call).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'sample' } });
    const upstream = fake.requests.at(-1);
    expect(upstream?.path).toBe('/v1/chat/completions');
    expect(upstream?.body).toMatchObject({ model: 'compat-coder', stream: true, reasoning_effort: 'medium' });

    const second = await client()
      .messages.stream({
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'text', text: ask }] },
          {
            role: 'assistant',
            content: [
              // Claude Code replays its signed thinking; a chat upstream has no field for it.
              { type: 'thinking', thinking: 'I should list the files.', signature: 'c2lnbmF0dXJl' },
              ...first.content.filter((b) => b.type === 'tool_use'),
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: call?.type === 'tool_use' ? call.id : '',
                content: 'app.ts\nindex.ts',
              },
            ],
          },
        ],
      })
      .finalMessage();
    expect(second.stop_reason).toBe('end_turn');
    expect(
      second.content.filter((b) => b.type === 'text').map((b) => (b.type === 'text' ? b.text : '')),
    ).toEqual([`Echo: ${ask}`]);
    expect(second.usage.input_tokens).toBeGreaterThan(0);
  });
});

describe('a Codex-shaped Responses session against an Anthropic model', () => {
  const client = () => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const shell = {
    type: 'function' as const,
    name: 'shell',
    description: 'Runs a shell command and returns its output.',
    parameters: {
      type: 'object',
      properties: { command: { type: 'array', items: { type: 'string' } }, workdir: { type: 'string' } },
      required: ['command'],
    },
    strict: false,
  };
  const ask = 'what is in this repository';
  const base = {
    model: 'gpt-5-codex',
    instructions: 'You are Codex, a coding agent running in a terminal.',
    tools: [shell],
    tool_choice: 'auto' as const,
    parallel_tool_calls: false,
    reasoning: { effort: 'medium' as const, summary: 'auto' as const },
    store: false,
    include: ['reasoning.encrypted_content' as const],
    prompt_cache_key: 'session-1234',
  };
  const user = {
    type: 'message' as const,
    role: 'user' as const,
    content: [{ type: 'input_text' as const, text: ask }],
  };

  it('streams reasoning and a function call, then answers the function_call_output turn', async () => {
    const first = await client()
      .responses.stream({ ...base, input: [user] })
      .finalResponse();
    const reasoning = first.output.find((o) => o.type === 'reasoning');
    const call = first.output.find((o) => o.type === 'function_call');
    expect(reasoning?.type === 'reasoning' && reasoning.encrypted_content).toBeTruthy();
    expect(call).toMatchObject({ type: 'function_call', name: 'shell', arguments: '{"command":[]}' });
    const upstream = fake.requests.at(-1);
    expect(upstream?.path).toBe('/v1/messages');
    expect(upstream?.body).toMatchObject({
      model: 'claude-coder',
      stream: true,
      thinking: { type: 'enabled' },
    });

    const second = await client()
      .responses.stream({
        ...base,
        input: [
          user,
          ...first.output.flatMap((o): OpenAI.Responses.ResponseInputItem[] =>
            o.type === 'reasoning' || o.type === 'function_call' ? [o] : [],
          ),
          {
            type: 'function_call_output',
            call_id: call?.type === 'function_call' ? call.call_id : '',
            output: 'README.md\nsrc',
          },
        ],
      })
      .finalResponse();
    expect(second.status).toBe('completed');
    expect(second.output_text).toBe(`Echo: ${ask}`);
    // The signed reasoning of the first turn went back to Anthropic as a thinking block.
    const replayed = fake.requests.at(-1)?.body as {
      messages: { role: string; content: { type: string }[] }[];
    };
    expect(replayed.messages[1]?.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(replayed.messages[2]?.content.map((b) => b.type)).toEqual(['tool_result']);
  });
});

describe('SDK calls around generation', () => {
  it('openai embeddings (base64 by default) from a compatible and a Gemini upstream', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    for (const model of ['compat-embed', 'gemini-embed']) {
      const res = await client.embeddings.create({ model, input: ['hello world', 'again'] });
      expect(res.data.map((d) => d.embedding.length)).toEqual([8, 8]);
      expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    }
  });

  it('Anthropic count_tokens from an Anthropic upstream and as an estimate', async () => {
    const client = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'count these words please' }];
    expect(await client.messages.countTokens({ model: 'claude-x', messages })).toEqual({ input_tokens: 4 });
    const estimate = await client.messages.countTokens({ model: 'compat-x', messages });
    expect(estimate.input_tokens).toBeGreaterThan(0);
  });

  it('Gemini embedContent and countTokens through @google/genai', async () => {
    const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url } });
    for (const model of ['gemini-embed', 'compat-embed']) {
      const res = await ai.models.embedContent({ model, contents: ['hello world', 'again'] });
      expect(res.embeddings?.map((e) => e.values?.length)).toEqual([8, 8]);
    }
    const counted = await ai.models.countTokens({ model: 'gemini-pro', contents: 'count these words' });
    expect(counted.totalTokens).toBe(3);
  });

  it('model listings through the openai and Anthropic SDKs', async () => {
    const openai = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toEqual(['claude-coder', 'claude-sonnet-4-5', 'compat-coder', 'gpt-5-codex']);
    const anthropic = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
    const models: string[] = [];
    for await (const m of anthropic.models.list()) models.push(m.id);
    expect(models).toEqual(ids);
    expect(fake.unexpected).toEqual([]);
  });
});
