// One run of a scenario: the edge (colos, isolates, the network), the governors (the real
// GovernorCore behind a simulated Durable Object), the isolates' lease clients (the real
// LeaseClient on the simulated clock and transport), the traffic, and the yardstick (oracle.ts).
import type { ChainLink, LimitSet, Unit } from '../../durable-objects/dims';
import { type ExchangeRequest, emptyState, GovernorCore } from '../../durable-objects/governor-core';
import { GRANT_TTL_MS, PARENT_LEASE_TTL_MS } from '../../durable-objects/lease-ttl';
import { capAtPeriodEnd } from '../../durable-objects/period-end';
import { CallRate, type HintedResult, isRelay, RELAY_ABOVE_PER_S } from '../../durable-objects/relay';
import {
  type Admission,
  type GovernorExchange,
  GovernorRefusal,
  LeaseClient,
} from '../../src/governance/lease-client';
import { relayingExchange } from '../../src/governance/relay';
import type { Clock } from '../../src/lib/clock';
import { Alias, Rng, Sim, zipf } from './engine';
import { Network, SimObject } from './net';
import { Oracle } from './oracle';
import type { Scenario, SimEvent } from './scenario';
import { buildTree, Chains, LEVELS, type Level, type Tree, type UnitMeans } from './tree';

const MODEL = 'gpt-4o';
/** src/state/propagation.ts's EPOCH_CHECK_MS (that module pulls in the Workers runtime; sim.test.ts checks they agree). */
export const EPOCH_CHECK_MS = 500;
/** Its EPOCH_SHARDS, today's design (sim.test.ts checks). */
export const EPOCH_SHARDS = 16;

export interface Governor {
  obj: SimObject;
  core: GovernorCore;
  alarm: boolean;
  rate: CallRate;
  /** Time exchanges spent inside the governor (its one-at-a-time queue and parent calls). */
  coreMs: number;
  coreMaxMs: number;
  context?: { chain: ChainLink[]; timeZone: string };
}

interface Isolate {
  colo: number;
  epochShard: number;
  inc: number;
  client: LeaseClient;
  version: number;
  seen: number | undefined;
  checkedAt: number;
  lastRequestAt: number;
  /** Per governor: the config version of the chain its current grant was asked with. */
  grantVersion: Map<string, number>;
  /** Settlements with usage beyond the reservation, kept a while: lost if the isolate vanishes. */
  recentExcess: { at: number; user: number; tokens: number; cost: number }[];
}

interface Demand {
  reserved: Record<Unit, number>;
  actual: Record<Unit, number>;
  excess: { tokens: number; cost: number };
  durationMs: number;
}

/** Per 100 ms of simulated time. */
export interface Timeline {
  offered: Uint32Array;
  admitted: Uint32Array;
  refused: Uint32Array;
  falseRefused: Uint32Array;
  errors: Uint32Array;
  /** Admitted for the account or colo an event is about (burst team, lowered org, partitioned colo). */
  focusAdmitted: Uint32Array;
  focusOffered: Uint32Array;
}

export interface RunData {
  scenario: Scenario;
  tree: Tree;
  limitsAt: LimitSet[][];
  governors: Map<string, Governor>;
  epochs: SimObject[];
  oracle: Oracle;
  timeline: Timeline;
  /** Admission latency histogram, whole ms (after the warm-up). */
  latency: Uint32Array;
  /** Time to a refusal, whole ms (after the warm-up): a returning refusal is asked about again. */
  refusalLatency: Uint32Array;
  counts: {
    offered: number;
    admitted: number;
    refused: number;
    falseRefused: number;
    errors: number;
    lostWithIsolate: number;
    vanished: number;
    evicted: number;
    isolates: number;
    isolateStarts: number;
  };
  refusalsBy: Map<string, number>;
  falseRefusalsBy: Map<string, number>;
  /** Per account: the peak of (actual − reserved)⁺ over its requests in flight, and what was lost. */
  peakInflightExcess: { tokens: Float64Array; cost: Float64Array };
  lostExcess: { tokens: Float64Array; cost: Float64Array };
  focus: {
    kind: SimEvent['kind'] | 'none';
    label: string;
    account?: number;
    colo?: number;
    limitRate?: number;
  };
  lowered?: { atMs: number; version: number; lastOldAdmitMs: number; lastStaleExchangeMs: number };
  net: Network;
  wallMs: number;
  /** CPU time of this process over the run (user + system): the machine's load does not inflate it. */
  cpuMs: number;
  simEvents: number;
}

