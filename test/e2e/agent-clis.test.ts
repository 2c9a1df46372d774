// The real coding agents through every upstream kind (protocol bridge): Codex CLI (Responses) and Claude Code
// (Anthropic Messages), the pinned npm versions, run offline in a throw-away HOME against the
// gateway bundle in front of the fake provider. Each cell is one session with a tool loop: the
// upstream asks for a tool that reads a file, the CLI runs it, the next request carries the file's
// text, and the upstream's final answer is what the CLI prints. Both CLIs always stream.
// Before it, a one-shot prompt per cell. Every upstream request is metered exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, fakeLevel, newGatewayKey } from '../harness/seed';
import { makeSandbox, runClaude, runCodex } from './agent-clis';

let gw: RunningGateway;
let fake: FakeProvider;
const key = newGatewayKey();
/** The upstream key: an ordinary key (default behaviour) that each cell scripts. */
const UPSTREAM = 'agent-upstream-key';

/** Upstream kinds, by the suffix of the model name the CLI asks for (`codex-anthropic`…). */
const KINDS = ['openai', 'anthropic', 'gemini', 'compat'] as const;

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
          policy: { level_mapper: { '*-openai': 1, '*-anthropic': 2, '*-gemini': 3, '*-compat': 4 } },
        },
      ],
      levels: [
        fakeLevel(fake, 1, 'openai', 'oai', 'openai'),
        fakeLevel(fake, 2, 'anthropic', 'ant', 'anthropic'),
        fakeLevel(fake, 3, 'gemini', 'gem', 'gemini'),
        fakeLevel(fake, 4, 'openai-compatible', 'compat', 'openai-compatible'),
      ],
      gateway_keys: [{ id: 'k', account: 'org', name: 'agents', key_env: 'KEY' }],
    },
    { UP: UPSTREAM, KEY: key },
  );
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

/** The upstream requests of one model (Gemini carries the model in the path). */
function upstreamRequests(model: string) {
  return fake.requests.filter((r) => {
    const body = r.body as { model?: unknown } | null;
    return (typeof body === 'object' && body?.model === model) || r.path.includes(`/models/${model}:`);
  });
}

async function usageRows(model: string, expected: number) {
  const db = await gw.d1();
  const deadline = Date.now() + 20_000;
  let rows: { status: number; prompt_tokens: number; completion_tokens: number; estimated: number }[] = [];
  while (Date.now() < deadline) {
    rows = (
      await db
        .prepare(
          'SELECT status, prompt_tokens, completion_tokens, estimated FROM usage_events WHERE model_requested = ?',
        )
        .bind(model)
        .all<(typeof rows)[0]>()
    ).results;
    if (rows.length >= expected) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // A little longer: a duplicate would arrive right behind.
  await new Promise((r) => setTimeout(r, 500));
  return (
    await db
      .prepare(
        'SELECT status, prompt_tokens, completion_tokens, estimated FROM usage_events WHERE model_requested = ?',
      )
      .bind(model)
      .all<(typeof rows)[0]>()
  ).results;
}

/** Checks the tool loop reached the upstream and every upstream request was metered once. */
async function expectLoopAndMetering(model: string, marker: string) {
  const requests = upstreamRequests(model);
  // Turn 1 asked for the tool; a later turn carried its output (in the upstream's own protocol).
  expect(requests.length).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify(requests[0]?.body)).not.toContain(marker);
  expect(requests.some((r) => JSON.stringify(r.body).includes(marker))).toBe(true);
  const rows = await usageRows(model, requests.length);
  expect(rows).toHaveLength(requests.length);
  for (const row of rows) {
    expect(row.status).toBe(200);
    expect(row.estimated).toBe(0);
    expect(row.prompt_tokens).toBeGreaterThan(0);
  }
}

