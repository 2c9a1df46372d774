// Same protocol in and out (protocol bridge): the client's body reaches the upstream with only the model
// replaced (unknown fields kept), the answer is relayed as the upstream sent it, and usage is read
// from a tap — every token class recorded exactly.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyPolicy, newKey } from './helpers';
import {
  K,
  post,
  protocolPolicy,
  protocolUpstreamKeys,
  R,
  scriptUsage,
  sseEvents,
  tokens,
  upstreamSecrets,
  usageOf,
  X,
} from './protocols-fixtures';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

interface Seen {
  requests: { path: string; key: string; headers: Record<string, string>; body: Record<string, unknown> }[];
  unexpected: unknown[];
}

async function lastUpstream(secret: string) {
  const seen = (await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as Seen;
  expect(seen.unexpected).toEqual([]);
  const mine = seen.requests.filter((r) => r.key === secret);
  return mine.at(-1);
}

beforeAll(async () => {
  await scriptUsage(fakeUrl);
  await applyPolicy(protocolPolicy(fakeUrl, 'pt-org'), {
    gatewayKeys: { 'pt-org-key': key },
    upstreamKeys: protocolUpstreamKeys,
  });
});

describe('Anthropic messages → anthropic upstream', () => {
  const body = {
    model: 'alias-claude',
    max_tokens: 100,
    system: 'be brief',
    messages: [{ role: 'user', content: 'hello anthropic world' }],
    some_future_field: { kept: true },
  };
  // W = 2 + 3 words; reply "Echo: hello anthropic world" = 4 words, plus R reasoning (thinking).
  const expected = { prompt: 5 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: X, reasoning: 0 };

  it('relays the body with the mapped model and unknown fields, and the answer as sent', async () => {
    const res = await post(key, '/v1/messages', body, {
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'x-1',
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      id: string;
      model: string;
      content: { type: string; text?: string }[];
    };
    expect(json.id).toMatch(/^msg_fake_/);
    expect(json.model).toBe('claude-mapped');
    expect(json.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const seen = await lastUpstream(upstreamSecrets.anthropic);
    expect(seen?.path).toBe('/v1/messages');
    expect(seen?.body).toEqual({ ...body, model: 'claude-mapped' });
    expect(seen?.headers['anthropic-beta']).toBe('x-1');
    const row = await usageOf(res);
    expect(tokens(row)).toEqual(expected);
    expect(row).toMatchObject({
      endpoint: '/v1/messages',
      client_protocol: 'anthropic',
      provider: 'anthropic',
    });
    // $1 input, $0.5 cached, $1.5 cache write, $2 output per million tokens.
    expect(row.cost_micros).toBe(Math.round(5 * 1 + K * 0.5 + X * 1.5 + (4 + R) * 2));
  });

  it('streams the events unchanged and meters them from the tap', async () => {
    const res = await post(key, '/v1/messages', { ...body, stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = sseEvents(await res.text());
    expect(events.map((e) => e.event)).toContain('ping');
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-1)?.event).toBe('message_stop');
    expect(tokens(await usageOf(res))).toEqual(expected);
  });
});

describe('Gemini generateContent → gemini upstream', () => {
  const body = {
    systemInstruction: { parts: [{ text: 'be brief' }] },
    contents: [{ role: 'user', parts: [{ text: 'hello gemini world' }] }],
  };
  // Gemini counts cached tokens inside promptTokenCount and thoughts beside candidates.
  const expected = { prompt: 5 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: 0, reasoning: R };

  it('relays generateContent with the model in the URL', async () => {
    const res = await call('/v1beta/models/gemini-pro:generateContent', body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(json.candidates[0]?.content.parts.at(-1)?.text).toBe('Echo: hello gemini world');
    const seen = await lastUpstream(upstreamSecrets.gemini);
    expect(seen?.path).toBe('/v1beta/models/gemini-pro:generateContent');
    expect(seen?.body).toEqual(body);
    expect(tokens(await usageOf(res))).toEqual(expected);
  });

  it('relays streamGenerateContent event by event', async () => {
    const res = await call('/v1beta/models/gemini-pro:streamGenerateContent?alt=sse', body);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('\r\n\r\n');
    const events = sseEvents(text);
    expect(events.length).toBeGreaterThan(2);
    const row = await usageOf(res);
    expect(tokens(row)).toEqual(expected);
    expect(row).toMatchObject({
      endpoint: '/v1beta/models:streamGenerateContent',
      stream: 1,
      client_protocol: 'gemini',
    });
  });

  function call(path: string, json: unknown) {
    return post(key, path, json);
  }
});

describe('OpenAI Responses → openai upstream', () => {
  const body = {
    model: 'oai-reasoner',
    instructions: 'be brief',
    input: 'hello responses world',
    store: true,
  };
  const expected = { prompt: 5 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: X, reasoning: R };

  it('relays a whole response', async () => {
    const res = await post(key, '/v1/responses', body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { id: string; output_text?: string; output: { type: string }[] };
    expect(json.id).toMatch(/^resp_fake_/);
    expect(json.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
    const seen = await lastUpstream(upstreamSecrets.openai);
    expect(seen?.path).toBe('/v1/responses');
    expect(seen?.body).toEqual(body);
    expect(tokens(await usageOf(res))).toEqual(expected);
  });

  it('relays a stream and reads usage from response.completed', async () => {
    const res = await post(key, '/v1/responses', { ...body, stream: true });
    const events = sseEvents(await res.text());
    expect(events[0]?.event).toBe('response.created');
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(tokens(await usageOf(res))).toEqual(expected);
  });
});

describe('OpenAI chat → openai-compatible upstream', () => {
  const expected = { prompt: 3 + K + X, completion: 4 + R, cachedRead: K, cacheWrite: X, reasoning: R };

  it('asks for usage on a stream, hides it, and records every class', async () => {
    const res = await post(key, '/v1/chat/completions', {
      model: 'compat-chat',
      stream: true,
      messages: [{ role: 'user', content: 'hello compatible world' }],
    });
    const events = sseEvents(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events.some((e) => JSON.stringify(e.data).includes('"usage":{'))).toBe(false);
    expect(tokens(await usageOf(res))).toEqual(expected);
  });

  it('relays to Azure OpenAI by deployment, with the api-key header', async () => {
    const res = await post(key, '/v1/chat/completions', {
      model: 'azure-gpt',
      messages: [{ role: 'user', content: 'hello azure world' }],
    });
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe('Echo: hello azure world');
    const seen = await lastUpstream(upstreamSecrets.azure);
    expect(seen?.path).toMatch(/^\/openai\/deployments\/dep-1\/chat\/completions\?api-version=/);
    expect(seen?.headers['api-key']).toBe(upstreamSecrets.azure);
    expect(await usageOf(res)).toMatchObject({ provider: 'azure-openai', prompt_tokens: 3 + K + X });
  });
});