export async function runScenario(s: Scenario): Promise<RunData> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const rng = new Rng(s.seed);
  const treeRng = rng.fork(1);
  const trafficRng = rng.fork(2);
  const isoRng = rng.fork(3);
  const start = Date.parse(s.startAt);
  const horizon = s.durationS * 1_000;
  const sim = new Sim(start);
  const net = new Network(sim, rng.fork(4), { ...s.colos, ...s.network });
  const bins = Math.ceil(horizon / 100) + 1;
  const bin = () => Math.min(bins - 1, Math.floor(sim.time / 100));
  const warm = () => sim.time >= s.warmupS * 1_000;

  // Demand: reservation = input estimate (errs high, as body bytes / 4 does) + max_tokens.
  const tr = s.traffic;
  const demandOf = (r: Rng): Demand => {
    const input = Math.max(1, Math.round(r.logNormal(tr.inputTokens.median, tr.inputTokens.sigma)));
    const estimate = Math.ceil(input * (1 + 0.3 * r.float()));
    const reservedTokens = estimate + tr.maxTokens;
    let actualTokens = input + Math.round(tr.maxTokens * (0.1 + 0.9 * r.float()));
    if (r.float() < tr.underestimate.share)
      actualTokens = Math.ceil(reservedTokens * (1 + tr.underestimate.max * r.float()));
    const reservedCost = Math.ceil(reservedTokens * tr.pricePerToken);
    const actualCost = Math.ceil(actualTokens * tr.pricePerToken);
    return {
      reserved: { requests: 1, tokens: reservedTokens, cost: reservedCost },
      actual: { requests: 1, tokens: actualTokens, cost: actualCost },
      excess: {
        tokens: Math.max(0, actualTokens - reservedTokens),
        cost: Math.max(0, actualCost - reservedCost),
      },
      durationMs: r.logNormal(tr.durationMs.median, tr.durationMs.sigma),
    };
  };
  const meanRng = new Rng(s.seed + 7);
  const means: UnitMeans = { requests: 1, tokens: 0, cost: 0 };
  for (let i = 0; i < 2_000; i++) {
    const d = demandOf(meanRng);
    means.tokens += d.reserved.tokens / 2_000;
    means.cost += d.reserved.cost / 2_000;
  }

  const tree = buildTree(s, means, treeRng);
  const limitsAt: LimitSet[][] = [tree.limits];
  let latestVersion = 0;
  const chains = new Chains(tree, (v) => limitsAt[v] as LimitSet[]);
  const accountIndex = new Map(tree.accounts.map((a) => [a.id, a.index]));
  const userAlias = new Alias(tree.userWeights);
  const coloWeights = zipf(s.colos.count, s.colos.zipf);
  const coloAlias = new Alias(coloWeights);
  const coloTotal = coloWeights.reduce((a, b) => a + b, 0);
  const homeColo = tree.users.map(() => coloAlias.draw(treeRng));

  // Events that shape the tree or traffic, resolved against it.
  let focus: RunData['focus'] = { kind: 'none', label: '' };
  const burst = s.events.find((e) => e.kind === 'burst');
  let burstUsers: number[] = [];
  let burstRate = (_t: number) => 0;
  if (burst) {
    const teams = tree.accounts.filter((a) => a.level === 'team');
    const team = teams.reduce((best, a) =>
      Math.abs(a.rate - burst.fromRate) < Math.abs(best.rate - burst.fromRate) ? a : best,
    );
    tree.limits[team.index] = { ...burst.teamLimits };
    burstUsers = tree.users.flatMap((u, i) => (tree.accounts[u]?.parent === team.index ? [i] : []));
    for (const u of burstUsers) tree.limits[tree.users[u] as number] = { ...burst.userLimits };
    const t0 = burst.atS * 1_000;
    const t1 = t0 + burst.rampS * 1_000;
    const t2 = t1 + burst.forS * 1_000;
    const extra = Math.max(0, burst.toRate - team.rate);
    burstRate = (t) => (t < t0 || t >= t2 ? 0 : t < t1 ? (extra * (t - t0)) / (t1 - t0) : extra);
    focus = {
      kind: 'burst',
      label: `team ${team.id}: ${team.rate.toFixed(0)} → ${burst.toRate} req/s`,
      account: team.index,
      limitRate: (burst.teamLimits.rpm ?? 0) / 60,
    };
  }
  const oracle = new Oracle(tree.limits, MODEL, s.timeZone);

  // Durable Objects: one per account's governor, placed in the colo of its first caller.
  const governors = new Map<string, Governor>();
  const epochs = Array.from(
    { length: s.design.epochShards },
    (_, i) => new SimObject(`config-epoch:${i}`, 0, sim, s.objects.serviceMs, horizon),
  );
  const epochValues = epochs.map(() => 0);
  const peakInflightExcess = {
    tokens: new Float64Array(tree.accounts.length),
    cost: new Float64Array(tree.accounts.length),
  };
  const inflightExcess = {
    tokens: new Float64Array(tree.accounts.length),
    cost: new Float64Array(tree.accounts.length),
  };
  const lostExcess = {
    tokens: new Float64Array(tree.accounts.length),
    cost: new Float64Array(tree.accounts.length),
  };
  const unitOfPool = (name: string): Unit | undefined =>
    name.includes('tpm') || name === 'tpd' ? 'tokens' : name.includes('budget') ? 'cost' : undefined;
  /** A lost request carried `extra` (usage beyond grants): the levels it was for never learn it. */
  const lostExtra = (req: ExchangeRequest) => {
    for (const [name, amount] of Object.entries(req.extra ?? {})) {
      const unit = unitOfPool(name);
      if (!unit || unit === 'requests') continue;
      for (const link of req.chain) {
        const a = accountIndex.get(link.id);
        if (a !== undefined && name in poolNames(link.limits)) add(lostExcess[unit], a, amount);
      }
    }
  };
  let lowered: RunData['lowered'];
  const staleExchange = (req: ExchangeRequest) => {
    if (
      lowered &&
      sim.time >= lowered.atMs &&
      (chains.versionOf.get(req.chain) ?? latestVersion) < lowered.version
    )
      lowered.lastStaleExchangeMs = sim.time;
  };

  const governor = (id: string, colo: number): Governor => {
    let g = governors.get(id);
    if (!g) {
      const obj = new SimObject(id, colo, sim, s.objects.serviceMs, horizon);
      const gov: Governor = {
        obj,
        alarm: false,
        rate: new CallRate(),
        coreMs: 0,
        coreMaxMs: 0,
        core: new GovernorCore(
          emptyState(),
          (req) => {
            const parent = governor(req.chain.at(-1)?.id as string, obj.colo);
            return net.call(
              obj.colo,
              () => true,
              parent.obj,
              () => handle(parent, req),
              () => lostExtra(req),
            );
          },
          { grantTtlMs: GRANT_TTL_MS, parentLeaseTtlMs: PARENT_LEASE_TTL_MS, now: () => sim.now() },
        ),
      };
      governors.set(id, gov);
      g = gov;
    }
    return g;
  };
  // AccountGovernor.exchange and .alarm (durable-objects/account-governor.ts), minus storage.
  const handle = async (g: Governor, req: ExchangeRequest): Promise<HintedResult> => {
    staleExchange(req);
    const busy = g.rate.hit(sim.now()) > RELAY_ABOVE_PER_S && !isRelay(req.chain.at(-1)?.id ?? '');
    const entered = sim.time;
    const result = capAtPeriodEnd<HintedResult>(
      await g.core.exchange({ ...req, now: sim.now() }),
      g.core.state,
      req.chain,
      req.timeZone,
      sim.now(),
    );
    g.coreMs += sim.time - entered;
    g.coreMaxMs = Math.max(g.coreMaxMs, sim.time - entered);
    if (req.chain.length > 1) {
      g.context = { chain: req.chain, timeZone: req.timeZone };
      const expiresAt = g.core.state.lease.expiresAt;
      if (expiresAt > 0 && !g.alarm) setAlarm(g, expiresAt);
    }
    return busy && s.design.relays ? { ...result, busy: true } : result;
  };
  const setAlarm = (g: Governor, at: number) => {
    g.alarm = true;
    sim.at(at - start, () =>
      g.obj.enqueue(() => {
        g.alarm = false;
        const context = g.context;
        if (!context) return;
        const now = sim.now();
        const { expiresAt } = g.core.state.lease;
        if (expiresAt > now) return setAlarm(g, expiresAt);
        g.core.releaseParentLease(context.chain, context.timeZone, now).catch(() => {});
      }),
    );
  };

  // Isolates: each colo runs enough for its share of traffic; requests pick one at random.
  const counts: RunData['counts'] = {
    offered: 0,
    admitted: 0,
    refused: 0,
    falseRefused: 0,
    errors: 0,
    lostWithIsolate: 0,
    vanished: 0,
    evicted: 0,
    isolates: 0,
    isolateStarts: 0,
  };
  const colos: Isolate[][] = coloWeights.map((w, c) => {
    const rate = (s.traffic.rate * w) / coloTotal;
    const n = Math.max(s.isolates.minPerColo, Math.ceil(rate / s.isolates.ratePerIsolate));
    return Array.from({ length: n }, () => newIsolate(c, 0));
  });
  counts.isolates = colos.reduce((a, c) => a + c.length, 0);
  const allIsolates = colos.flat();

  function newIsolate(colo: number, inc: number): Isolate {
    const iso = { colo, inc, version: latestVersion, seen: undefined, checkedAt: -Infinity } as Isolate;
    iso.epochShard = isoRng.int(epochs.length);
    counts.isolateStarts++;
    rebirth(iso, inc);
    return iso;
  }
  function rebirth(iso: Isolate, inc: number): void {
    iso.inc = inc;
    const alive = () => iso.inc === inc;
    const clock: Clock = sim.clock(alive);
    iso.version = latestVersion;
    iso.seen = undefined;
    iso.checkedAt = -Infinity;
    iso.lastRequestAt = sim.time;
    iso.grantVersion = new Map();
    iso.recentExcess = [];
    const direct: GovernorExchange = (governorId, req) => {
      const g = governor(governorId, iso.colo);
      return net.call(
        iso.colo,
        alive,
        g.obj,
        () => handle(g, req),
        () => lostExtra(req),
      );
    };
    const place = { colo: String(iso.colo), region: net.region(iso.colo) };
    const wire = s.design.relays
      ? relayingExchange(
          direct,
          () => place,
          clock,
          () => isoRng.float(),
        )
      : direct;
    iso.client = new LeaseClient(
      (governorId, req) => {
        const version = chains.versionOf.get(req.chain) ?? latestVersion;
        return wire(governorId, req).then((res) => {
          if (res.ok && Object.keys(res.grant).length) iso.grantVersion.set(governorId, version);
          return res;
        });
      },
      { clock },
    );
  }
  const vanish = (iso: Isolate) => {
    counts.vanished++;
    // Usage beyond reservations that settled here but was not yet reported is lost with it.
    for (const e of iso.recentExcess)
      if (sim.time - e.at < 2_000)
        for (const a of tree.chains[e.user] as number[]) {
          add(lostExcess.tokens, a, e.tokens);
          add(lostExcess.cost, a, e.cost);
        }
    counts.isolateStarts++;
    rebirth(iso, iso.inc + 1);
  };

  const timeline: Timeline = {
    offered: new Uint32Array(bins),
    admitted: new Uint32Array(bins),
    refused: new Uint32Array(bins),
    falseRefused: new Uint32Array(bins),
    errors: new Uint32Array(bins),
    focusAdmitted: new Uint32Array(bins),
    focusOffered: new Uint32Array(bins),
  };
  const latency = new Uint32Array(60_001);
  const refusalLatency = new Uint32Array(60_001);
  const refusalsBy = new Map<string, number>();
  const falseRefusalsBy = new Map<string, number>();
  const levelOf = (id: string): Level => tree.accounts[accountIndex.get(id) ?? 0]?.level ?? 'root';
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const isFocus = (user: number, colo: number) =>
    focus.colo !== undefined
      ? colo === focus.colo
      : focus.account !== undefined && (tree.chains[user] as number[]).includes(focus.account);

  const serve = async (iso: Isolate, user: number, d: Demand) => {
    const inc = iso.inc;
    const alive = () => iso.inc === inc;
    const b = bin();
    const focused = isFocus(user, iso.colo);
    counts.offered++;
    add(timeline.offered, b, 1);
    if (focused) add(timeline.focusOffered, b, 1);
    // src/state/propagation.ts: the first request to find the epoch check stale makes it and waits.
    const now0 = sim.now();
    if (now0 - iso.checkedAt >= EPOCH_CHECK_MS) {
      iso.checkedAt = now0;
      try {
        const shard = iso.epochShard;
        const current = await net.call(
          iso.colo,
          alive,
          epochs[shard] as SimObject,
          async () => epochValues[shard],
        );
        if (iso.seen !== undefined && current !== iso.seen) iso.version = latestVersion;
        iso.seen = current;
      } catch {
        // Unreachable: serve from the caches (as the real check does).
      }
    }
    const chain = chains.get(iso.version, user);
    const chainIdx = tree.chains[user] as number[];
    const t0 = sim.now();
    let admission: Admission;
    try {
      admission = await iso.client.admit({
        chain,
        timeZone: s.timeZone,
        demand: { model: MODEL, tokens: d.reserved.tokens, cost: d.reserved.cost },
        now: t0,
      });
    } catch (err) {
      if (!alive()) return void counts.lostWithIsolate++;
      const bb = bin();
      if (err instanceof GovernorRefusal) {
        counts.refused++;
        add(timeline.refused, bb, 1);
        if (warm()) add(refusalLatency, Math.min(refusalLatency.length - 1, sim.now() - t0), 1);
        const key = `${levelOf(err.refusal.accountId)} ${err.refusal.limit}`;
        bump(refusalsBy, key);
        if (oracle.hasRoom(chainIdx, d.reserved, sim.now())) {
          counts.falseRefused++;
          add(timeline.falseRefused, bb, 1);
          bump(falseRefusalsBy, key);
        }
      } else {
        counts.errors++;
        add(timeline.errors, bb, 1);
      }
      return;
    }
    if (!alive()) return void counts.lostWithIsolate++;
    const now = sim.now();
    if (warm()) add(latency, Math.min(latency.length - 1, now - t0), 1);
    counts.admitted++;
    const bb = bin();
    add(timeline.admitted, bb, 1);
    if (focused) add(timeline.focusAdmitted, bb, 1);
    oracle.admit(chainIdx, d.reserved, now);
    if (lowered && sim.time >= lowered.atMs && chainIdx.includes(focus.account ?? -1)) {
      const v = Math.min(iso.version, iso.grantVersion.get(chain.at(-1)?.id as string) ?? 0);
      if (v < lowered.version) lowered.lastOldAdmitMs = sim.time;
    }
    if (d.excess.tokens || d.excess.cost)
      for (const a of chainIdx) {
        add(inflightExcess.tokens, a, d.excess.tokens);
        add(inflightExcess.cost, a, d.excess.cost);
        peakInflightExcess.tokens[a] = Math.max(
          peakInflightExcess.tokens[a] as number,
          inflightExcess.tokens[a] as number,
        );
        peakInflightExcess.cost[a] = Math.max(
          peakInflightExcess.cost[a] as number,
          inflightExcess.cost[a] as number,
        );
      }
    sim.after(d.durationMs, () => {
      const end = sim.now();
      // The upstream billed the usage whether or not the isolate lived to settle it.
      oracle.settle(
        chainIdx,
        { requests: 0, tokens: d.actual.tokens - d.reserved.tokens, cost: d.actual.cost - d.reserved.cost },
        end,
      );
      if (d.excess.tokens || d.excess.cost)
        for (const a of chainIdx) {
          add(inflightExcess.tokens, a, -d.excess.tokens);
          add(inflightExcess.cost, a, -d.excess.cost);
          if (!alive()) {
            add(lostExcess.tokens, a, d.excess.tokens);
            add(lostExcess.cost, a, d.excess.cost);
          }
        }
      if (!alive()) return;
      iso.client.settle({
        admission,
        actual: { tokens: d.actual.tokens, cost: d.actual.cost },
        chain,
        timeZone: s.timeZone,
        now: end,
      });
      if (d.excess.tokens || d.excess.cost) {
        iso.recentExcess = iso.recentExcess.filter((e) => sim.time - e.at < 2_000);
        iso.recentExcess.push({ at: sim.time, user, ...d.excess });
      }
    });
  };

  // Traffic: one Poisson stream at the total rate; each arrival picks a user and a colo.
  const arrive = () => {
    const extra = burstRate(sim.time);
    // Traffic ramps up over the warm-up: a cold edge does not get full load in its first millisecond.
    const base = s.traffic.rate * Math.min(1, (sim.time + 1) / Math.max(1, s.warmupS * 1_000));
    const total = base + extra;
    let user: number;
    if (extra > 0 && trafficRng.float() < extra / total)
      user = burstUsers[trafficRng.int(burstUsers.length)] as number;
    else user = userAlias.draw(trafficRng);
    const colo =
      trafficRng.float() < tr.homeColoShare ? (homeColo[user] as number) : coloAlias.draw(trafficRng);
    const pool = colos[colo] as Isolate[];
    const iso = pool[trafficRng.int(pool.length)] as Isolate;
    if (sim.time - iso.lastRequestAt > s.isolates.idleEvictS * 1_000) {
      counts.evicted++;
      counts.isolateStarts++;
      rebirth(iso, iso.inc + 1);
    }
    iso.lastRequestAt = sim.time;
    void serve(iso, user, demandOf(trafficRng));
    sim.after(trafficRng.exp(1_000 / total), arrive);
  };
  sim.at(0, arrive);

  // Isolates vanishing (a crash, a deploy): a Poisson process over all of them.
  const vanishRate = s.isolates.vanishPerS * allIsolates.length;
  if (vanishRate > 0) {
    const next = () => {
      vanish(allIsolates[isoRng.int(allIsolates.length)] as Isolate);
      sim.after(isoRng.exp(1_000 / vanishRate), next);
    };
    sim.after(isoRng.exp(1_000 / vanishRate), next);
  }

  for (const e of s.events) {
    if (e.kind === 'partition') {
      net.partition(e.coloRank, e.atS * 1_000, (e.atS + e.forS) * 1_000);
      focus = { kind: 'partition', label: `colo #${e.coloRank} cut off for ${e.forS} s`, colo: e.coloRank };
    }
    if (e.kind === 'lowerLimit') {
      const org = tree.accounts.filter((a) => a.level === 'org').reduce((a, b) => (b.rate > a.rate ? b : a));
      const before = tree.limits[org.index]?.[e.limit] ?? 0;
      const after = Math.max(1, Math.round(before * e.factor));
      focus = {
        kind: 'lowerLimit',
        label: `org ${org.id} ${e.limit} ${before} → ${after}`,
        account: org.index,
        limitRate: e.limit === 'rpm' ? after / 60 : undefined,
      };
      lowered = {
        atMs: e.atS * 1_000,
        version: 1,
        lastOldAdmitMs: e.atS * 1_000,
        lastStaleExchangeMs: e.atS * 1_000,
      };
      sim.at(e.atS * 1_000, () => {
        // The admin write: D1 holds the new limit, the epoch is bumped (notifyConfigChange).
        const next = limitsAt[latestVersion]?.map((l) => ({ ...l })) as LimitSet[];
        next[org.index] = { ...next[org.index], [e.limit]: after };
        limitsAt.push(next);
        latestVersion = limitsAt.length - 1;
        for (const [i, e] of epochs.entries())
          sim.after(net.latency(0, e.colo), () => {
            epochValues[i] = (epochValues[i] as number) + 1;
          });
        oracle.setLimits(org.index, next[org.index] as LimitSet, sim.now());
      });
    }
  }

  await sim.run(horizon);
  return {
    scenario: s,
    tree,
    limitsAt,
    governors,
    epochs,
    oracle,
    timeline,
    latency,
    refusalLatency,
    counts,
    refusalsBy,
    falseRefusalsBy,
    peakInflightExcess,
    lostExcess,
    focus,
    lowered,
    net,
    wallMs: performance.now() - wallStart,
    cpuMs: (({ user, system }) => (user + system) / 1_000)(process.cpuUsage(cpuStart)),
    simEvents: sim.events,
  };
}

function add(a: Uint32Array | Float64Array, i: number, v: number): void {
  a[i] = (a[i] as number) + v;
}

const poolNameMemo = new WeakMap<LimitSet, Record<string, true>>();
function poolNames(limits: LimitSet): Record<string, true> {
  let names = poolNameMemo.get(limits);
  if (!names) {
    names = {};
    if (limits.tpm !== undefined) names['tpm'] = true;
    if (limits.tpd !== undefined) names['tpd'] = true;
    if (limits.dailyBudget !== undefined) names['daily_budget'] = true;
    if (limits.monthlyBudget !== undefined) names['monthly_budget'] = true;
    poolNameMemo.set(limits, names);
  }
  return names;
}

export { LEVELS };
