import { describe, expect, test } from 'vitest';
import { chatRequest, decodeEvent } from './playground-wire';

const zero = { input: 0, output: 0 };

describe('playground wire', () => {
  test('each protocol sends the key the way its SDK does', () => {
    expect(chatRequest('openai', 'm', 'hi', 'sy_k').init.headers).toMatchObject({
      authorization: 'Bearer sy_k',
    });
    expect(chatRequest('anthropic', 'm', 'hi', 'sy_k').init.headers).toMatchObject({ 'x-api-key': 'sy_k' });
    const gemini = chatRequest('gemini', 'models/x y', 'hi', 'sy_k');
    expect(gemini.url).toBe('/v1beta/models/models%2Fx%20y:streamGenerateContent?alt=sse');
    expect(gemini.init.headers).toMatchObject({ 'x-goog-api-key': 'sy_k' });
    expect(JSON.parse(String(chatRequest('openai', 'm', 'hi', 'k').init.body))).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test('decodes text and usage of each stream', () => {
    expect(decodeEvent('openai', '{"choices":[{"delta":{"content":"He"}}]}', zero)).toEqual({
      text: 'He',
      usage: zero,
    });
    expect(
      decodeEvent('openai', '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}', zero).usage,
    ).toEqual({ input: 3, output: 5 });
    expect(decodeEvent('openai', '[DONE]', zero)).toEqual({ text: '', usage: zero });
    const start = decodeEvent(
      'anthropic',
      '{"type":"message_start","message":{"usage":{"input_tokens":7,"output_tokens":1}}}',
      zero,
    );
    expect(start.usage).toEqual({ input: 7, output: 1 });
    expect(
      decodeEvent(
        'anthropic',
        '{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}',
        start.usage,
      ).text,
    ).toBe('x');
    expect(
      decodeEvent('anthropic', '{"type":"message_delta","usage":{"output_tokens":9}}', start.usage).usage,
    ).toEqual({
      input: 7,
      output: 9,
    });
    expect(
      decodeEvent(
        'gemini',
        '{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b"}]}}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":4}}',
        zero,
      ),
    ).toEqual({ text: 'ab', usage: { input: 2, output: 4 } });
    expect(decodeEvent('openai', '{"error":{"message":"boom"}}', zero).error).toBe('boom');
  });
});
