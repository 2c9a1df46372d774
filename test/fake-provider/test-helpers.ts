import OpenAI from 'openai';
// Shared vitest lifecycle and raw-HTTP helpers for the fake provider's own tests.

import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type FakeProvider, startFakeProvider } from './server';

/** Starts one fake per test file and resets it before every test; use `fake()` inside tests. */
export function useFakeProvider(): () => FakeProvider {
  let fake: FakeProvider | undefined;
  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => fake?.reset());
  return () => {
    if (!fake) throw new Error('fake provider not started');
    return fake;
  };
}

export interface SseFrame {
  event?: string;
  data: string;
}

/** Splits a complete SSE body into frames (LF or CRLF line endings). */
export function parseSseText(text: string): SseFrame[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const frame: SseFrame = { data: '' };
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data += line.slice(6);
      }
      return frame;
    });
}

/** Reads a response body to its end, or until the connection breaks; reports which. */
export async function readUntilEnd(res: Response): Promise<{ text: string; broken: boolean }> {
  const reader = res.body?.getReader();
  if (!reader) return { text: '', broken: false };
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broken: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broken: true };
  }
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** JSON schemas of the tools the SDK tests declare, in each protocol's wrapping. */
export const weatherParams = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer' },
  },
  required: ['city', 'unit'],
};
export const timeParams = { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] };

export function openAIClient(baseUrl: string, apiKey = 'fake-ok'): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
}
