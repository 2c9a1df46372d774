// Drives the fake with the official `@google/genai` SDK: generateContent (text and function calls),
// generateContentStream, countTokens, embedContent, and errors.

import {
  ApiError,
  FunctionCallingConfigMode,
  type GenerateContentResponse,
  GoogleGenAI,
  Type,
} from '@google/genai';
import { describe, expect, it } from 'vitest';
import { embedVector } from './conversation';
import { parseSseText, postJson, useFakeProvider } from './test-helpers';

const fake = useFakeProvider();
const ai = (apiKey = 'fake-ok'): GoogleGenAI =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake().url, retryOptions: { attempts: 1 } } });
const MODEL = 'gemini-2.5-flash';

const functionDeclarations = [
  {
    name: 'get_weather',
    parameters: {
      type: Type.OBJECT,
      properties: {
        city: { type: Type.STRING },
        unit: { type: Type.STRING, enum: ['celsius', 'fahrenheit'] },
        days: { type: Type.INTEGER },
      },
      required: ['city', 'unit'],
    },
  },
  {
    name: 'get_time',
    parametersJsonSchema: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
];

describe('generateContent', () => {
  it('answers with the echo, usageMetadata and the model version', async () => {
    const res = await ai().models.generateContent({
      model: MODEL,
      contents: 'Hello Gemini there',
      config: { systemInstruction: 'Be nice.' },
    });
    expect(res.text).toBe('Echo: Hello Gemini there');
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.candidates?.[0]?.content?.role).toBe('model');
    expect(res.modelVersion).toBe(MODEL);
    expect(res.responseId).toMatch(/^fake-\d+$/);
    expect(res.usageMetadata).toEqual({
      promptTokenCount: 5,
      candidatesTokenCount: 4,
      totalTokenCount: 9,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 5 }],
    });
    const rec = fake().requests[0];
    expect(rec?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(rec?.key).toBe('fake-ok');
    expect(rec?.headers['x-goog-api-key']).toBe('fake-ok');
  });

  it('reports cached and thought tokens the Gemini way', async () => {
    fake().script('g-usage', [{ usage: { cachedTokens: 6, reasoningTokens: 10 } }]);
    const res = await ai('g-usage').models.generateContent({ model: MODEL, contents: 'a b c' });
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 3 + 6,
      cachedContentTokenCount: 6,
      candidatesTokenCount: 4,
      thoughtsTokenCount: 10,
      totalTokenCount: 9 + 4 + 10,
    });
  });

  it('calls a function with schema-derived args, and answers in text after functionResponse', async () => {
    const tools = [{ functionDeclarations }];
    const res = await ai().models.generateContent({
      model: MODEL,
      contents: 'weather please',
      config: { tools },
    });
    expect(res.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'sample', unit: 'celsius' } }]);
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata?.candidatesTokenCount).toBe(1);

    const forced = await ai().models.generateContent({
      model: MODEL,
      contents: 'time in parallel',
      config: {
        tools,
        toolConfig: {
          functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_time'] },
        },
      },
    });
    expect(forced.functionCalls?.map((c) => c.name)).toEqual(['get_time']);

    const parallel = await ai().models.generateContent({
      model: MODEL,
      contents: 'both in parallel',
      config: { tools },
    });
    expect(parallel.functionCalls?.map((c) => c.name)).toEqual(['get_weather', 'get_time']);

    const after = await ai().models.generateContent({
      model: MODEL,
      config: { tools },
      contents: [
        { role: 'user', parts: [{ text: 'weather in Lima?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { result: 'mild and cloudy' } } }],
        },
      ],
    });
    expect(after.text).toBe('Echo: weather in Lima?');
    expect(after.usageMetadata?.promptTokenCount).toBe(3 + 3);
  });
});

describe('generateContentStream', () => {
  it('streams one chunk per word with usage and finishReason on the last chunk only', async () => {
    const stream = await ai().models.generateContentStream({ model: MODEL, contents: 'stream three words' });
    const chunks: GenerateContentResponse[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.text)).toEqual(['Echo:', ' stream', ' three', ' words']);
    for (const c of chunks.slice(0, -1)) {
      expect(c.usageMetadata).toBeUndefined();
      expect(c.candidates?.[0]?.finishReason).toBeUndefined();
    }
    const last = chunks.at(-1);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 4,
      totalTokenCount: 7,
    });
    expect(fake().requests[0]?.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
  });

  it('uses CRLF-terminated data lines on the wire and accepts ?key=', async () => {
    const res = await postJson(
      `${fake().url}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse&key=fake-ok`,
      {
        contents: [{ parts: [{ text: 'hi' }] }],
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).toMatch(/^data: \{.*\}\r\n\r\ndata: /);
    expect(parseSseText(text)).toHaveLength(2);
    expect(fake().requests[0]?.key).toBe('fake-ok');
  });
});

describe('countTokens and embeddings', () => {
  it('counts tokens of the contents', async () => {
    const res = await ai().models.countTokens({ model: MODEL, contents: 'count these four words' });
    expect(res.totalTokens).toBe(4);
  });

  it('embeds through batchEmbedContents (what the SDK calls) and embedContent', async () => {
    const res = await ai().models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['first text', 'second'],
    });
    expect(res.embeddings?.map((e) => e.values)).toEqual([embedVector('first text'), embedVector('second')]);
    expect(fake().requests[0]?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');

    const raw = await postJson(
      `${fake().url}/v1beta/models/gemini-embedding-001:embedContent`,
      { content: { parts: [{ text: 'first text' }] }, outputDimensionality: 4 },
      { 'x-goog-api-key': 'fake-ok' },
    );
    expect(await raw.json()).toEqual({ embedding: { values: embedVector('first text', 4) } });
  });
});

describe('errors', () => {
  it('returns google.rpc errors that the SDK raises as ApiError', async () => {
    const err = await ai('fake-429')
      .models.generateContent({ model: MODEL, contents: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    if (!(err instanceof ApiError)) return;
    expect(err.status).toBe(429);
    expect(JSON.parse(err.message)).toEqual({
      error: { code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED' },
    });
  });

  it('rejects a request without contents', async () => {
    const res = await postJson(
      `${fake().url}/v1beta/models/${MODEL}:generateContent`,
      {},
      { 'x-goog-api-key': 'fake-ok' },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});
