// The benchmark's runs reduced to the figures and goals of issue #19 (C14): ratios within one
// run, CPU per chunk from the two stream lengths, added latencies, and which goals are met.
import type { ColdStart } from './cold-start';
import type { LatencyFigures, OpenLoopFigures } from './latency';
import type { LoadFigures } from './load';

export type Target =
  | 'passthrough'
  | 'floor'
  | 'gateway-d1'
  | 'gateway-d4'
  | 'portkey'
  | 'passthrough-workerd'
  | 'gateway-d4-workerd';
export type Mode = 'non-stream' | 'stream-7' | 'stream-300' | 'translated-stream';

export const chunksOf = (mode: Mode) => (mode === 'stream-300' ? 300 : 7);

export const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);

export interface ClosedRun extends LoadFigures {
  target: Target;
  mode: Mode;
  /** CPU time of the target's processes per 2xx answer (Linux only). */
  cpuMsPerReq: number | null;
  /** The plain-workerd gateway's platform process (D1 shim, queue broker) per 2xx answer; else null. */
  platformCpuMsPerReq: number | null;
  /** The same by process: `d1` (the shim) and `queues` (the broker). */
  platformCpuMsPerReqByPart: Record<string, number | null> | null;
  warmupFailures: number;
  /** Per round, for the ratios by round. */
  roundReqPerSec: number[];
}

export interface OneClientRun extends LatencyFigures {
  target: Target;
  mode: Mode;
}

export interface OpenRun extends OpenLoopFigures {
  target: Target;
  mode: Mode;
}

export interface Goal {
  goal: string;
  figure: string;
  met: boolean | null;
}

