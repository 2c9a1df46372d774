// Faults after the first byte are never retried (the client already has part of the answer): the
// stream ends with an error event in the client's protocol and the usage is still recorded, the
// part the upstream generated counted with the tokenizer.
import { env } from 'cloudflare:test';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, chat, eventually, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

interface Seen {
  requests: { key: string; body: { messages: { content: string }[] } }[];
}

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [{ id: 'sf-org', name: 'Org', policy: { level_mapper: { 'cut-*': 1, 'idle-*': 2 } } }],
      levels: [
        {
          id: 1,
          name: 'cuts after 3 events, then a healthy key',
          retries: 3,
          keys: [
            {
              id: 'cutter',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'CUT',
              weight: 1000,
            },
            {
              id: 'healthy',
              provider: 'openai-compatible',
              base_url: `${fakeUrl}/v1`,
              key_env: 'OK',
              weight: 1,
            },
          ],
        },
        {
          id: 2,
          name: 'goes quiet between chunks',
          timeouts: { idle_ms: 300 },
          keys: [
            { id: 'dripper', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'DRIP' },
          ],
        },
      ],
      gateway_keys: [{ id: 'sf-key', account: 'sf-org', name: 'k', key_env: 'K' }],
    },
    {
      gatewayKeys: { 'sf-key': key },
      upstreamKeys: { cutter: 'fake-cut-3', healthy: 'fake-ok', dripper: 'fake-drip-1000' },
    },
  );
});

function events(text: string) {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => e.slice('data: '.length));
}

// The client asking for usage itself is the other path: nothing to hide, so the client's bytes
// are piped natively by the runtime and only the tap's copy is read in JS (src/usage/pump.ts).
describe.each([
  { path: 'usage hidden from the client (every chunk through JS)', clientUsage: false },
  { path: 'usage asked for by the client (the native path)', clientUsage: true },
])('stream faults after the first byte, $path', ({ clientUsage }) => {
  const streamOptions = clientUsage ? { stream_options: { include_usage: true } } : {};
  it('ends a cut stream with an error event, does not retry it, and still meters it', async () => {
    const prompt = `cut me off please now${clientUsage ? ' with usage' : ''}`;
    const res = await chat(key, {
      model: 'cut-model',
      stream: true,
      ...streamOptions,
      messages: [{ role: 'user', content: prompt }],
    });
    expect(res.status).toBe(200);
    const data = events(await res.text());
    expect(data.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(data.at(-1) as string)).toMatchObject({
      error: { code: 'upstream_stream_interrupted', type: 'api_error' },
    });
    expect(data).not.toContain('[DONE]');
    const seen = (await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as Seen;
    const attempts = seen.requests.filter((r) => r.body.messages?.[0]?.content === prompt);
    expect(attempts.map((r) => r.key)).toEqual(['fake-cut-3']);
    const requestId = res.headers.get('x-request-id');
    const event = await eventually(
      async () =>
        (await env.DB.prepare(
          'SELECT status, error_code, prompt_tokens, completion_tokens, estimated FROM usage_events WHERE request_id = ?',
        )
          .bind(requestId)
          .first()) ?? undefined,
    );
    // The stream was cut before its usage chunk: what the upstream did generate is counted.
    const received = data
      .slice(0, -1)
      .map(
        (d) =>
          (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '',
      )
      .join('');
    expect(received.length).toBeGreaterThan(0);
    expect(event).toEqual({
      status: 502,
      error_code: 'upstream_error',
      prompt_tokens: countTokens(prompt) + 3,
      completion_tokens: countTokens(received),
      estimated: 1,
    });
  });

  it("gives up on an upstream that goes quiet longer than the level's idle timeout", async () => {
    const res = await chat(key, {
      model: 'idle-model',
      stream: true,
      ...streamOptions,
      messages: [{ role: 'user', content: 'slow words here' }],
    });
    expect(res.status).toBe(200);
    const data = events(await res.text());
    expect(JSON.parse(data.at(-1) as string)).toMatchObject({ error: { code: 'upstream_idle_timeout' } });
  });
});
