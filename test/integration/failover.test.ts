// Sleep on error (routing and key pools): a key answering 429 gets no traffic until its Retry-After passes
// while the
// healthy key serves every request; a request is retried on the next key before any byte is sent.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { basePolicy } from './fixtures';
import { applyPolicy, chat, newKey } from './helpers';

const fakeUrl = inject('fakeProviderUrl');
const key = newKey();

interface Seen {
  requests: { key: string; path: string }[];
}

beforeAll(async () => {
  await fetch(`${fakeUrl}/__fake/reset`, { method: 'POST' });
  await applyPolicy(basePolicy(fakeUrl), {
    gatewayKeys: { 'team-key': key, 'intern-key': newKey() },
    upstreamKeys: { 'fake-a': 'fake-429-ra30', 'fake-b': 'fake-ok' },
  });
});

describe('key pool failover', () => {
  it('retries a 429 on the healthy key, then stops sending to the cooling key', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await chat(key, { model: 'fake-small', messages: [{ role: 'user', content: `n ${i}` }] });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe(`Echo: n ${i}`);
    }
    const seen = (await (await fetch(`${fakeUrl}/__fake/requests`)).json()) as Seen;
    const byKey = (k: string) => seen.requests.filter((r) => r.key === k).length;
    expect(byKey('fake-ok')).toBe(10);
    // At most the first pick landed on the rate-limited key before it was put to sleep.
    expect(byKey('fake-429-ra30')).toBe(1);
  });
});
