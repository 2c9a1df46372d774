// One upstream level per provider kind, all on the fake provider, for the protocol tests: which
// client protocol reaches which upstream, passed through or translated. Model prefixes pick the
// level. Upstream keys are scripted (`/__fake/script`) to report every token class, so usage rows
// can be checked exactly: K cached-read, X cache-write and R reasoning tokens on top of the fake's
// word counts (test/fake-provider/server.ts documents the rules).
import { env } from 'cloudflare:test';
import type { PolicyFileInput } from '../../src/policy/file-schema';
import { call, eventually } from './helpers';

export const K = 3;
export const X = 2;
export const R = 4;

/** Upstream secrets; the `-usage` ones are scripted to report K, X and R. */
export const upstreamSecrets = {
  compat: 'proto-compat-usage',
  anthropic: 'proto-anthropic-usage',
  gemini: 'proto-gemini-usage',
  openai: 'proto-openai-usage',
  azure: 'proto-azure-usage',
};

export async function scriptUsage(fakeUrl: string): Promise<void> {
  for (const key of Object.values(upstreamSecrets)) {
    const res = await fetch(`${fakeUrl}/__fake/script`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        key,
        behaviours: [{ usage: { cachedTokens: K, cacheWriteTokens: X, reasoningTokens: R } }],
      }),
    });
    if (!res.ok) throw new Error(`script failed: ${await res.text()}`);
  }
}

export function protocolPolicy(
  fakeUrl: string,
  org: string,
  extra: Partial<PolicyFileInput> = {},
): PolicyFileInput {
  return {
    version: 1,
    accounts: [
      {
        id: org,
        name: 'Protocols',
        timezone: 'UTC',
        level: 15,
        policy: {
          allow_models: [
            'compat-*',
            'claude-*',
            'gemini-*',
            'oai-*',
            'mock-*',
            'cut-*',
            'azure-*',
            'faulty-*',
          ],
          model_mapper: { 'alias-claude': 'claude-mapped' },
          level_mapper: {
            'compat-*': 11,
            'claude-*': 12,
            'gemini-*': 13,
            'oai-*': 14,
            'mock-*': 15,
            'cut-*': 16,
            'azure-*': 17,
            'faulty-idle': 18,
            'faulty-flaky': 19,
            'faulty-down': 20,
          },
        },
      },
    ],
    levels: [
      {
        id: 11,
        name: 'compatible',
        keys: [
          { id: 'p-compat', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'P_COMPAT' },
        ],
      },
      {
        id: 12,
        name: 'anthropic',
        // The root URL, without /v1: the adapter adds the version segment.
        keys: [{ id: 'p-anthropic', provider: 'anthropic', base_url: fakeUrl, key_env: 'P_ANTHROPIC' }],
      },
      {
        id: 13,
        name: 'gemini',
        keys: [{ id: 'p-gemini', provider: 'gemini', base_url: fakeUrl, key_env: 'P_GEMINI' }],
      },
      {
        id: 14,
        name: 'openai',
        keys: [{ id: 'p-openai', provider: 'openai', base_url: `${fakeUrl}/v1`, key_env: 'P_OPENAI' }],
      },
      { id: 15, name: 'mock', keys: [{ id: 'p-mock', provider: 'mock' }] },
      {
        id: 16,
        name: 'cuts streams after 4 events',
        keys: [{ id: 'p-cut', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'P_CUT' }],
      },
      {
        id: 17,
        name: 'azure',
        keys: [
          {
            id: 'p-azure',
            provider: 'azure-openai',
            base_url: fakeUrl,
            key_env: 'P_AZURE',
            deployment: 'dep-1',
          },
        ],
      },
      {
        id: 18,
        name: 'goes quiet mid-stream',
        timeouts: { idle_ms: 300 },
        keys: [{ id: 'p-idle', provider: 'openai-compatible', base_url: `${fakeUrl}/v1`, key_env: 'P_IDLE' }],
      },
      {
        id: 19,
        name: 'an overloaded anthropic key, then a healthy one',
        retries: 1,
        keys: [
          {
            id: 'p-overloaded',
            provider: 'anthropic',
            base_url: fakeUrl,
            key_env: 'P_OVERLOADED',
            weight: 1000,
          },
          { id: 'p-healthy', provider: 'anthropic', base_url: fakeUrl, key_env: 'P_HEALTHY', weight: 1 },
        ],
      },
      {
        id: 20,
        name: 'a failing anthropic key',
        retries: 0,
        keys: [{ id: 'p-down', provider: 'anthropic', base_url: fakeUrl, key_env: 'P_DOWN' }],
      },
    ],
    gateway_keys: [{ id: `${org}-key`, account: org, name: 'protocols', key_env: 'PROTO_KEY' }],
    prices: [{ model: 'claude-mapped', input: '1', output: '2', cached_read: '0.5', cache_write: '1.5' }],
    ...extra,
  };
}

export const protocolUpstreamKeys = {
  'p-compat': upstreamSecrets.compat,
  'p-anthropic': upstreamSecrets.anthropic,
  'p-gemini': upstreamSecrets.gemini,
  'p-openai': upstreamSecrets.openai,
  'p-cut': 'fake-cut-4',
  'p-azure': upstreamSecrets.azure,
  'p-idle': 'fake-drip-1000',
  'p-overloaded': 'fake-529',
  'p-healthy': 'fake-ok',
  'p-down': 'fake-500',
};

export type UsageRow = {
  endpoint: string;
  client_protocol: string;
  provider: string;
  model: string;
  status: number;
  error_code: string | null;
  stream: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  images: number;
  audio_seconds: number;
  audio_chars: number;
  estimated: number;
  unpriced: number;
  retries: number;
  upstream_key_id: string | null;
  cost_micros: number;
};

/** The usage event of a response (waits for the Queue consumer). */
export function usageOf(res: Response): Promise<UsageRow> {
  const id = res.headers.get('x-request-id');
  return eventually(
    async () =>
      (await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?').bind(id).first<UsageRow>()) ??
      undefined,
  );
}

/** The token classes of a usage row, for one toEqual. */
export function tokens(row: UsageRow) {
  return {
    prompt: row.prompt_tokens,
    completion: row.completion_tokens,
    cachedRead: row.cached_read_tokens,
    cacheWrite: row.cache_write_tokens,
    reasoning: row.reasoning_tokens,
  };
}

export function post(key: string, path: string, json: unknown, headers: Record<string, string> = {}) {
  return call(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, json });
}

/** SSE events of a body: event name (when named) and parsed data (raw string when not JSON). */
export function sseEvents(text: string): { event?: string; data: unknown }[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const raw = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {
        // [DONE] and the like stay strings.
      }
      return event === undefined ? { data } : { event, data };
    });
}
