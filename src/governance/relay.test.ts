import { describe, expect, it } from 'vitest';

import { CallRate, type HintedResult, RELAY_HOLD_MS } from '../../durable-objects/relay';
import { governorTree, link } from '../../test/support/governor-tree';
import type { Clock } from '../lib/clock';
import { GovernorRefusal, LeaseClient } from './lease-client';
import { relayingExchange } from './relay';

function fakeClock(): Clock & { t: number } {
  return {
    t: 0,
    now() {
      return this.t;
    },
    setTimeout: () => 0,
    clearTimeout: () => {},
  };
}

describe('relays for a busy governor', () => {
  it('goes through the colo and region relays once the governor says it is busy, within the limit', async () => {
    const t = governorTree();
    const clock = fakeClock();
    let busy = false;
    const direct = async (id: string, req: Parameters<typeof t.route>[0]) => {
      const result = await t.route(req);
      return busy && !id.includes('@') && result.ok ? { ...result, busy: true as const } : result;
    };
    const place = { colo: 'FRA', region: 'EU' };
    const exchange = relayingExchange(
      direct,
      () => place,
      clock,
      () => 0,
    );
    const chain = [link('org', { rpm: 60 }), link('user', { rpm: 40 })];
    const client = new LeaseClient(exchange, { clock });
    const demand = { model: 'm', tokens: 1, cost: 0 };

    await client.admit({ chain, timeZone: 'UTC', demand, now: 0 });
    expect(t.calls.get('user@EU/FRA')).toBeUndefined();
    busy = true;
    clock.t = 600; // the first grant expired: the next request exchanges, and hears "busy"
    await client.admit({ chain, timeZone: 'UTC', demand, now: clock.t });
    clock.t = 1_200;
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => client.admit({ chain, timeZone: 'UTC', demand, now: clock.t })),
    );
    expect(t.calls.get('user@EU/FRA')).toBeGreaterThan(0);
    expect(t.calls.get('user@EU')).toBeGreaterThan(0);
    // Two admitted before; the user's 40 RPM holds through the relays.
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(38);
    expect(results.some((r) => r.status === 'rejected' && r.reason instanceof GovernorRefusal)).toBe(true);

    // After the hold, the isolate tries the governor directly again.
    busy = false;
    const before = t.calls.get('user') ?? 0;
    const relayedBefore = t.calls.get('user@EU/FRA');
    clock.t += RELAY_HOLD_MS * 1.5 + 1;
    await client.admit({ chain, timeZone: 'UTC', demand, now: clock.t }).catch(() => {});
    expect(t.calls.get('user@EU/FRA')).toBe(relayedBefore);
    expect((t.calls.get('user') ?? 0) - before).toBeGreaterThan(0);
  });

  it('does not relay without a place (local development)', async () => {
    const t = governorTree();
    const clock = fakeClock();
    const direct = async (_id: string, req: Parameters<typeof t.route>[0]): Promise<HintedResult> => {
      const r = await t.route(req);
      return r.ok ? { ...r, busy: true as const } : r;
    };
    const client = new LeaseClient(
      relayingExchange(direct, () => undefined, clock),
      { clock },
    );
    const chain = [link('user', { rpm: 10 })];
    for (let i = 0; i < 3; i++) {
      clock.t += 600;
      await client.admit({
        chain,
        timeZone: 'UTC',
        demand: { model: 'm', tokens: 1, cost: 0 },
        now: clock.t,
      });
    }
    expect([...t.calls.keys()]).toEqual(['user']);
  });

  it('counts calls per second over a sliding second', () => {
    const rate = new CallRate();
    let r = 0;
    for (let ms = 0; ms < 3_000; ms += 2) r = rate.hit(ms);
    expect(r).toBeGreaterThan(450);
    expect(r).toBeLessThan(550);
    expect(rate.hit(10_000)).toBe(1);
  });
});
