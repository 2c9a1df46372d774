import { describe, expect, it } from 'vitest';
import { governorTree, link } from '../../test/support/governor-tree';
import { SHARED_WAIT_MS } from '../lib/shared-wait';
import type { PolicyLayer } from '../policy/effective';
import type { Policy } from '../policy/schema';
import { governedChain, walletOf } from './chain';
import { GovernorRefusal, LeaseClient, RETRY_RETURNING_MS } from './lease-client';
import { refusalError } from './refusal';

describe('isolate lease client', () => {
  it('admits exactly the limit of 200 racing requests, with a handful of governor exchanges', async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const chain = [link('team', { rpm: 50 })];
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        client.admit({
          chain,
          timeZone: 'UTC',
          demand: { model: 'm', tokens: 10, cost: 0 },
          now: 1_000,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const refusal = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refusal.reason).toBeInstanceOf(GovernorRefusal);
    expect(t.calls.get('team')).toBeLessThanOrEqual(3);
  });

  it('serves warm requests from memory: far fewer exchanges than requests', async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const chain = [link('org', { rpm: 100_000 }), link('team', { rpm: 50_000 })];
    let now = 0;
    for (let i = 0; i < 2_000; i++) {
      now += 2; // 500 requests per second
      await client.admit({
        chain,
        timeZone: 'UTC',
        demand: { model: 'm', tokens: 10, cost: 0 },
        now: now,
      });
    }
    expect(t.calls.get('team')).toBeLessThan(100);
    expect(t.calls.get('org')).toBeLessThan(40);
  });

  it('never admits more than a shared ancestor allows across its children', async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const root = link('root', { rpd: 30 });
    const a = [root, link('a', { rpm: 1_000 })];
    const b = [root, link('b', { rpm: 1_000 })];
    const all = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        client.admit({
          chain: i % 2 ? a : b,
          timeZone: 'UTC',
          demand: { model: 'm', tokens: 1, cost: 0 },
          now: 0,
        }),
      ),
    );
    expect(all.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(30);
    expect(all.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
  });

  it('settles tokens: the unused reservation is given back and becomes available again', async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const chain = [link('team', { tpm: 1_000 })];
    const first = await client.admit({
      chain,
      timeZone: 'UTC',
      demand: { model: 'm', tokens: 900, cost: 0 },
      now: 0,
    });
    await expect(
      client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 900, cost: 0 }, now: 1 }),
    ).rejects.toBeInstanceOf(GovernorRefusal);
    client.settle({ admission: first, actual: { tokens: 100, cost: 0 }, chain, timeZone: 'UTC', now: 2 });
    // The refusal is remembered briefly; after it, the returned 800 tokens serve the next request.
    const later = 2 + 1_000;
    await expect(
      client.admit({
        chain,
        timeZone: 'UTC',
        demand: { model: 'm', tokens: 600, cost: 0 },
        now: later,
      }),
    ).resolves.toMatchObject({
      taken: { tpm: { unit: 'tokens', amount: 600 } },
    });
  });

  it('remembers a refusal briefly instead of asking the governor for every refused request', async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const chain = [link('team', { rpd: 1 })];
    await client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 1, cost: 0 }, now: 0 });
    // Past a lease's life after the last grant: nothing can come back, the refusal is final.
    for (let i = 0; i < 20; i++) {
      await expect(
        client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 1, cost: 0 }, now: 2_000 }),
      ).rejects.toBeInstanceOf(GovernorRefusal);
    }
    expect(t.calls.get('team')).toBe(2);
  });

  it('asks again before refusing when units granted to a sibling may come back, and gets them', async () => {
    const t = governorTree();
    const exchange = (_: string, req: Parameters<typeof t.route>[0]) => t.route({ ...req, now: Date.now() });
    const sibling = new LeaseClient(exchange);
    const client = new LeaseClient(exchange);
    const chain = [link('team', { tpd: 1_000 })];
    const demand = { model: 'm', tokens: 600, cost: 0 };
    const held = await sibling.admit({ chain, timeZone: 'UTC', demand });
    const started = Date.now();
    const waiting = client.admit({ chain, timeZone: 'UTC', demand });
    // The sibling's request used 100 of its 600 tokens: 500 go back within SETTLE_COALESCE_MS.
    sibling.settle({ admission: held, actual: { tokens: 100, cost: 0 }, chain, timeZone: 'UTC' });
    await expect(waiting).resolves.toMatchObject({ governorId: 'team' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(RETRY_RETURNING_MS - 50);
    // One refused exchange, one settlement, one granted retry.
    expect(t.calls.get('team')).toBeLessThanOrEqual(4);
  });

  it("stops waiting on another request's exchange that never settles, and exchanges itself", async () => {
    const t = governorTree();
    let calls = 0;
    const client = new LeaseClient((_, req) => (++calls === 1 ? new Promise(() => {}) : t.route(req)));
    const chain = [link('team', { rpm: 10 })];
    // The first request's exchange is orphaned (its request went away); it never settles.
    void client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 1, cost: 0 }, now: 0 });
    const started = Date.now();
    await expect(
      client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 1, cost: 0 }, now: 0 }),
    ).resolves.toMatchObject({ governorId: 'team' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(SHARED_WAIT_MS - 50);
  });

  it("never refuses another request's smaller need with a remembered refusal", async () => {
    const t = governorTree();
    const client = new LeaseClient((_, req) => t.route(req));
    const chain = [link('team', { tpm: 10_000 })];
    const huge = client.admit({
      chain,
      timeZone: 'UTC',
      demand: { model: 'm', tokens: 5e9, cost: 0 },
      now: 0,
    });
    await expect(huge).rejects.toBeInstanceOf(GovernorRefusal);
    const refusal = ((await huge.catch((e: unknown) => e)) as GovernorRefusal).refusal;
    expect(refusal.exceeds).toEqual({ capacity: 10_000 });
    // The same impossible need is still refused from memory, without asking the governor again.
    const calls = t.calls.get('team');
    await expect(
      client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 5e9, cost: 0 }, now: 5 }),
    ).rejects.toBeInstanceOf(GovernorRefusal);
    expect(t.calls.get('team')).toBe(calls);
    // The next ordinary request on the same lease, within the refusal's memory, is admitted.
    await expect(
      client.admit({ chain, timeZone: 'UTC', demand: { model: 'm', tokens: 100, cost: 0 }, now: 10 }),
    ).resolves.toMatchObject({
      taken: { tpm: { amount: 100 } },
    });
  });
});

