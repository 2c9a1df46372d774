// When a provider reports no usage (an openai-compatible server that ignores `include_usage`), the
// gateway counts the request and the answer with a tokenizer, bills that, and flags the record
// `estimated` — streamed or not, passed through or translated.
import { env } from 'cloudflare:test';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, call, chat, eventually, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [{ id: 'est-org', name: 'Org', policy: { level_mapper: { 'claude-*': 2, '*': 1 } } }],
      levels: [
        {
          id: 1,
          name: 'a server that never reports usage',
          keys: [
            { id: 'silent', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'SILENT' },
          ],
        },
        {
          id: 2,
          name: 'an Anthropic stream cut after its first events',
          keys: [{ id: 'cut-claude', provider: 'anthropic', base_url: fakeUrl, key_env: 'CUT' }],
        },
      ],
      prices: [{ model: 'quiet-model', input: '1', output: '2' }],
      gateway_keys: [{ id: 'est-key', account: 'est-org', name: 'k', key_env: 'K' }],
    },
    { gatewayKeys: { 'est-key': key }, upstreamKeys: { silent: 'fake-nousage', 'cut-claude': 'fake-cut-6' } },
  );
});

async function eventOf(res: Response) {
  const requestId = res.headers.get('x-request-id');
  return eventually(
    async () =>
      (await env.DB.prepare(
        'SELECT prompt_tokens, completion_tokens, cost_micros, estimated FROM usage_events WHERE request_id = ?',
      )
        .bind(requestId)
        .first<{
          prompt_tokens: number;
          completion_tokens: number;
          cost_micros: number;
          estimated: number;
        }>()) ?? undefined,
  );
}

/** What the tokenizer makes of the prompt (plus 3 framing tokens for the one message) and the reply. */
function expected(prompt: string, reply: string) {
  const promptTokens = countTokens(prompt) + 3;
  const completionTokens = countTokens(reply);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    // 1 and 2 micro-units per token (prices per million tokens of 1 and 2).
    cost_micros: promptTokens + 2 * completionTokens,
    estimated: 1,
  };
}

const deltas = (sse: string) =>
  sse
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice(6)) as { choices: { delta?: { content?: string } }[] })
    .map((e) => e.choices[0]?.delta?.content ?? '')
    .join('');

describe('usage estimated when the provider reports none', () => {
  it('counts a whole answer', async () => {
    const prompt = 'Estimate the tokens of this sentence, please.';
    const res = await chat(key, { model: 'quiet-model', messages: [{ role: 'user', content: prompt }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    const reply = body.choices[0]?.message.content ?? '';
    expect(reply.length).toBeGreaterThan(0);
    expect(await eventOf(res)).toEqual(expected(prompt, reply));
  });

  it('counts a streamed answer, with or without include_usage', async () => {
    for (const streamOptions of [{}, { stream_options: { include_usage: true } }]) {
      const prompt = 'Stream a few words back to me';
      const res = await chat(key, {
        model: 'quiet-model',
        stream: true,
        ...streamOptions,
        messages: [{ role: 'user', content: prompt }],
      });
      expect(res.status).toBe(200);
      const reply = deltas(await res.text());
      expect(await eventOf(res)).toEqual(expected(prompt, reply));
    }
  });

  it('counts an answer translated for an Anthropic client', async () => {
    const prompt = 'Translate and count these words';
    const res = await call('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      json: { model: 'quiet-model', max_tokens: 100, messages: [{ role: 'user', content: prompt }] },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { content: { text: string }[]; usage: { input_tokens: number } };
    const reply = body.content.map((p) => p.text).join('');
    expect(await eventOf(res)).toEqual(expected(prompt, reply));
  });

  it('bills the output of an Anthropic stream cut after message_start reported a placeholder', async () => {
    const prompt = 'Tell me a rather long story about a lighthouse keeper';
    const res = await call('/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      json: {
        model: 'claude-cut',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: prompt }],
      },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const data = text
      .split('\n\n')
      .map((e) => e.split('\n').find((l) => l.startsWith('data: ')))
      .filter((l): l is string => l !== undefined)
      .map(
        (l) =>
          JSON.parse(l.slice(6)) as {
            type: string;
            message?: { usage: { input_tokens: number } };
            delta?: { text?: string };
          },
      );
    const inputTokens = data.find((e) => e.type === 'message_start')?.message?.usage.input_tokens;
    const received = data
      .map((e) => (e.type === 'content_block_delta' ? (e.delta?.text ?? '') : ''))
      .join('');
    expect(countTokens(received)).toBeGreaterThan(1);
    expect(data.at(-1)?.type).toBe('error');
    const event = await eventOf(res);
    // Input as the provider reported it; output counted from what it sent before the cut.
    expect(event).toMatchObject({
      prompt_tokens: inputTokens,
      completion_tokens: countTokens(received),
      estimated: 1,
    });
  });
});