export function summarize(closed: ClosedRun[], one: OneClientRun[], open: OpenRun[], cold: ColdStart | null) {
  const c = (t: Target, m: Mode) => closed.find((r) => r.target === t && r.mode === m);
  const o = (t: Target, m: Mode) => one.find((r) => r.target === t && r.mode === m);
  const ratio = (a?: { reqPerSec: number }, b?: { reqPerSec: number }) =>
    a && b && b.reqPerSec > 0 ? a.reqPerSec / b.reqPerSec : null;
  const perChunk = (t: Target) => {
    const short = c(t, 'stream-7')?.cpuMsPerReq;
    const long = c(t, 'stream-300')?.cpuMsPerReq;
    return short == null || long == null
      ? null
      : ((long - short) / (chunksOf('stream-300') - chunksOf('stream-7'))) * 1000;
  };
  const chunkUs: Partial<Record<Target, number | null>> = {};
  for (const t of new Set(closed.map((r) => r.target))) chunkUs[t] = perChunk(t);
  const added = (a?: number | null, b?: number | null) => (a == null || b == null ? null : a - b);
  const share = (r?: ClosedRun) =>
    r?.cpuMsPerReq == null || r.platformCpuMsPerReq == null || r.cpuMsPerReq + r.platformCpuMsPerReq === 0
      ? null
      : r.platformCpuMsPerReq / (r.cpuMsPerReq + r.platformCpuMsPerReq);
  const figures = {
    gatewayOverFloor: {
      nonStream: ratio(c('gateway-d4', 'non-stream'), c('floor', 'non-stream')),
      stream7: ratio(c('gateway-d4', 'stream-7'), c('floor', 'stream-7')),
      stream300: ratio(c('gateway-d4', 'stream-300'), c('floor', 'stream-300')),
    },
    gatewayOverPassthrough: {
      nonStream: ratio(c('gateway-d4', 'non-stream'), c('passthrough', 'non-stream')),
      stream7: ratio(c('gateway-d4', 'stream-7'), c('passthrough', 'stream-7')),
      stream300: ratio(c('gateway-d4', 'stream-300'), c('passthrough', 'stream-300')),
    },
    gatewayOverPortkey: {
      nonStream: ratio(c('gateway-d4', 'non-stream'), c('portkey', 'non-stream')),
      stream7: ratio(c('gateway-d4', 'stream-7'), c('portkey', 'stream-7')),
      stream300: ratio(c('gateway-d4', 'stream-300'), c('portkey', 'stream-300')),
    },
    workerdGatewayOverPassthrough: {
      nonStream: ratio(c('gateway-d4-workerd', 'non-stream'), c('passthrough-workerd', 'non-stream')),
      stream7: ratio(c('gateway-d4-workerd', 'stream-7'), c('passthrough-workerd', 'stream-7')),
      stream300: ratio(c('gateway-d4-workerd', 'stream-300'), c('passthrough-workerd', 'stream-300')),
    },
    /** The gateway's own process on plain workerd (Worker, its DOs, the queue consumer), over the passthrough's. */
    workerdAddedCpuMsPerReq: {
      nonStream: added(
        c('gateway-d4-workerd', 'non-stream')?.cpuMsPerReq,
        c('passthrough-workerd', 'non-stream')?.cpuMsPerReq,
      ),
      stream7: added(
        c('gateway-d4-workerd', 'stream-7')?.cpuMsPerReq,
        c('passthrough-workerd', 'stream-7')?.cpuMsPerReq,
      ),
      stream300: added(
        c('gateway-d4-workerd', 'stream-300')?.cpuMsPerReq,
        c('passthrough-workerd', 'stream-300')?.cpuMsPerReq,
      ),
    },
    workerdPlatformCpuMsPerReq: {
      nonStream: c('gateway-d4-workerd', 'non-stream')?.platformCpuMsPerReq ?? null,
      stream7: c('gateway-d4-workerd', 'stream-7')?.platformCpuMsPerReq ?? null,
      stream300: c('gateway-d4-workerd', 'stream-300')?.platformCpuMsPerReq ?? null,
    },
    /** The D1 shim's and queue broker's share of the plain-workerd gateway's CPU (both processes). */
    workerdPlatformShare: {
      nonStream: share(c('gateway-d4-workerd', 'non-stream')),
      stream7: share(c('gateway-d4-workerd', 'stream-7')),
      stream300: share(c('gateway-d4-workerd', 'stream-300')),
    },
    cpuPerChunkUs: chunkUs,
    addedCpuMsPerReq: {
      nonStream: added(
        c('gateway-d4', 'non-stream')?.cpuMsPerReq,
        c('passthrough', 'non-stream')?.cpuMsPerReq,
      ),
      stream7: added(c('gateway-d4', 'stream-7')?.cpuMsPerReq, c('passthrough', 'stream-7')?.cpuMsPerReq),
      stream300: added(
        c('gateway-d4', 'stream-300')?.cpuMsPerReq,
        c('passthrough', 'stream-300')?.cpuMsPerReq,
      ),
    },
    oneClient: {
      addedMeanMs: added(o('gateway-d4', 'non-stream')?.meanMs, o('passthrough', 'non-stream')?.meanMs),
      // The median is steadier than the mean on a shared machine (a few stalls move the mean).
      addedP50Ms: added(o('gateway-d4', 'non-stream')?.p50Ms, o('passthrough', 'non-stream')?.p50Ms),
      depthCostP50Ms: added(o('gateway-d4', 'non-stream')?.p50Ms, o('gateway-d1', 'non-stream')?.p50Ms),
      workerdAddedP50Ms: added(
        o('gateway-d4-workerd', 'non-stream')?.p50Ms,
        o('passthrough-workerd', 'non-stream')?.p50Ms,
      ),
      addedMeanMsStream: added(o('gateway-d4', 'stream-7')?.meanMs, o('passthrough', 'stream-7')?.meanMs),
      depthCostMs: added(o('gateway-d4', 'non-stream')?.meanMs, o('gateway-d1', 'non-stream')?.meanMs),
      depthCostMsStream: added(o('gateway-d4', 'stream-7')?.meanMs, o('gateway-d1', 'stream-7')?.meanMs),
      addedTtfbMs: added(o('gateway-d4', 'stream-7')?.ttfbMeanMs, o('passthrough', 'stream-7')?.ttfbMeanMs),
      portkeyAddedMeanMs: added(o('portkey', 'non-stream')?.meanMs, o('passthrough', 'non-stream')?.meanMs),
      workerdAddedMeanMs: added(
        o('gateway-d4-workerd', 'non-stream')?.meanMs,
        o('passthrough-workerd', 'non-stream')?.meanMs,
      ),
      workerdAddedTtfbMs: added(
        o('gateway-d4-workerd', 'stream-7')?.ttfbMeanMs,
        o('passthrough-workerd', 'stream-7')?.ttfbMeanMs,
      ),
    },
    openLoopAdded: open
      .filter((r) => r.target !== 'passthrough' && r.target !== 'passthrough-workerd')
      .map((r) => {
        const base = open.find(
          (b) =>
            b.mode === r.mode &&
            b.rate === r.rate &&
            b.target === (r.target === 'gateway-d4-workerd' ? 'passthrough-workerd' : 'passthrough'),
        );
        return {
          target: r.target,
          mode: r.mode,
          rate: r.rate,
          p50AddedMs: added(r.p50Ms, base?.p50Ms),
          p99AddedMs: added(r.p99Ms, base?.p99Ms),
        };
      }),
    p99AddedAt50Ms: added(c('gateway-d4', 'non-stream')?.p99Ms, c('passthrough', 'non-stream')?.p99Ms),
  };
  const floorChunk = chunkUs.floor;
  const gwChunk = chunkUs['gateway-d4'];
  const ptChunk = chunkUs.passthrough;
  const goal = (g: string, figure: string, met: boolean | null): Goal => ({ goal: g, figure, met });
  const ge = (v: number | null, min: number) => (v === null ? null : v >= min);
  const le = (v: number | null, max: number) => (v === null ? null : v <= max);
  const goals: Goal[] = [
    goal(
      'throughput ≥ 0.85× the metering floor, non-stream',
      fmt(figures.gatewayOverFloor.nonStream, 3),
      ge(figures.gatewayOverFloor.nonStream, 0.85),
    ),
    goal(
      'throughput ≥ 0.85× the metering floor, stream (7 chunks)',
      fmt(figures.gatewayOverFloor.stream7, 3),
      ge(figures.gatewayOverFloor.stream7, 0.85),
    ),
    goal(
      'throughput ≥ 3× Portkey, non-stream',
      fmt(figures.gatewayOverPortkey.nonStream, 2),
      ge(figures.gatewayOverPortkey.nonStream, 3),
    ),
    goal(
      'throughput ≥ 3× Portkey, stream (7 chunks)',
      fmt(figures.gatewayOverPortkey.stream7, 2),
      ge(figures.gatewayOverPortkey.stream7, 3),
    ),
    goal(
      'CPU per chunk (over the passthrough) ≤ 1.5× the floor’s',
      `gateway +${fmt(added(gwChunk, ptChunk), 1)} µs, floor +${fmt(added(floorChunk, ptChunk), 1)} µs`,
      added(gwChunk, ptChunk) === null || added(floorChunk, ptChunk) === null
        ? null
        : (added(gwChunk, ptChunk) as number) <= 1.5 * Math.max(1, added(floorChunk, ptChunk) as number),
    ),
    goal(
      'added mean latency at one client ≤ 0.3 ms (Miniflare)',
      `${fmt(figures.oneClient.addedMeanMs, 3)} ms (p50 ${fmt(figures.oneClient.addedP50Ms, 3)} ms)`,
      le(figures.oneClient.addedMeanMs, 0.3),
    ),
    goal(
      'the emulator’s share at one client (passthrough: Miniflare − plain workerd)',
      `${fmt(added(o('passthrough', 'non-stream')?.meanMs, o('passthrough-workerd', 'non-stream')?.meanMs), 3)} ms`,
      null,
    ),
    goal(
      'added mean latency at one client ≤ 0.3 ms (plain workerd)',
      `${fmt(figures.oneClient.workerdAddedMeanMs, 3)} ms (p50 ${fmt(figures.oneClient.workerdAddedP50Ms, 3)} ms)`,
      le(figures.oneClient.workerdAddedMeanMs, 0.3),
    ),
    goal('p99 added at 50 connections reported', `${fmt(figures.p99AddedAt50Ms, 0)} ms (non-stream)`, null),
    goal(
      'depth 1 → 4 at one client ≤ 0.05 ms',
      `${fmt(figures.oneClient.depthCostMs, 3)} ms (p50 ${fmt(figures.oneClient.depthCostP50Ms, 3)} ms)`,
      le(figures.oneClient.depthCostMs, 0.05),
    ),
    goal(
      'stream time to first byte added ≤ 0.5 ms (Miniflare)',
      `${fmt(figures.oneClient.addedTtfbMs, 3)} ms`,
      le(figures.oneClient.addedTtfbMs, 0.5),
    ),
    goal(
      'stream time to first byte added ≤ 0.5 ms (plain workerd)',
      `${fmt(figures.oneClient.workerdAddedTtfbMs, 3)} ms`,
      le(figures.oneClient.workerdAddedTtfbMs, 0.5),
    ),
  ];
  if (cold)
    goals.push(
      goal(
        'cold start reported (bundle, first answer, startup CPU)',
        `${fmt(cold.bundleBytes / 1024)} KiB (${fmt(cold.gzipBytes / 1024)} KiB gzip), first answer ${fmt(cold.firstAnswerMs)} ms, startup CPU ${fmt(cold.startupCpuMs)} ms`,
        null,
      ),
    );
  return { figures, goals };
}
