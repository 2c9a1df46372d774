// The AccountGovernor Durable Object returns an expired parent lease by alarm, without traffic,
// and keeps its counters across eviction (state in SQLite storage).
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ExchangeRequest } from '../../durable-objects/governor-core';

const chain = [
  { id: 'al-root', limits: { rpd: 100 } },
  { id: 'al-child', limits: { rpm: 1_000 } },
];
const stub = (id: string) => env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName(id));
const ask = (now: number, want: number): ExchangeRequest => ({
  chain,
  timeZone: 'UTC',
  now,
  model: 'm',
  want: { requests: want },
  need: { requests: 1 },
});

describe('AccountGovernor', () => {
  it("hands an expired parent lease back by alarm, so the parent's quota is whole again", async () => {
    const now = Date.now();
    const granted = await stub('al-child').exchange(ask(now, 5));
    expect(granted).toMatchObject({ ok: true, grant: { rpd: 5, rpm: 5 } });
    // The child leased 10 (twice what was wanted) from the root: 90 left there.
    const root = await stub('al-root').snapshot();
    expect(root.state.pools['rpd']).toMatchObject({ used: 10 });
    // The child's caller gives back 3 unused; the lease expires; the alarm returns the 8 unused.
    await stub('al-child').exchange({ ...ask(now, 0), want: {}, need: {}, returned: { rpd: 3, rpm: 3 } });
    await new Promise((r) => setTimeout(r, 1_100));
    // The runtime fires the alarm at expiry by itself; run it here in case it has not yet.
    await runDurableObjectAlarm(stub('al-child'));
    const after = await stub('al-root').snapshot();
    expect(after.state.pools['rpd']).toMatchObject({ used: 2 });
    expect((await stub('al-child').snapshot()).state.lease).toMatchObject({ balances: {}, expiresAt: 0 });
  });
});
