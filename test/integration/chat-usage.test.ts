// One request through every layer: key → policy → governor → key pool → upstream → streamed
// response → usage Queue → consumer → D1 event and rollup → admin API.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { basePolicy, upstreamKeys } from './fixtures';
import { ADMIN_TOKEN, applyPolicy, call, chat, eventually, newKey, rollups } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const teamKey = newKey();
const internKey = newKey();

beforeAll(async () => {
  await fetch(`${fakeUrl}/__fake/reset`, { method: 'POST' });
  await applyPolicy(basePolicy(fakeUrl), {
    gatewayKeys: { 'team-key': teamKey, 'intern-key': internKey },
    upstreamKeys,
  });
});

describe('chat completions end to end', () => {
  it('answers from the mock provider and meters the request into a D1 rollup via the Queue', async () => {
    const res = await chat(internKey, {
      model: 'mock-small',
      messages: [{ role: 'user', content: 'count these four words' }],
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const body = (await res.json()) as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.choices[0]?.message.content).toBe('Mock reply from mock-small: count these four words');
    expect(body.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 8 });

    const event = await eventually(
      async () =>
        (await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?')
          .bind(requestId)
          .first<Record<string, unknown>>()) ?? undefined,
    );
    // 4 × 1 + 8 × 2 micro-units per token (prices per million tokens: 1 and 2).
    expect(event).toMatchObject({
      account_id: 'intern',
      account_path: '/org/team/intern/',
      prompt_tokens: 4,
      completion_tokens: 8,
      cost_micros: 20,
      status: 200,
      provider: 'mock',
      upstream_key_id: 'mock-1',
      level: 1,
    });
    const [rollup] = await rollups('intern');
    expect(rollup).toMatchObject({
      model: 'mock-small',
      requests: 1,
      prompt_tokens: 4,
      completion_tokens: 8,
      cost_micros: 20,
      errors: 0,
    });
  });

  it('streams from an openai-compatible upstream by base URL, hiding the usage chunk it asked for', async () => {
    const res = await chat(teamKey, {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello streaming world' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const deltas = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e.slice('data: '.length)) as {
          choices: { delta: { content?: string } }[];
          usage?: unknown;
        },
    );
    expect(deltas.every((d) => d.usage === undefined || d.usage === null)).toBe(true);
    expect(deltas.map((d) => d.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hello streaming world');

    // The fake provider received the mapped model and include_usage, with the upstream key.
    const seen = (await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as {
      requests: {
        path: string;
        key: string;
        body: { model: string; stream_options?: { include_usage?: boolean } };
      }[];
      unexpected: unknown[];
    };
    expect(seen.unexpected).toEqual([]);
    const last = seen.requests.at(-1);
    expect(last?.body.model).toBe('fake-small');
    expect(last?.body.stream_options?.include_usage).toBe(true);
    expect(last?.key).toBe('fake-ok');

    // Word counts: prompt "be brief" + "hello streaming world" = 5; completion "Echo: hello streaming world" = 4.
    const rollup = await eventually(async () =>
      (await rollups('team')).find((r) => r['model'] === 'fake-small'),
    );
    expect(rollup).toMatchObject({
      requests: 1,
      prompt_tokens: 5,
      completion_tokens: 4,
      cost_micros: Math.round(5 * 2.5 + 4 * 10),
    });
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    const res = await chat(teamKey, {
      model: 'fake-small',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two' }],
    });
    const text = await res.text();
    expect(text).toContain('"usage":{"prompt_tokens":2');
  });

  it('serves the usage to a management token through the admin API, scoped to its subtree', async () => {
    await eventually(async () =>
      (await rollups('team')).length >= 1 && (await rollups('intern')).length >= 1 ? true : undefined,
    );
    const res = await call('/admin/v1/usage/daily?account=team', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { accountId: string }[] };
    expect(new Set(data.map((r) => r.accountId))).toEqual(new Set(['team', 'intern']));
    const outside = await call('/admin/v1/usage/daily?account=nope', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(outside.status).toBe(404);
  });
});
