import { describe, expect, it } from 'vitest';
import { link, governorTree as tree } from '../test/support/governor-tree';
import type { ChainLink } from './dims';
import { type ExchangeRequest, type ExchangeResult, emptyState, GovernorCore } from './governor-core';
import { nextPeriodStart } from './pools';

const ask = (chain: ChainLink[], now: number, extra: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
  chain,
  timeZone: 'UTC',
  now,
  model: 'm',
  want: { requests: 1 },
  need: { requests: 1 },
  ...extra,
});

describe('governor core', () => {
  it('grants exactly the RPM limit to 200 racing exchanges at one instant', async () => {
    const t = tree();
    const chain = [link('team', { rpm: 50 })];
    const results = await Promise.all(Array.from({ length: 200 }, () => t.route(ask(chain, 1_000))));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    const refused = results.find((r) => !r.ok);
    expect(refused).toEqual({
      ok: false,
      refusal: { limit: 'rpm', accountId: 'team', retryAfterMs: 1_200, resetAt: null, need: 1 },
    });
  });

  it('grants between need and want, bounded by what is available', async () => {
    const t = tree();
    const chain = [link('team', { rpm: 10 })];
    expect(await t.route(ask(chain, 0, { want: { requests: 8 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 8 },
    });
    expect(await t.route(ask(chain, 0, { want: { requests: 8 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 2 },
    });
    expect((await t.route(ask(chain, 0, { want: { requests: 8 } }))).ok).toBe(false);
    // Unused units come back.
    expect(await t.route(ask(chain, 0, { want: { requests: 8 }, returned: { rpm: 3 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 3 },
    });
  });

  it('counts a request against every ancestor: a child exhausting the parent quota starves its sibling', async () => {
    const t = tree();
    const root = link('root', { rpd: 10 });
    const a = [root, link('a', {})];
    const b = [root, link('b', {})];
    let grantedA = 0;
    for (;;) {
      const r = await t.route(ask(a, 0));
      if (!r.ok) {
        expect(r.refusal).toMatchObject({ limit: 'rpd', accountId: 'root', retryAfterMs: null });
        break;
      }
      grantedA++;
    }
    expect(grantedA).toBe(10);
    const r = await t.route(ask(b, 0));
    expect(r).toMatchObject({ ok: false, refusal: { limit: 'rpd', accountId: 'root' } });
  });

  it('keeps the root off the per-request path: one parent exchange serves many child grants', async () => {
    const t = tree();
    const chain = [link('root', { rpm: 1_000 }), link('leaf', { rpm: 1_000 })];
    for (let i = 0; i < 40; i++)
      expect((await t.route(ask(chain, 0, { want: { requests: 4 } }))).ok).toBe(true);
    expect(t.calls.get('leaf')).toBe(40);
    expect(t.calls.get('root')).toBeLessThanOrEqual(8);
  });

  it('returns an expired parent lease before taking a new one, so siblings get the capacity back', async () => {
    const t = tree();
    const root = link('root', { rpm: 10 });
    const a = [root, link('a', { rpm: 100 })];
    const b = [root, link('b', { rpm: 100 })];
    // a asks for 4 and its governor leases 8 from the root.
    expect(await t.route(ask(a, 0, { want: { requests: 4 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 4 },
    });
    expect(await t.route(ask(b, 0, { want: { requests: 10 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 2 },
    });
    // After a's lease expires, its unused 4 flow back to the root on release.
    await t.get('a').releaseParentLease(a, 'UTC', 1_000);
    expect(await t.route(ask(b, 1_000, { want: { requests: 10 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 4 },
    });
  });

  it('settles actual usage above the reservation as debt, bounding budget overshoot to the estimate error', async () => {
    const t = tree();
    const chain = [link('org', { dailyBudget: 1_000 })];
    const reserve = (now: number) => t.route(ask(chain, now, { want: { cost: 300 }, need: { cost: 300 } }));
    expect((await reserve(0)).ok).toBe(true);
    expect((await reserve(0)).ok).toBe(true);
    expect((await reserve(0)).ok).toBe(true);
    // Actual costs: 250, 400 and 300 — 50 back, 100 beyond the estimate.
    await t.route(
      ask(chain, 0, { want: {}, need: {}, returned: { daily_budget: 50 }, extra: { daily_budget: 100 } }),
    );
    const refused = await reserve(0);
    expect(refused).toMatchObject({ ok: false, refusal: { limit: 'daily_budget', accountId: 'org' } });
    expect(t.get('org').state.pools['daily_budget']).toMatchObject({ used: 950 });
  });

  it("resets daily quotas at midnight in the root's time zone", async () => {
    const t = tree();
    const chain = [link('org', { rpd: 1 })];
    const tz = 'America/New_York';
    // 2026-03-01 23:59:59 in New York is 04:59:59Z on 2026-03-02.
    const beforeMidnight = Date.parse('2026-03-02T04:59:59Z');
    expect(nextPeriodStart('day', tz, beforeMidnight)).toBe(Date.parse('2026-03-02T05:00:00Z'));
    expect((await t.route(ask(chain, beforeMidnight, { timeZone: tz }))).ok).toBe(true);
    const refused = await t.route(ask(chain, beforeMidnight + 500, { timeZone: tz }));
    expect(refused).toMatchObject({
      ok: false,
      refusal: { limit: 'rpd', resetAt: Date.parse('2026-03-02T05:00:00Z') },
    });
    expect((await t.route(ask(chain, beforeMidnight + 1_000, { timeZone: tz }))).ok).toBe(true);
    // UTC midnight is not New York's: still the same New York day.
    expect((await t.route(ask(chain, Date.parse('2026-03-03T00:30:00Z'), { timeZone: tz }))).ok).toBe(false);
  });

  it('applies per-model limits only to matching models, at every level', async () => {
    const t = tree();
    const chain = [link('root', { modelLimits: { 'gpt-4*': { rpm: 1 } } }), link('leaf', {})];
    expect((await t.route(ask(chain, 0, { model: 'gpt-4o' }))).ok).toBe(true);
    expect(await t.route(ask(chain, 0, { model: 'gpt-4o-mini' }))).toMatchObject({
      ok: false,
      refusal: { limit: 'model_rpm:gpt-4*', accountId: 'root' },
    });
    expect((await t.route(ask(chain, 0, { model: 'mock-small' }))).ok).toBe(true);
  });

  it('reconciles period counters up to the rollups, never down, and leaves rates alone', async () => {
    const t = tree();
    const limits = { rpd: 100, dailyBudget: 1_000, rpm: 50 };
    const chain = [link('acct', limits)];
    for (let i = 0; i < 3; i++) expect((await t.route(ask(chain, 0))).ok).toBe(true);
    const core = t.get('acct');
    // The rollups saw 90 requests (settlements this counter missed): it rises to 90.
    expect(await core.reconcile(limits, { rpd: 90, daily_budget: 400, rpm: 40 }, 'UTC', 10)).toEqual({
      rpd: 87,
      daily_budget: 400,
    });
    // Rollups behind the counter (requests still in flight) lower nothing.
    expect(await core.reconcile(limits, { rpd: 5, daily_budget: 0 }, 'UTC', 20)).toEqual({});
    expect(core.state.pools['rpd']).toEqual({ kind: 'period', used: 90, key: '1970-01-01' });
    // 10 requests are left today, then the limit holds.
    for (let i = 0; i < 10; i++) expect((await t.route(ask(chain, 30))).ok).toBe(true);
    expect(await t.route(ask(chain, 30))).toMatchObject({ ok: false, refusal: { limit: 'rpd' } });
  });

  it('admits a request that needs none of an ancestor budget until that budget is used up', async () => {
    const root = link('root', { dailyBudget: 1_000 });
    const chain = [root, link('child', { rpd: 10 })];
    const free = { want: { requests: 1, cost: 0 }, need: { requests: 1, cost: 0 } };
    expect(await tree().route(ask(chain, 0, free))).toMatchObject({ ok: true });
    // Another child spends the whole budget: now the unpriced request is refused, naming the root.
    const t = tree();
    const spend = { want: { requests: 1, cost: 1_000 }, need: { requests: 1, cost: 1_000 } };
    expect(await t.route(ask([root, link('other', { rpd: 10 })], 0, spend))).toMatchObject({ ok: true });
    expect(await t.route(ask(chain, 0, free))).toMatchObject({
      ok: false,
      refusal: { limit: 'daily_budget', accountId: 'root' },
    });
  });

  it('refuses a need no pool could ever hold as exceeding the limit, with no wait to offer', async () => {
    const t = tree();
    const chain = [link('team', { tpm: 10_000 })];
    const huge = await t.route(ask(chain, 0, { want: { tokens: 1e12 }, need: { tokens: 1e12 } }));
    expect(huge).toEqual({
      ok: false,
      refusal: {
        limit: 'tpm',
        accountId: 'team',
        retryAfterMs: null,
        resetAt: null,
        need: 1e12,
        exceeds: { capacity: 10_000 },
      },
    });
    expect(await t.route(ask(chain, 0, { want: { tokens: 500 }, need: { tokens: 500 } }))).toMatchObject({
      ok: true,
      grant: { tpm: 500 },
    });
  });

  it('checks its own pools before the parent lease: an exhausted child takes no parent units', async () => {
    const t = tree();
    const root = link('root', { rpm: 10 });
    const a = [root, link('a', { rpd: 2 })];
    const b = [root, link('b', {})];
    expect((await t.route(ask(a, 0))).ok).toBe(true);
    expect((await t.route(ask(a, 0))).ok).toBe(true);
    const rootCalls = t.calls.get('root') ?? 0;
    // The noisy child keeps asking after its own quota is spent.
    for (let i = 0; i < 50; i++)
      expect(await t.route(ask(a, 0))).toMatchObject({
        ok: false,
        refusal: { limit: 'rpd', accountId: 'a' },
      });
    expect(t.calls.get('root') ?? 0).toBe(rootCalls);
    expect(t.get('a').state.lease.balances['rpm'] ?? 0).toBeLessThanOrEqual(0);
    // Its sibling gets the rest of the root's minute at once.
    expect(await t.route(ask(b, 0, { want: { requests: 8 } }))).toMatchObject({
      ok: true,
      grant: { rpm: 8 },
    });
  });

  it('never reopens an ended day for a late caller: a request timed before midnight counts in the new day', async () => {
    const t = tree();
    const chain = [link('org', { rpd: 2 })];
    const tz = 'America/New_York';
    const midnight = Date.parse('2026-03-02T05:00:00Z');
    const day = { timeZone: tz, want: { requests: 2 } };
    expect(await t.route(ask(chain, midnight + 10, day))).toMatchObject({ ok: true, grant: { rpd: 2 } });
    // Sent before midnight, served after: yesterday's counter is gone, today's is used up.
    expect(await t.route(ask(chain, midnight - 10, day))).toMatchObject({
      ok: false,
      refusal: { limit: 'rpd' },
    });
    expect(await t.route(ask(chain, midnight + 20, day))).toMatchObject({
      ok: false,
      refusal: { limit: 'rpd' },
    });
  });

  it("credits units of an ended day to no counter: yesterday's unused grant does not free today's quota", async () => {
    const t = tree();
    const root = link('root', { rpd: 4 });
    const chain = [root, link('team', { rpd: 2 })];
    const tz = 'America/New_York';
    const midnight = Date.parse('2026-03-02T05:00:00Z');
    const day = { timeZone: tz, want: { requests: 2 } };
    expect(await t.route(ask(chain, midnight - 100, day))).toMatchObject({ ok: true, grant: { rpd: 2 } });
    expect(await t.route(ask(chain, midnight + 100, day))).toMatchObject({ ok: true, grant: { rpd: 2 } });
    // Yesterday's grant comes back unused after midnight: today's counters stay as they are.
    const late = { ...day, returned: { rpd: 2 }, returnedAt: midnight - 100 };
    expect(await t.route(ask(chain, midnight + 200, late))).toMatchObject({
      ok: false,
      refusal: { limit: 'rpd' },
    });
    expect(t.get('team').state.pools['rpd']).toMatchObject({ used: 2 });
    // Today's unused units do come back.
    const today = { ...day, returned: { rpd: 1 }, returnedAt: midnight + 100 };
    expect(await t.route(ask(chain, midnight + 300, today))).toMatchObject({ ok: true, grant: { rpd: 1 } });
  });

  it('answers an exchange its lease covers while another waits on the parent', async () => {
    const parentCalls: ((r: ExchangeResult) => void)[] = [];
    const core = new GovernorCore(
      emptyState(),
      () => new Promise<ExchangeResult>((resolve) => parentCalls.push(resolve)),
      { grantTtlMs: 500, parentLeaseTtlMs: 1_000 },
    );
    const chain = [link('root', { rpm: 1_000 }), link('leaf', {})];
    const first = core.exchange(ask(chain, 0, { want: { requests: 4 } }));
    parentCalls[0]?.({ ok: true, grant: { rpm: 8 }, ttlMs: 500 });
    expect(await first).toMatchObject({ ok: true, grant: { rpm: 4 } });
    // A big ask the lease cannot cover goes to the parent, whose answer takes a while...
    const big = core.exchange(ask(chain, 100, { want: { requests: 50 }, need: { requests: 50 } }));
    expect(parentCalls).toHaveLength(2);
    // ...and a small one the lease covers is answered meanwhile, without a second parent call.
    const small = core.exchange(ask(chain, 100));
    const first2 = await Promise.race([small, new Promise((r) => setTimeout(() => r('waited'), 50))]);
    expect(first2).toMatchObject({ ok: true, grant: { rpm: 1 } });
    expect(parentCalls).toHaveLength(2);
    parentCalls[1]?.({ ok: true, grant: { rpm: 100 }, ttlMs: 500 });
    expect(await big).toMatchObject({ ok: true, grant: { rpm: 50 } });
  });

  it('renews its lease before it ends, sized by the last second: a steady child asks its parent about twice a second', async () => {
    const t = tree();
    const chain = [link('root', { rpm: 100_000 }), link('leaf', { rpm: 100_000 })];
    // 100 exchanges a second, one request's worth each, for 5 s.
    for (let now = 0; now < 5_000; now += 10) expect((await t.route(ask(chain, now))).ok).toBe(true);
    // Restarting from twice the want at every expiry took ~6 parent exchanges a second here.
    expect(t.calls.get('root')).toBeLessThanOrEqual(13);
  });

  it("remembers its parent's refusal briefly instead of asking again for every exchange", async () => {
    const t = tree();
    const chain = [link('root', { rpd: 2 }), link('leaf', {})];
    expect((await t.route(ask(chain, 0))).ok).toBe(true);
    expect((await t.route(ask(chain, 0))).ok).toBe(true);
    for (let i = 0; i < 10; i++)
      expect(await t.route(ask(chain, 10 + i))).toMatchObject({
        ok: false,
        refusal: { limit: 'rpd', accountId: 'root' },
      });
    expect(t.calls.get('root')).toBeLessThanOrEqual(3);
  });
});

describe('credit pool (prepaid wallet)', () => {
  const cost = (n: number) => ({ want: { cost: n }, need: { cost: n } });

  it('grants from funds less used; a refresh keeps what was settled here but not yet charged', async () => {
    const t = tree();
    const wallet = t.get('shop');
    await wallet.refreshCredit(async () => ({ funds: 100, used: 20, day: '2026-01-01' }), false);
    const chain = [link('shop', { credit: true })];
    expect(await t.route(ask(chain, 0, cost(70)))).toMatchObject({ ok: true, grant: { credit: 70 } });
    const refused = await t.route(ask(chain, 0, cost(20)));
    expect(refused).toEqual({
      ok: false,
      refusal: { limit: 'credit', accountId: 'shop', retryAfterMs: null, resetAt: null, need: 20 },
    });
    // The ledger has charged only 30 of the 90 used here: `used` never falls; new money raises funds.
    await wallet.refreshCredit(async () => ({ funds: 150, used: 50, day: '2026-01-01' }), true);
    expect(await t.route(ask(chain, 0, cost(60)))).toMatchObject({ ok: true, grant: { credit: 60 } });
    // A new allowance day starts over from the ledger.
    await wallet.refreshCredit(async () => ({ funds: 150, used: 140, day: '2026-01-02' }), true);
    expect(await t.route(ask(chain, 0, cost(10)))).toMatchObject({ ok: true, grant: { credit: 10 } });
    expect((await t.route(ask(chain, 0, cost(1)))).ok).toBe(false);
  });

  it('does not seed a governor that is no wallet when only asked to refresh one', async () => {
    const t = tree();
    let reads = 0;
    const read = async () => {
      reads++;
      return { funds: 1, used: 0, day: 'd' };
    };
    expect(await t.get('plain').refreshCredit(read, true)).toBeNull();
    expect(reads).toBe(0);
  });
});