describe.each(KINDS)('Codex CLI → %s upstream', (kind) => {
  it('answers a one-shot prompt with the upstream text', { timeout: 120_000 }, async () => {
    const model = `codex-once-${kind}`;
    const answer = `Hello from the ${kind} upstream, word for word.`;
    const box = makeSandbox('unused');
    try {
      fake.script(UPSTREAM, [{ noTools: true, text: answer }]);
      const out = await runCodex({ gateway: gw.url, key, model, prompt: 'Say hello.', box });
      expect(out.message).toBe(answer);
      expect(out.code).toBe(0);
      expect(upstreamRequests(model)).toHaveLength(1);
      expect(await usageRows(model, 1)).toHaveLength(1);
    } finally {
      fake.script(UPSTREAM, []);
      box.cleanup();
    }
  });

  it('runs a session with a shell tool call and prints the upstream answer', {
    timeout: 120_000,
  }, async () => {
    const model = `codex-${kind}`;
    const marker = `codex-note-${kind}-${crypto.randomUUID().slice(0, 8)}`;
    const answer = `The note says ${marker}.`;
    const box = makeSandbox(marker);
    try {
      fake.script(UPSTREAM, [
        { tool: { name: 'exec_command', args: { cmd: 'cat note.txt' } }, text: answer },
      ]);
      const out = await runCodex({ gateway: gw.url, key, model, prompt: 'What does note.txt say?', box });
      expect(out.stderr).not.toMatch(/panicked|error sending request/i);
      const commands = out.events.filter(
        (e) =>
          e['type'] === 'item.completed' && (e['item'] as { type?: string }).type === 'command_execution',
      );
      expect(commands.map((e) => (e['item'] as { aggregated_output?: string }).aggregated_output)).toEqual([
        `${marker}\n`,
      ]);
      expect(out.message).toBe(answer);
      expect(out.code).toBe(0);
      await expectLoopAndMetering(model, marker);
    } finally {
      fake.script(UPSTREAM, []);
      box.cleanup();
    }
  });
});

describe.each(KINDS)('Claude Code → %s upstream', (kind) => {
  it('answers a one-shot prompt with the upstream text', { timeout: 120_000 }, async () => {
    const model = `claude-code-once-${kind}`;
    const answer = `Hello from the ${kind} upstream, word for word.`;
    const box = makeSandbox('unused');
    try {
      fake.script(UPSTREAM, [{ noTools: true, text: answer }]);
      const out = await runClaude({ gateway: gw.url, key, model, prompt: 'Say hello.', box, tools: 'Read' });
      expect(out.result, out.stdout + out.stderr).toMatchObject({
        subtype: 'success',
        is_error: false,
        result: answer,
      });
      expect(out.code).toBe(0);
      const requests = upstreamRequests(model);
      expect(requests.length).toBeGreaterThanOrEqual(1);
      expect(await usageRows(model, requests.length)).toHaveLength(requests.length);
    } finally {
      fake.script(UPSTREAM, []);
      box.cleanup();
    }
  });

  it('runs a session with a Read tool call and prints the upstream answer', {
    timeout: 120_000,
  }, async () => {
    const model = `claude-code-${kind}`;
    const marker = `claude-note-${kind}-${crypto.randomUUID().slice(0, 8)}`;
    const answer = `The note says ${marker}.`;
    const box = makeSandbox(marker);
    try {
      fake.script(UPSTREAM, [{ tool: { name: 'Read', args: { file_path: box.notePath } }, text: answer }]);
      const out = await runClaude({
        gateway: gw.url,
        key,
        model,
        prompt: 'What does note.txt say?',
        box,
        tools: 'Read',
      });
      expect(out.result, out.stdout + out.stderr).toMatchObject({
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: answer,
      });
      expect(out.result?.['num_turns']).toBe(2);
      expect(out.code).toBe(0);
      await expectLoopAndMetering(model, marker);
    } finally {
      fake.script(UPSTREAM, []);
      box.cleanup();
    }
  });
});
