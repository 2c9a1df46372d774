import { writeFileSync } from 'node:fs';
import { startFakeProvider } from '../test/fake-provider/server';
import { startGateway } from '../test/harness/gateway';
import { applyPolicy, newGatewayKey } from '../test/harness/seed';

const [gw, fake] = await Promise.all([startGateway(), startFakeProvider()]);
const key = newGatewayKey();
await applyPolicy(
  gw,
  {
    version: 1,
    accounts: [
      {
        id: 'org',
        name: 'Org',
        policy: { level_mapper: { 'gpt-*': 1, 'claude-*': 2, 'gemini-*': 3, 'compat-*': 4 } },
      },
    ],
    levels: [
      {
        id: 1,
        name: 'openai',
        keys: [{ id: 'oai', provider: 'openai', base_url: `${fake.url}/v1`, key_env: 'UP' }],
      },
      {
        id: 2,
        name: 'anthropic',
        keys: [{ id: 'ant', provider: 'anthropic', base_url: fake.url, key_env: 'UP' }],
      },
      { id: 3, name: 'gemini', keys: [{ id: 'gem', provider: 'gemini', base_url: fake.url, key_env: 'UP' }] },
      {
        id: 4,
        name: 'compat',
        keys: [{ id: 'compat', provider: 'openai-compatible', base_url: `${fake.url}/v1`, key_env: 'UP' }],
      },
    ],
    gateway_keys: [{ id: 'k', account: 'org', name: 'agents', key_env: 'KEY' }],
  },
  { UP: 'fake-ok', KEY: key },
);
writeFileSync('/tmp/wt13-env.json', JSON.stringify({ gw: gw.url, fake: fake.url, key }));
console.log(gw.url, fake.url, key);
setInterval(
  () =>
    writeFileSync(
      '/tmp/wt13-reqs.json',
      JSON.stringify({ requests: fake.requests, unexpected: fake.unexpected }, null, 1),
    ),
  1000,
);
