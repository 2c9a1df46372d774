// Randomized load on the usage pipeline (metering, usage pipeline; issue #6): several hundred requests from
// an account
// tree, over every client protocol, streamed or not, against upstream levels of every provider kind
// (all on the fake provider) — with upstream 500s and 429s (retries and switch_over), dead levels,
// broken streams, clients that leave mid-stream or before the headers, media and embeddings, refused
// requests and a daily request quota. Once the Queue has drained, the raw events must add up to the
// daily rollups for every account × day × model, column by column, and every request the gateway
// governed must be metered exactly once (refused ones never).
//
// The mix is seeded: the seed is printed, and USAGE_LOAD_SEED=<n> replays it (the order in which
// the gateway's key pools pick keys and requests interleave is not seeded). USAGE_LOAD_REQUESTS
// changes the number of requests (default 400).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import { type D1Like, type RunningGateway, startGateway } from '../harness/gateway';
import { applyPolicy, newGatewayKey } from '../harness/seed';

const SEED = process.env['USAGE_LOAD_SEED']
  ? Number(process.env['USAGE_LOAD_SEED']) >>> 0
  : Math.floor(Math.random() * 2 ** 32);
const REQUESTS = Number(process.env['USAGE_LOAD_REQUESTS'] ?? 400);
const IN_FLIGHT = 24;
/** The daily request quota of the capped account: exactly this many of its requests are admitted. */
const CAPPED_RPD = 12;
/** A limit's refusal as the gateway words it (refusal.ts), whatever the protocol's error shape. */
const LIMIT_REFUSAL =
  /(daily|monthly) (request quota|token quota|budget) of [^.]* is used up|limit of [^;]* is reached|already in flight/;

/** mulberry32: small, fast, good enough to pick a request mix. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const weighted = <T>(items: readonly (readonly [T, number])[]): T => {
    let r = next() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  };
  return { next, int, pick, weighted };
}

// ---------------------------------------------------------------------------------------------
// The organization: root → two teams → users; one user with a daily request quota.

const ACCOUNTS = ['org', 'team-a', 'team-b', 'alice', 'bob', 'carol', 'dave', 'intern'] as const;
type AccountId = (typeof ACCOUNTS)[number];
/** Accounts under team-b, whose model_mapper turns the alias `gpt-4o` into `oai-chat`. */
const TEAM_B = new Set<AccountId>(['team-b', 'carol', 'dave', 'intern']);
const keys = Object.fromEntries(ACCOUNTS.map((a) => [a, newGatewayKey()])) as Record<AccountId, string>;

/** Upstream keys: `fake-` keys are behaviour scripts; the `rich-` keys are scripted below. */
const UPSTREAM = {
  UP_OK: 'fake-ok',
  UP_RICH_OAI: 'rich-oai',
  UP_RICH_ANT: 'rich-ant',
  UP_RICH_GEM: 'rich-gem',
  UP_500: 'fake-500',
  UP_429: 'fake-429-ra1',
  UP_503: 'fake-503',
  UP_CUT_OAI: 'fake-cut-4',
  UP_CUT_ANT: 'fake-cut-5',
  UP_CUT_GEM: 'fake-cut-3',
  UP_DRIP_OAI: 'fake-drip-20',
  UP_DRIP_ANT: 'fake-drip-25',
  UP_SLOW: 'fake-slow-400',
};
/** Extra token classes reported by the scripted keys, so cached, cache-write and reasoning columns fill. */
const RICH_USAGE = { cachedTokens: 7, cacheWriteTokens: 3, reasoningTokens: 5 };

const CHAT_MODELS = {
  'oai-chat': 3, // openai: passthrough for OpenAI clients; one of two keys reports cache/reasoning
  'compat-chat': 2, // openai-compatible
  'compat-free': 1, // openai-compatible, no price: unpriced
  'claude-chat': 3, // anthropic, price overridden (with markup) for team-b
  'gemini-chat': 2, // gemini
  'flaky-chat': 2, // 500 and 429 keys, retried, then switch_over to gemini
  'dead-chat': 1, // only a 503 key and no switch_over: error rows
  'cut-chat': 2, // streams cut after a few events, one key per provider kind
} as const;
type ChatModel = keyof typeof CHAT_MODELS | 'gpt-4o' | 'drip-chat' | 'slow-chat';

