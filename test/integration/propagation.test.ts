// Propagation: a change made anywhere reaches every isolate within a second. Here the write is made the
// way another isolate would make it — D1 changed and the ConfigEpoch bumped, without touching this
// isolate's caches — and this isolate must notice on its own.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochShardNames } from '../../src/state/propagation';
import { applyPolicy, chat, newKey } from './helpers';

const key = newKey();
const hi = { model: 'mock-small', messages: [{ role: 'user', content: 'hi' }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await applyPolicy(
    {
      version: 1,
      accounts: [{ id: 'pr-org', name: 'Org', policy: { level_mapper: { '*': 31 } } }],
      levels: [{ id: 31, name: 'mock', keys: [{ id: 'pr-mock', provider: 'mock' }] }],
      gateway_keys: [{ id: 'pr-key', account: 'pr-org', name: 'k', key_env: 'K' }],
    },
    { gatewayKeys: { 'pr-key': key } },
  );
});

describe('propagation of admin writes', () => {
  it('refuses a key revoked elsewhere within a second, through the config epoch alone', async () => {
    expect((await chat(key, hi)).status).toBe(200);
    await env.DB.prepare("UPDATE gateway_keys SET revoked_at = ? WHERE id = 'pr-key'").bind(Date.now()).run();

    // Without the epoch moving, this isolate keeps its cache: proof that the epoch is what propagates.
    await sleep(600);
    expect((await chat(key, hi)).status).toBe(200);

    for (const name of epochShardNames) await env.CONFIG_EPOCH.get(env.CONFIG_EPOCH.idFromName(name)).bump();
    await sleep(600);
    const res = await chat(key, hi);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('key_revoked');
  });
});