describe('refusal errors', () => {
  it('answers "can never fit" with a 400 policy error without Retry-After, a rate with a 429', () => {
    const exceeds = refusalError({
      limit: 'tpm',
      accountId: 'team',
      retryAfterMs: null,
      resetAt: null,
      need: 5e9,
      exceeds: { capacity: 10_000 },
    });
    expect(exceeds).toMatchObject({ status: 400, code: 'request_exceeds_limit' });
    expect(exceeds.headers()).toEqual({});
    const rate = refusalError({
      limit: 'tpm',
      accountId: 'team',
      retryAfterMs: 2_000,
      resetAt: null,
      need: 10,
    });
    expect(rate).toMatchObject({ status: 429, code: 'token_rate_limit_exceeded' });
    expect(rate.headers()).toEqual({ 'retry-after': '2' });
  });

  it('judges a grant by the clock at admission: a request that waited does not spend an expired grant', async () => {
    const t = governorTree();
    let clockNow = 0;
    const clock = { now: () => clockNow, setTimeout: () => 0, clearTimeout: () => {} };
    let exchanges = 0;
    const client = new LeaseClient(
      async (_, req) => {
        exchanges++;
        // A grant for several requests, so the waiting one could be served from it.
        const result = await t.route({ ...req, want: { requests: 10 } });
        // The first answer comes back 600 ms later: past the 500 ms life of the grant it carries.
        if (exchanges === 1) clockNow += 600;
        return result;
      },
      { maxBatch: 256, refusalMemoMs: 1_000, clock },
    );
    const chain = [link('team', { rpm: 1_000 })];
    const demand = { model: 'm', tokens: 1, cost: 0 };
    // Two requests arrive at 0; the second waits on the first one's exchange.
    const [a, b] = await Promise.all([
      client.admit({ chain, timeZone: 'UTC', demand, now: 0 }),
      client.admit({ chain, timeZone: 'UTC', demand, now: 0 }),
    ]);
    expect(a.governorId).toBe('team');
    expect(b.governorId).toBe('team');
    // The grant came back expired (sent at 0, lives 500 ms, answered at 600): neither request spends
    // it; a second exchange serves both.
    expect(exchanges).toBe(2);
  });
});

describe('wallets', () => {
  const layer = (id: string, policy: Policy): PolicyLayer => ({ source: `account:${id}`, policy });

  it('pays from the nearest own wallet; prepaid is read at the payer, inherited from above', () => {
    const layers = [
      layer('org', { prepaid: true }),
      layer('dept', {}),
      layer('team', { wallet: 'inherit' }),
      layer('alice', { wallet: 'inherit' }),
    ];
    expect(walletOf(layers)).toEqual({ accountId: 'dept', prepaid: true });
    expect(governedChain(layers)).toEqual([{ id: 'dept', limits: { credit: true } }]);
    // A postpaid payer carries no credit pool; the root pays for itself even when told to inherit.
    expect(walletOf([layer('org', { wallet: 'inherit' }), layer('t', { wallet: 'inherit' })])).toEqual({
      accountId: 'org',
      prepaid: false,
    });
    expect(governedChain([layer('org', {}), layer('t', { prepaid: false })])).toEqual([]);
  });
});