function policy(fakeUrl: string) {
  const key = (id: string, provider: string, env: string) => ({
    id,
    provider: provider as 'openai',
    key_env: env,
    // Root URLs for anthropic and gemini: their adapters add the API version segment.
    base_url: provider === 'openai' || provider === 'openai-compatible' ? `${fakeUrl}/v1` : fakeUrl,
  });
  const price = (model: string, extra: Record<string, string | number> = {}) => ({
    model,
    input: '3',
    output: '15',
    cached_read: '0.3',
    cache_write: '3.75',
    reasoning: '20',
    ...extra,
  });
  return {
    version: 1 as const,
    accounts: [
      {
        id: 'org',
        name: 'Org',
        kind: 'org',
        // Far from UTC, so the rollup day is not simply the UTC date.
        timezone: 'Pacific/Kiritimati',
        policy: {
          allow_models: ['*-chat', 'compat-free', 'gpt-image-*', 'tts-*', 'whisper-*', 'embed-*'],
          level_mapper: {
            'oai-*': 1,
            'gpt-image-*': 1,
            'embed-oai': 1,
            'compat-*': 2,
            'tts-*': 2,
            'whisper-*': 2,
            'claude-*': 3,
            'gemini-*': 4,
            'embed-gem': 4,
            'flaky-*': 5,
            'dead-*': 6,
            'cut-*': 7,
            'drip-*': 8,
            'slow-*': 9,
          },
          switch_over: { '5': 4 },
          // Generous limits only: the limits' own behaviour is tested elsewhere; here one quota
          // (intern's) is enough to show that refused requests are not metered. The root budget is
          // never reached, and must not refuse the unpriced model's requests (it once did).
          limits: { rpm: 100_000, tpm: 100_000_000, daily_budget: '100000' },
        },
      },
      { id: 'team-a', parent: 'org', name: 'Team A', policy: { limits: { rpm: 50_000 } } },
      {
        id: 'team-b',
        parent: 'org',
        name: 'Team B',
        policy: { model_mapper: { 'gpt-4o': 'oai-chat' }, limits: { rpd: 100_000 } },
      },
      { id: 'alice', parent: 'team-a', name: 'Alice', kind: 'user' },
      { id: 'bob', parent: 'team-a', name: 'Bob', kind: 'user' },
      { id: 'carol', parent: 'team-b', name: 'Carol', kind: 'user' },
      { id: 'dave', parent: 'team-b', name: 'Dave', kind: 'user' },
      {
        id: 'intern',
        parent: 'team-b',
        name: 'Intern',
        kind: 'user',
        policy: { limits: { rpd: CAPPED_RPD } },
      },
    ],
    levels: [
      {
        id: 1,
        name: 'openai',
        keys: [key('oai-ok', 'openai', 'UP_OK'), key('oai-rich', 'openai', 'UP_RICH_OAI')],
      },
      { id: 2, name: 'compatible', keys: [key('compat', 'openai-compatible', 'UP_OK')] },
      {
        id: 3,
        name: 'anthropic',
        keys: [key('ant-ok', 'anthropic', 'UP_OK'), key('ant-rich', 'anthropic', 'UP_RICH_ANT')],
      },
      {
        id: 4,
        name: 'gemini',
        keys: [key('gem-ok', 'gemini', 'UP_OK'), key('gem-rich', 'gemini', 'UP_RICH_GEM')],
      },
      {
        id: 5,
        name: 'flaky',
        retries: 1,
        keys: [key('flaky-500', 'openai-compatible', 'UP_500'), key('flaky-429', 'anthropic', 'UP_429')],
      },
      { id: 6, name: 'dead', retries: 0, keys: [key('dead-503', 'anthropic', 'UP_503')] },
      {
        id: 7,
        name: 'cut',
        retries: 0,
        keys: [
          key('cut-oai', 'openai-compatible', 'UP_CUT_OAI'),
          key('cut-ant', 'anthropic', 'UP_CUT_ANT'),
          key('cut-gem', 'gemini', 'UP_CUT_GEM'),
        ],
      },
      {
        id: 8,
        name: 'drip',
        keys: [key('drip-oai', 'openai', 'UP_DRIP_OAI'), key('drip-ant', 'anthropic', 'UP_DRIP_ANT')],
      },
      { id: 9, name: 'slow', keys: [key('slow-ant', 'anthropic', 'UP_SLOW')] },
    ],
    gateway_keys: ACCOUNTS.map((a) => ({
      id: `${a}-key`,
      account: a,
      name: `${a} key`,
      key_env: `KEY_${a.replace('-', '_').toUpperCase()}`,
    })),
    prices: [
      price('oai-chat'),
      price('compat-chat', { input: '0.5', output: '1.5' }),
      price('claude-chat'),
      price('claude-chat', { account: 'team-b', input: '2', output: '9', markup_bps: 1500 }),
      price('gemini-chat', { input: '1.25', output: '10' }),
      price('flaky-chat'),
      price('dead-chat'),
      price('cut-chat'),
      price('drip-chat'),
      price('slow-chat'),
      price('gpt-image-1', { input: '5', output: '40' }),
      price('embed-oai', { input: '0.02', output: '0' }),
      price('embed-gem', { input: '0.15', output: '0' }),
      price('tts-1', { input: '15', output: '0' }),
      price('whisper-1', { input: '6', output: '6' }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The request mix.

type Proto = 'openai-chat' | 'responses' | 'anthropic' | 'gemini';
const PROTOS: Proto[] = ['openai-chat', 'responses', 'anthropic', 'gemini'];

/**
 * What the gateway must do with a request, decided before it is sent:
 *  metered  — reaches the governed path: exactly one usage event, whatever the outcome;
 *  refused  — refused before it (bad key, model not allowed) or not metered (count_tokens): none;
 *  capped   — from the account with the daily quota: metered unless refused by the quota;
 *  early    — the client leaves before the headers: metered iff the upstream saw it (the fake
 *             upstream answers slowly, so a request that was admitted is always seen upstream).
 */
type Expect = 'metered' | 'refused' | 'capped' | 'early';

type Op =
  | { kind: 'chat'; proto: Proto; model: ChatModel; stream: boolean; abortAfterChunks?: number }
  | { kind: 'early'; proto: Proto; stream: boolean; abortAfterMs: number }
  | { kind: 'image'; n: number }
  | { kind: 'speech' }
  | { kind: 'transcription' }
  | { kind: 'embedding'; model: 'embed-oai' | 'embed-gem' }
  | { kind: 'count'; proto: 'anthropic' | 'gemini' }
  | { kind: 'bad-key'; proto: Proto }
  | { kind: 'forbidden'; proto: Proto };

interface Planned {
  index: number;
  account: AccountId;
  op: Op;
  expect: Expect;
  /** A word no other request's prompt contains, to find the request upstream. */
  nonce: string;
  prompt: string;
}

const VOCAB = 'alpha beta gamma delta usage rollup queue event token stream cost model day'.split(' ');

function plan(seed: number, count: number): Planned[] {
  const r = rng(seed);
  const out: Planned[] = [];
  for (let index = 0; index < count; index++) {
    const kind = r.weighted([
      ['chat', 62],
      ['abort-mid', 9],
      ['early', 5],
      ['image', 2],
      ['speech', 2],
      ['transcription', 1],
      ['embedding', 4],
      ['count', 5],
      ['bad-key', 4],
      ['forbidden', 3],
    ] as const);
    let account = r.pick(ACCOUNTS);
    // A request that leaves early is counted by whether the upstream saw it; the capped account's
    // admissions are counted by the quota. Keep the two apart.
    if (kind === 'early' && account === 'intern') account = 'alice';
    const proto = r.pick(PROTOS);
    const stream = r.next() < 0.5;
    const nonce = `n${seed.toString(36)}x${index}`;
    // Random prompt sizes: mostly short, sometimes a few thousand words — but not for the dripping
    // streams, which send one word every 20-25 ms (the test would wait a minute for them).
    const words = r.next() < 0.05 && kind !== 'abort-mid' ? r.int(500, 3000) : r.int(4, 60);
    const prompt = [nonce, ...Array.from({ length: words }, () => r.pick(VOCAB))].join(' ');
    let op: Op;
    switch (kind) {
      case 'chat': {
        let model = r.weighted(Object.entries(CHAT_MODELS) as [ChatModel, number][]);
        if (TEAM_B.has(account) && r.next() < 0.15) model = 'gpt-4o';
        op = { kind, proto, model, stream: model === 'cut-chat' ? r.next() < 0.85 : stream };
        break;
      }
      case 'abort-mid':
        op = { kind: 'chat', proto, model: 'drip-chat', stream: true, abortAfterChunks: r.int(1, 3) };
        break;
      case 'early':
        op = { kind, proto, stream, abortAfterMs: r.int(5, 250) };
        break;
      case 'image':
        op = { kind, n: r.int(1, 3) };
        break;
      case 'embedding':
        op = { kind, model: r.pick(['embed-oai', 'embed-gem'] as const) };
        break;
      case 'count':
        op = { kind, proto: r.pick(['anthropic', 'gemini'] as const) };
        break;
      case 'bad-key':
      case 'forbidden':
        op = { kind, proto };
        break;
      default:
        op = { kind };
    }
    const expect: Expect =
      op.kind === 'count' || op.kind === 'bad-key' || op.kind === 'forbidden'
        ? 'refused'
        : op.kind === 'early'
          ? 'early'
          : account === 'intern'
            ? 'capped'
            : 'metered';
    out.push({ index, account, op, expect, nonce, prompt });
  }
  return out;
}

interface Wire {
  path: string;
  headers: Record<string, string>;
  body: string | FormData;
}

function chatWire(proto: Proto, key: string, model: string, prompt: string, stream: boolean): Wire {
  const json = { 'content-type': 'application/json' };
  switch (proto) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        headers: { ...json, authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: prompt }] }),
      };
    case 'responses':
      return {
        path: '/v1/responses',
        headers: { ...json, authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, stream, input: prompt }),
      };
    case 'anthropic':
      return {
        path: '/v1/messages',
        headers: { ...json, 'x-api-key': key, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({
          model,
          stream,
          max_tokens: 1024,
          messages: [{ role: 'user', content: prompt }],
        }),
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { ...json, 'x-goog-api-key': key },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] }),
      };
  }
}

function wireFor(p: Planned): Wire {
  const key = keys[p.account];
  const bearer = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const op = p.op;
  switch (op.kind) {
    case 'chat':
      return chatWire(op.proto, key, op.model, p.prompt, op.stream);
    case 'early':
      return chatWire(op.proto, key, 'slow-chat', p.prompt, op.stream);
    case 'bad-key':
      return chatWire(op.proto, newGatewayKey(), 'oai-chat', p.prompt, false);
    case 'forbidden':
      return chatWire(op.proto, key, 'forbidden-model', p.prompt, false);
    case 'image':
      return {
        path: '/v1/images/generations',
        headers: bearer,
        body: JSON.stringify({ model: 'gpt-image-1', prompt: p.prompt, n: op.n }),
      };
    case 'speech':
      return {
        path: '/v1/audio/speech',
        headers: bearer,
        body: JSON.stringify({ model: 'tts-1', input: p.prompt, voice: 'alloy' }),
      };
    case 'transcription': {
      const form = new FormData();
      form.append('model', 'whisper-1');
      form.append('file', new Blob([`FAKEAUDIO:${p.prompt}`], { type: 'audio/mpeg' }), 'clip.mp3');
      return { path: '/v1/audio/transcriptions', headers: { authorization: `Bearer ${key}` }, body: form };
    }
    case 'embedding':
      return {
        path: '/v1/embeddings',
        headers: bearer,
        body: JSON.stringify({ model: op.model, input: [p.prompt, `${p.nonce} second input`] }),
      };
    case 'count':
      return op.proto === 'anthropic'
        ? {
            path: '/v1/messages/count_tokens',
            headers: {
              'content-type': 'application/json',
              'x-api-key': key,
              'anthropic-version': '2023-06-01',
            },
            body: JSON.stringify({ model: 'claude-chat', messages: [{ role: 'user', content: p.prompt }] }),
          }
        : {
            path: '/v1beta/models/gemini-chat:countTokens',
            headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
            body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: p.prompt }] }] }),
          };
  }
}

interface Outcome {
  planned: Planned;
  /** x-request-id, when the client got the headers. */
  requestId: string | null;
  status: number | null;
  text: string;
}

async function send(gatewayUrl: string, p: Planned): Promise<Outcome> {
  const wire = wireFor(p);
  const controller = new AbortController();
  const out: Outcome = { planned: p, requestId: null, status: null, text: '' };
  const timer =
    p.op.kind === 'early'
      ? setTimeout(() => controller.abort(), (p.op as { abortAfterMs: number }).abortAfterMs)
      : undefined;
  try {
    const res = await fetch(`${gatewayUrl}${wire.path}`, {
      method: 'POST',
      // One connection per request: workerd closes a kept-alive connection after answering a POST
      // whose body the Worker did not read (refusals), without saying so, and the next request sent
      // on it fails with "other side closed" — then nobody knows whether the gateway saw it.
      headers: { ...wire.headers, connection: 'close' },
      body: wire.body,
      signal: controller.signal,
    });
    out.requestId = res.headers.get('x-request-id');
    out.status = res.status;
    const leaveAfter = p.op.kind === 'chat' ? p.op.abortAfterChunks : undefined;
    if (leaveAfter !== undefined && res.ok && res.body) {
      // Leave in the middle of the stream.
      const reader = res.body.getReader();
      for (let i = 0; i < leaveAfter; i++) if ((await reader.read()).done) break;
      controller.abort();
      await reader.cancel().catch(() => {});
    } else {
      out.text = await res.text();
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return out;
}

async function runAll(gatewayUrl: string, planned: Planned[], inFlight: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(planned.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < planned.length; i = next++) {
      outcomes[i] = await send(gatewayUrl, planned[i] as Planned);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Reading D1.

type Row = Record<string, string | number | null>;

async function all(db: D1Like, sql: string): Promise<Row[]> {
  return (await db.prepare(sql).all<Row>()).results;
}

const KEY_COLUMNS = new Set(['account_id', 'day', 'model', 'account_path']);

/**
 * The event expression that must equal each summed rollup column. Built from the live schema, so a
 * summed column added to usage_daily is checked too (or fails here until the test knows it).
 */
async function rollupColumns(db: D1Like): Promise<[column: string, eventExpr: string][]> {
  const daily = (await all(db, 'PRAGMA table_info(usage_daily)')).map((c) => String(c['name']));
  const events = new Set((await all(db, 'PRAGMA table_info(usage_events)')).map((c) => String(c['name'])));
  const special: Record<string, string> = {
    requests: 'count(*)',
    errors: 'sum(status >= 400)',
    estimated_requests: 'sum(estimated)',
    unpriced_requests: 'sum(unpriced)',
  };
  return daily
    .filter((c) => !KEY_COLUMNS.has(c))
    .map((c) => {
      const expr = special[c] ?? (events.has(c) ? `sum(${c})` : undefined);
      if (!expr) throw new Error(`usage_daily.${c} has no usage_events counterpart known to this test`);
      return [c, expr];
    });
}

const groupKey = (r: Row) => `${r['account_id']} | ${r['day']} | ${r['model']}`;

/**
 * Polls until usage_events holds `expected()` rows (re-evaluated on every poll), then waits a
 * little longer so that a late duplicate or extra record would show up too.
 */
async function waitForEvents(db: D1Like, expected: () => number, timeoutMs: number): Promise<number> {
  const count = async () => Number((await all(db, 'SELECT count(*) AS n FROM usage_events'))[0]?.['n'] ?? 0);
  const deadline = Date.now() + timeoutMs;
  while ((await count()) < expected() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2_500));
  return count();
}

// ---------------------------------------------------------------------------------------------

let gw: RunningGateway;
let fake: FakeProvider;

beforeAll(async () => {
  [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
  for (const k of [UPSTREAM.UP_RICH_OAI, UPSTREAM.UP_RICH_ANT, UPSTREAM.UP_RICH_GEM]) {
    fake.script(k, [{ usage: RICH_USAGE }]);
  }
  const env: Record<string, string> = { ...UPSTREAM };
  for (const a of ACCOUNTS) env[`KEY_${a.replace('-', '_').toUpperCase()}`] = keys[a];
  await applyPolicy(gw, policy(fake.url), env);
});

afterAll(async () => {
  await Promise.all([gw?.close(), fake?.close()]);
});

describe('usage pipeline under randomized load', () => {
  it('meters every governed request exactly once, and the rollups equal the sum of the events', {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    console.log(
      `usage-load: seed ${SEED} (replay with USAGE_LOAD_SEED=${SEED}), ${REQUESTS} requests, ${IN_FLIGHT} in flight`,
    );
    const planned = plan(SEED, REQUESTS);
    const outcomes = await runAll(gw.url, planned, IN_FLIGHT);
    const sentMs = Date.now() - started;

    // Requests that left before the headers: metered iff their prompt reached the upstream.
    // (A request admitted just before its client left may reach the upstream a little later: this is
    // evaluated again while waiting for the queue, and once more after it.)
    const leftEarly: Planned[] = [];
    const earlyMeteredNow = () => {
      const upstreamText = fake.requests.map((r) => JSON.stringify(r.body)).join('\n');
      return leftEarly.filter((p) => new RegExp(`\\b${p.nonce}\\b`).test(upstreamText)).length;
    };

    const byId = new Map<string, Outcome>();
    const meteredIds = new Set<string>();
    const unmeteredIds = new Set<string>();
    /** Limit refusals, by the message the gateway gives in every protocol's error shape. */
    const limitRefusals: string[] = [];
    for (const o of outcomes) {
      const p = o.planned;
      if (p.expect === 'early' && o.requestId === null) {
        leftEarly.push(p);
        continue;
      }
      expect(o.requestId, `request ${p.index} (${p.op.kind}) has no x-request-id`).toBeTruthy();
      const id = o.requestId as string;
      byId.set(id, o);
      const refusal = o.status === 429 ? LIMIT_REFUSAL.exec(o.text)?.[0] : undefined;
      if (p.expect === 'refused') {
        unmeteredIds.add(id);
      } else if (refusal) {
        // Refused at admission: before the governed path, so never metered.
        limitRefusals.push(`${p.account}: ${refusal.replaceAll('\\', '')}`);
        unmeteredIds.add(id);
      } else {
        // Including an early leaver that got its headers after all (a late timer on a busy machine).
        meteredIds.add(id);
      }
    }
    // The only limit that can refuse anything is the capped account's daily request quota, and it
    // admits exactly CAPPED_RPD of that account's requests, no more, no fewer.
    const capped = outcomes.filter((o) => o.planned.expect === 'capped').length;
    const quota = 'intern: daily request quota of account "intern" is used up';
    expect(limitRefusals.filter((r) => r !== quota)).toEqual([]);
    expect(capped - limitRefusals.length, 'requests admitted under the daily quota').toBe(
      Math.min(CAPPED_RPD, capped),
    );
    // Refusals are what the plan says they are.
    const refusals = { 'bad-key': 401, forbidden: 403, count: 200 } as Record<string, number>;
    expect(
      outcomes
        .filter((o) => o.planned.op.kind in refusals && o.status !== refusals[o.planned.op.kind])
        .map((o) => `${o.planned.index} ${o.planned.op.kind}: ${o.status} ${o.text.slice(0, 200)}`),
    ).toEqual([]);
    expect(fake.unexpected.map((r) => `${r.method} ${r.path}`)).toEqual([]);

    const db = await gw.d1();
    const counted = await waitForEvents(db, () => meteredIds.size + earlyMeteredNow(), 30_000);
    const earlyMetered = earlyMeteredNow();
    const expected = meteredIds.size + earlyMetered;
    const drainedMs = Date.now() - started;

    // Rollups = sum of events, for every account × day × model and every summed column; no rollup
    // row without events, no events without a rollup row, one account path per group.
    const columns = await rollupColumns(db);
    const fromEvents = await all(
      db,
      `SELECT account_id, day, model, min(account_path) AS account_path, count(DISTINCT account_path) AS paths,
        ${columns.map(([c, expr]) => `${expr} AS ${c}`).join(', ')}
       FROM usage_events GROUP BY account_id, day, model`,
    );
    const rollups = await all(
      db,
      `SELECT account_id, day, model, account_path, 1 AS paths, ${columns.map(([c]) => c).join(', ')} FROM usage_daily`,
    );
    const byKey = (rows: Row[]) => Object.fromEntries(rows.map((r) => [groupKey(r), r]));
    expect.soft(byKey(rollups), 'usage_daily vs. sums of usage_events').toEqual(byKey(fromEvents));

    // Every governed request exactly once (request_id is the events' primary key); nothing else.
    const events = await all(db, 'SELECT request_id, account_id, model, status FROM usage_events');
    const eventIds = new Set(events.map((e) => String(e['request_id'])));
    const show = (id: string) => {
      const o = byId.get(id) as Outcome;
      return `${o.planned.index} ${o.planned.account} ${JSON.stringify(o.planned.op)} → ${o.status} ${id}`;
    };
    expect
      .soft([...meteredIds].filter((id) => !eventIds.has(id)).map(show), 'governed, not metered')
      .toEqual([]);
    expect
      .soft([...unmeteredIds].filter((id) => eventIds.has(id)).map(show), 'refused, but metered')
      .toEqual([]);
    // The rest are the early leavers that reached the upstream, all of model slow-chat.
    const strangers = events.filter((e) => !meteredIds.has(String(e['request_id'])));
    expect
      .soft(
        strangers.filter((e) => e['model'] !== 'slow-chat'),
        'events of no request',
      )
      .toEqual([]);
    expect.soft(strangers.length, 'events of clients that left before the headers').toBe(earlyMetered);
    expect(counted, 'usage events').toBe(expected);

    // The mix really contained what the test is about.
    const t = (
      await all(
        db,
        `SELECT count(*) AS events, sum(status >= 400) AS errors, sum(status >= 400 AND prompt_tokens > 0) AS partial,
          sum(estimated) AS estimated, sum(unpriced) AS unpriced, sum(retries > 0) AS retried,
          sum(switched_over) AS switched, sum(cost_micros) AS cost, sum(cached_read_tokens) AS cached,
          sum(cache_write_tokens) AS cache_write, sum(reasoning_tokens) AS reasoning, sum(images) AS images,
          sum(audio_seconds) AS audio_seconds, sum(audio_chars) AS audio_chars, sum(stream) AS streamed,
          count(DISTINCT account_id) AS accounts, count(DISTINCT model) AS models
         FROM usage_events`,
      )
    )[0] as Row;
    const statuses: Record<string, number> = {};
    for (const o of outcomes)
      statuses[String(o.status ?? 'left')] = (statuses[String(o.status ?? 'left')] ?? 0) + 1;
    console.log(
      `usage-load: seed ${SEED}: sent ${REQUESTS} in ${sentMs} ms, drained at ${drainedMs} ms; ` +
        `${expected} metered (${earlyMetered} left early after reaching upstream), ${unmeteredIds.size} refused ` +
        `(${limitRefusals.length} by the daily quota), ${rollups.length} rollup rows\n` +
        `  client statuses ${JSON.stringify(statuses)}\n  events ${JSON.stringify(t)}`,
    );
    if (REQUESTS >= 200) {
      for (const k of [
        'errors',
        'estimated',
        'unpriced',
        'switched',
        'cost',
        'cached',
        'cache_write',
        'reasoning',
        'streamed',
      ]) {
        expect(Number(t[k]), `no ${k} in the mix`).toBeGreaterThan(0);
      }
      expect(Number(t['accounts'])).toBe(ACCOUNTS.length);
    }
  });
});
