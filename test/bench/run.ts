// `npm run bench`: what the gateway costs a user, against what a proxy with nothing in it costs,
// what the least exact metering costs, and a peer gateway — all in one run on one machine, in
// front of the same fast local upstream (upstream.ts), so ratios within the run are the figures
// of record (absolute times are this machine's). See docs/benchmark.md.
//
// Targets: a bare passthrough Worker and the metering floor Worker (floor-worker.ts) on Miniflare;
// the gateway (the real `wrangler deploy` bundle on Miniflare: D1, Durable Objects, Queues) with a
// key at depth 1 and one at depth 4, every level limited on every pool; the Portkey gateway on Node
// (portkey-server.ts); and, with BENCH_WORKERD (default on), the passthrough and the gateway on
// plain `workerd serve` (workerd-serve.ts), without the emulator.
// Sections (BENCH_SECTIONS, comma-separated, default all):
// - closed: autocannon, BENCH_CONNECTIONS (50) connections, non-streamed, 7-chunk and 300-chunk
//   streams, and an Anthropic client translated to the chat upstream; req/s, latency, CPU per
//   request of the target's processes (Linux /proc) and, from the two stream lengths, per chunk;
// - one: one client, one request at a time: time per request and time to first byte;
// - open: a fixed arrival rate (200 and 500 req/s), p50/p99 latency timed from when each request was due;
// - cold: bundle size, cold isolate to first answer, startup CPU (cold-start.ts).
// Writes .bench/results.json; no timed assertions. Exits non-zero when requests failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { D1Like } from '../harness/gateway';
import { repoRoot } from '../harness/gateway';
import { type ColdStart, coldStart } from './cold-start';
import { cpuMs, workerdChildren } from './cpu';
import { type LatencyFigures, openLoop, type ProbeOptions, sequential } from './latency';
import { failed, type LoadFigures, load } from './load';
import {
  type ClosedRun,
  fmt,
  type Mode,
  type OneClientRun,
  type OpenRun,
  summarize,
  type Target,
} from './summary';
import {
  type Cleanup,
  portkeyVersion,
  seedBenchGateway,
  startBareWorker,
  startBenchGateway,
  startPortkey,
  startUpstreamProcess,
} from './targets';
import { startWorkerdGateway, startWorkerdPassthrough } from './workerd-serve';

const positiveInt = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};
const ROUND_SECONDS = positiveInt('BENCH_ROUND_SECONDS', 2);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const WARMUP = positiveInt('BENCH_WARMUP', 1);
const ONE_CLIENT_SECONDS = positiveInt('BENCH_ONE_CLIENT_SECONDS', 3);
const OPEN_SECONDS = positiveInt('BENCH_OPEN_SECONDS', 4);
const RATES = [200, 500];
const SECTIONS = new Set(
  (process.env['BENCH_SECTIONS'] ?? 'closed,one,open,cold').split(',').map((s) => s.trim()),
);
const WITH_WORKERD = process.env['BENCH_WORKERD'] !== '0';
/** BENCH_TARGETS: only these targets are loaded (comma-separated names, default all). */
const ONLY = process.env['BENCH_TARGETS']
  ? new Set(process.env['BENCH_TARGETS'].split(',').map((s) => s.trim()))
  : null;

interface TargetInfo {
  origin: string;
  headers: Record<string, string>;
  /** Processes whose CPU time is the target's (the gateway's include its DOs and queue consumer). */
  pids: Set<number>;
  /** Processes doing what on Cloudflare the platform does, by part (the plain-workerd gateway's D1 shim and queue broker). */
  platformPids?: Record<string, Set<number>>;
  /** Modes the target can serve. */
  modes: readonly Mode[];
}

const PROXY_MODES: readonly Mode[] = ['non-stream', 'stream-7', 'stream-300'];
const GATEWAY_MODES: readonly Mode[] = [...PROXY_MODES, 'translated-stream'];

const modelOf = (mode: Mode) => (mode === 'stream-300' ? 'bench-300' : 'bench-7');
const bodyFor = (mode: Mode) =>
  JSON.stringify({
    model: modelOf(mode),
    messages: [{ role: 'user', content: 'hello' }],
    ...(mode === 'translated-stream' ? { max_tokens: 64 } : {}),
    ...(mode === 'non-stream' ? {} : { stream: true }),
  });
const pathOf = (mode: Mode) => (mode === 'translated-stream' ? '/v1/messages' : '/v1/chat/completions');
const completeOf = (mode: Mode) =>
  mode === 'translated-stream'
    ? 'event: message_stop'
    : mode === 'non-stream'
      ? '"chat.completion"'
      : 'data: [DONE]';

/** One target's interleaved runs as one: counts summed, rates and means averaged, the worst p99. */
function combine(parts: LoadFigures[]): LoadFigures {
  const sum = (f: (p: LoadFigures) => number) => parts.reduce((n, p) => n + f(p), 0);
  const ok = sum((p) => p.ok);
  const p50s = parts.map((p) => p.p50Ms).sort((a, b) => a - b);
  return {
    reqPerSec: sum((p) => p.reqPerSec) / Math.max(1, parts.length),
    latencyMeanMs: ok === 0 ? 0 : sum((p) => p.latencyMeanMs * p.ok) / ok,
    p50Ms: p50s[Math.floor(p50s.length / 2)] ?? 0,
    p99Ms: Math.max(0, ...parts.map((p) => p.p99Ms)),
    sent: sum((p) => p.sent),
    ok,
    non2xx: sum((p) => p.non2xx),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    mismatches: sum((p) => p.mismatches),
    sampleError: parts.find((p) => p.sampleError !== null)?.sampleError ?? null,
  };
}

const cleanups: Cleanup[] = [];
async function cleanup() {
  for (const close of cleanups.splice(0).reverse()) await close().catch(() => {});
}

// autocannon ends a timed run by destroying its sockets, so workerd logs one "disconnected … reset
// by peer" error (+ stack) per request still in flight. Expected; counted instead of printed.
let cutOff = 0;
let dropNextStack = false;
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  const text = args.map(String).join(' ');
  if (
    text.includes('disconnected: ::write') ||
    text.includes('disconnected: ::writev') ||
    // The same cut-off, seen by Miniflare's entry worker relaying a long stream.
    text.includes('remote.jsg.Error: undefined')
  ) {
    cutOff++;
    dropNextStack = true;
    return;
  }
  if (dropNextStack && text.includes('stack: ') && text.includes('workerd@')) {
    dropNextStack = false;
    return;
  }
  consoleError(...args);
};

function printTable(header: string[], rows: string[][], left = 2) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  for (const row of all)
    console.log(
      row
        .map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    );
}

interface Metered {
  requests: number;
  errors: number;
  estimated: number;
}

/** Reads the daily rollup once the usage queue has caught up: `target` reached, or no progress for 4 s, or 20 s. */
async function metered(db: D1Like, target: number): Promise<Metered> {
  const deadline = Date.now() + 20_000;
  let last: Metered = { requests: -1, errors: 0, estimated: 0 };
  let lastChange = Date.now();
  for (;;) {
    const { results } = await db
      .prepare(
        'SELECT coalesce(sum(requests), 0) AS requests, coalesce(sum(errors), 0) AS errors, coalesce(sum(estimated_requests), 0) AS estimated FROM usage_daily',
      )
      .all<Metered>();
    const row = results[0] ?? last;
    if (row.requests !== last.requests) lastChange = Date.now();
    last = row;
    if (row.requests >= target || Date.now() - lastChange > 4000 || Date.now() > deadline) return row;
    await sleep(500);
  }
}

/** New workerd children since `before`, added to `known` so the next target does not claim them. */
function newPids(before: Set<number>, known: Set<number>): Set<number> {
  const mine = new Set([...workerdChildren()].filter((p) => !before.has(p) && !known.has(p)));
  for (const p of mine) known.add(p);
  return mine;
}

async function closedLoop(targets: Map<Target, TargetInfo>, failures: string[]): Promise<ClosedRun[]> {
  const runs: ClosedRun[] = [];
  const modes: Mode[] = ['non-stream', 'stream-7', 'stream-300', 'translated-stream'];
  for (const mode of modes) {
    const serving = [...targets].filter(([, t]) => t.modes.includes(mode));
    const optsFor = (t: TargetInfo) => ({
      origin: t.origin,
      path: pathOf(mode),
      complete: completeOf(mode),
      headers: t.headers,
      body: bodyFor(mode),
      stream: mode !== 'non-stream',
      connections: CONNECTIONS,
    });
    const warm = new Map<Target, LoadFigures>();
    for (const [name, t] of serving) warm.set(name, await load({ ...optsFor(t), seconds: WARMUP }));
    const rounds = new Map<
      Target,
      { figures: LoadFigures; cpuMs: number | null; platformCpuMs: Record<string, number | null> }[]
    >(serving.map(([n]) => [n, []]));
    // Short runs in alternating order: the machine's speed drifts over minutes, and interleaving
    // makes the drift fall on every target alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, t] of round % 2 === 0 ? serving : [...serving].reverse()) {
        const parts = Object.entries(t.platformPids ?? {});
        const before = cpuMs(t.pids);
        const platformBefore = parts.map(([, pids]) => cpuMs(pids));
        const figures = await load({ ...optsFor(t), seconds: ROUND_SECONDS });
        const after = cpuMs(t.pids);
        const platformCpuMs = Object.fromEntries(
          parts.map(([part, pids], i) => {
            const [b, a] = [platformBefore[i] ?? null, cpuMs(pids)];
            return [part, a === null || b === null ? null : a - b];
          }),
        );
        rounds.get(name)?.push({
          figures,
          cpuMs: before === null || after === null ? null : after - before,
          platformCpuMs,
        });
        await sleep(200);
      }
    }
    const line = serving.map(
      ([n]) => `${n} ${fmt(combine((rounds.get(n) ?? []).map((r) => r.figures)).reqPerSec)}`,
    );
    console.log(`bench: closed ${mode}: ${line.join(', ')} req/s`);
    for (const [name] of serving) {
      const measured = rounds.get(name) ?? [];
      const figures = combine(measured.map((m) => m.figures));
      const cpu = measured.every((m) => m.cpuMs !== null)
        ? measured.reduce((n, m) => n + (m.cpuMs ?? 0), 0)
        : null;
      const perReq = (ms: number | null) =>
        ms === null || figures.ok === 0 ? null : Math.round((ms / figures.ok) * 1000) / 1000;
      const partNames = Object.keys(measured[0]?.platformCpuMs ?? {});
      const platformByPart = Object.fromEntries(
        partNames.map((part) => [
          part,
          perReq(
            measured.every((m) => m.platformCpuMs[part] != null)
              ? measured.reduce((n, m) => n + (m.platformCpuMs[part] ?? 0), 0)
              : null,
          ),
        ]),
      );
      const platformValues = Object.values(platformByPart);
      const w = warm.get(name) as LoadFigures;
      const warmupFailures = w.non2xx + w.errors + w.timeouts + w.mismatches;
      const run: ClosedRun = {
        target: name,
        mode,
        ...figures,
        sampleError: figures.sampleError ?? (w.sampleError && `(warm-up) ${w.sampleError}`),
        cpuMsPerReq: cpu === null || figures.ok === 0 ? null : Math.round((cpu / figures.ok) * 1000) / 1000,
        platformCpuMsPerReq:
          platformValues.length === 0 || platformValues.some((v) => v === null)
            ? null
            : Math.round(platformValues.reduce((n: number, v) => n + (v ?? 0), 0) * 1000) / 1000,
        platformCpuMsPerReqByPart: platformValues.length === 0 ? null : platformByPart,
        warmupFailures,
        roundReqPerSec: measured.map((m) => m.figures.reqPerSec),
      };
      if (failed(run) || warmupFailures > 0)
        failures.push(
          `${name} ${mode} (closed): non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts}, bad bodies ${run.mismatches}, warm-up failures ${warmupFailures}: ${run.sampleError ?? 'no sample'}`,
        );
      runs.push(run);
    }
  }
  return runs;
}

async function oneClient(targets: Map<Target, TargetInfo>, failures: string[]): Promise<OneClientRun[]> {
  const runs: OneClientRun[] = [];
  for (const mode of ['non-stream', 'stream-7'] as const) {
    const serving = [...targets].filter(([, t]) => t.modes.includes(mode));
    // Two interleaved halves per target, so drift falls on all alike.
    const parts = new Map<Target, LatencyFigures[]>(serving.map(([n]) => [n, []]));
    for (let half = 0; half < 2; half++) {
      for (const [name, t] of half === 0 ? serving : [...serving].reverse()) {
        const probe: ProbeOptions = {
          origin: t.origin,
          path: pathOf(mode),
          headers: t.headers,
          body: bodyFor(mode),
          complete: completeOf(mode),
        };
        parts.get(name)?.push(await sequential(probe, ONE_CLIENT_SECONDS / 2, half === 0 ? 100 : 20));
      }
    }
    for (const [name] of serving) {
      const [a, b] = parts.get(name) as [LatencyFigures, LatencyFigures];
      const n = a.n + b.n;
      const w = (f: (x: LatencyFigures) => number) => (n === 0 ? 0 : (f(a) * a.n + f(b) * b.n) / n);
      const run: OneClientRun = {
        target: name,
        mode,
        n,
        failures: a.failures + b.failures,
        meanMs: w((x) => x.meanMs),
        p50Ms: w((x) => x.p50Ms),
        p99Ms: Math.max(a.p99Ms, b.p99Ms),
        ttfbMeanMs: w((x) => x.ttfbMeanMs),
        ttfbP50Ms: w((x) => x.ttfbP50Ms),
        sampleError: a.sampleError ?? b.sampleError,
      };
      if (run.failures > 0)
        failures.push(`${name} ${mode} (one client): ${run.failures} failed: ${run.sampleError}`);
      runs.push(run);
    }
    console.log(
      `bench: one client ${mode}: ${runs
        .filter((r) => r.mode === mode)
        .map((r) => `${r.target} ${fmt(r.meanMs, 3)} ms`)
        .join(', ')}`,
    );
  }
  return runs;
}

async function openLoops(targets: Map<Target, TargetInfo>, failures: string[]): Promise<OpenRun[]> {
  const runs: OpenRun[] = [];
  const names: Target[] = [
    'passthrough',
    'gateway-d4',
    'portkey',
    'passthrough-workerd',
    'gateway-d4-workerd',
  ];
  for (const mode of ['non-stream', 'stream-7'] as const) {
    for (const rate of RATES) {
      for (const name of names) {
        const t = targets.get(name);
        if (!t) continue;
        const probe: ProbeOptions = {
          origin: t.origin,
          path: pathOf(mode),
          headers: t.headers,
          body: bodyFor(mode),
          complete: completeOf(mode),
        };
        const run = { target: name, mode, ...(await openLoop(probe, rate, OPEN_SECONDS)) };
        if (run.failures > 0)
          failures.push(`${name} ${mode} at ${rate}/s: ${run.failures} failed: ${run.sampleError}`);
        runs.push(run);
        await sleep(200);
      }
      console.log(
        `bench: open loop ${mode} ${rate}/s: ${runs
          .filter((r) => r.mode === mode && r.rate === rate)
          .map((r) => `${r.target} p50 ${fmt(r.p50Ms, 2)} p99 ${fmt(r.p99Ms, 2)} ms`)
          .join(', ')}`,
      );
    }
  }
  return runs;
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadBefore = loadavg();
  console.log(
    `bench: ${ROUNDS}×${ROUND_SECONDS} s closed-loop runs (${CONNECTIONS} connections) after ${WARMUP} s warm-up; node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  if ((loadBefore[0] ?? 0) > cpus().length / 2)
    console.log('bench: the machine is already busy; expect noisy figures (cpu ms/req is the steadier one)');
  const failures: string[] = [];
  const needTargets = SECTIONS.has('closed') || SECTIONS.has('one') || SECTIONS.has('open');
  const targets = new Map<Target, TargetInfo>();
  let db: D1Like | undefined;
  let gatewayUpstreamKeys: string[] = [];
  let workerdGateway: { d1: D1Like; upstreamKeys: string[]; queueStats(): Promise<unknown> } | undefined;
  let upstream = '';
  if (needTargets) {
    upstream = await startUpstreamProcess(cleanups);
    const before = workerdChildren();
    const known = new Set<number>();
    const json = { 'content-type': 'application/json' };
    const bare = (origin: string, pids: Set<number>): TargetInfo => ({
      origin,
      headers: { ...json, authorization: 'Bearer bench-client-key' },
      pids,
      modes: PROXY_MODES,
    });
    const passthrough = await startBareWorker('passthrough-worker.ts', upstream, cleanups);
    targets.set('passthrough', bare(passthrough, newPids(before, known)));
    const floor = await startBareWorker('floor-worker.ts', upstream, cleanups);
    targets.set('floor', bare(floor, newPids(before, known)));
    console.log('bench: building and starting the gateway (wrangler deploy --dry-run, Miniflare)…');
    const { gw, gatewayKey, depth4Key, upstreamKeys } = await startBenchGateway(upstream, cleanups);
    const gwPids = newPids(before, known);
    db = await gw.d1();
    gatewayUpstreamKeys = upstreamKeys;
    targets.set('gateway-d1', {
      origin: gw.url,
      headers: { ...json, authorization: `Bearer ${gatewayKey}` },
      pids: gwPids,
      modes: PROXY_MODES,
    });
    targets.set('gateway-d4', {
      origin: gw.url,
      headers: { ...json, authorization: `Bearer ${depth4Key}` },
      pids: gwPids,
      modes: GATEWAY_MODES,
    });
    const portkey = await startPortkey(upstream, cleanups);
    targets.set('portkey', {
      origin: portkey.url,
      headers: { ...json, authorization: 'Bearer bench-client-key', ...portkey.headers },
      pids: new Set([portkey.pid]),
      modes: PROXY_MODES,
    });
    if (WITH_WORKERD) {
      try {
        const pt = await startWorkerdPassthrough(upstream, cleanups);
        targets.set('passthrough-workerd', bare(pt.url, new Set([pt.pid])));
        console.log('bench: starting the gateway on plain workerd (D1 shim and queue broker beside it)…');
        const wg = await startWorkerdGateway(cleanups);
        // Upstream keys of its own, so the upstream's counts check its metering apart from Miniflare's.
        const seeded = await seedBenchGateway(wg, upstream, 'bench-workerd-upstream-key');
        workerdGateway = { d1: wg.d1, upstreamKeys: seeded.upstreamKeys, queueStats: wg.queueStats };
        targets.set('gateway-d4-workerd', {
          origin: wg.url,
          headers: { ...json, authorization: `Bearer ${seeded.depth4Key}` },
          pids: new Set([wg.pid]),
          platformPids: { d1: new Set([wg.platformPids.d1]), queues: new Set([wg.platformPids.queues]) },
          modes: PROXY_MODES,
        });
      } catch (err) {
        console.log(`bench: plain workerd: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  if (ONLY) for (const name of [...targets.keys()]) if (!ONLY.has(name)) targets.delete(name);

  const closed = SECTIONS.has('closed') ? await closedLoop(targets, failures) : [];
  const one = SECTIONS.has('one') ? await oneClient(targets, failures) : [];
  const open = SECTIONS.has('open') ? await openLoops(targets, failures) : [];
  let cold: ColdStart | null = null;
  if (SECTIONS.has('cold')) {
    try {
      cold = await coldStart();
    } catch (err) {
      failures.push(`cold start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  if (closed.length) {
    console.log();
    printTable(
      [
        'target',
        'mode',
        'req/s',
        'mean ms',
        'p50 ms',
        'p99 ms',
        'cpu ms/req',
        '+D1 shim',
        '+broker',
        '2xx',
        'failed',
      ],
      closed.map((r) => [
        r.target,
        r.mode,
        fmt(r.reqPerSec, 1),
        fmt(r.latencyMeanMs, 2),
        fmt(r.p50Ms),
        fmt(r.p99Ms),
        fmt(r.cpuMsPerReq, 3),
        r.platformCpuMsPerReqByPart ? fmt(r.platformCpuMsPerReqByPart['d1'], 3) : '',
        r.platformCpuMsPerReqByPart ? fmt(r.platformCpuMsPerReqByPart['queues'], 3) : '',
        String(r.ok),
        String(r.non2xx + r.errors + r.timeouts + r.mismatches),
      ]),
    );
  }
  if (one.length) {
    console.log('\none client, one request at a time');
    printTable(
      ['target', 'mode', 'mean ms', 'p50 ms', 'p99 ms', 'ttfb ms', 'ttfb p50', 'n'],
      one.map((r) => [
        r.target,
        r.mode,
        fmt(r.meanMs, 3),
        fmt(r.p50Ms, 3),
        fmt(r.p99Ms, 3),
        fmt(r.ttfbMeanMs, 3),
        fmt(r.ttfbP50Ms, 3),
        String(r.n),
      ]),
    );
  }
  if (open.length) {
    console.log('\nopen loop (fixed arrival rate; latency from when each request was due)');
    printTable(
      ['target', 'mode', 'rate', 'done/s', 'p50 ms', 'p99 ms', 'mean ms'],
      open.map((r) => [
        r.target,
        r.mode,
        String(r.rate),
        fmt(r.achievedPerSec, 1),
        fmt(r.p50Ms, 3),
        fmt(r.p99Ms, 3),
        fmt(r.meanMs, 3),
      ]),
    );
  }
  if (cold) {
    console.log(
      `\ncold start: bundle ${fmt(cold.bundleBytes / 1024)} KiB (${fmt(cold.gzipBytes / 1024)} KiB gzip, script ${fmt(cold.scriptBytes / 1024)} KiB); plain workerd, ${cold.samples} cold starts: process start → first answer ${fmt(cold.firstAnswerMs)} ms (one-line Worker ${fmt(cold.bareFirstAnswerMs)} ms), startup CPU ${fmt(cold.startupCpuMs)} ms (one-line Worker ${fmt(cold.bareStartupCpuMs)} ms)`,
    );
  }
  const { figures, goals } = summarize(closed, one, open, cold);
  if (closed.some((r) => r.target === 'gateway-d4-workerd')) {
    const r = (x: number | null) => fmt(x, 3);
    const m = figures.gatewayOverPassthrough;
    const w = figures.workerdGatewayOverPassthrough;
    console.log('\ngateway-d4 / passthrough, same runtime: Miniflare | plain workerd');
    printTable(
      ['mode', 'Miniflare', 'plain workerd', 'cpu added, Miniflare', 'cpu added, workerd', 'platform share'],
      (['nonStream', 'stream7', 'stream300'] as const).map((k) => [
        k,
        r(m[k]),
        r(w[k]),
        r(figures.addedCpuMsPerReq[k]),
        r(figures.workerdAddedCpuMsPerReq[k]),
        figures.workerdPlatformShare[k] === null
          ? 'n/a'
          : `${fmt((figures.workerdPlatformShare[k] as number) * 100, 1)} %`,
      ]),
      1,
    );
  }
  console.log('\ngoals (C14, issue #19)');
  printTable(
    ['goal', 'figure', 'met'],
    goals.map((g) => [g.goal, g.figure, g.met === null ? '-' : g.met ? 'yes' : 'NO']),
    2,
  );

  let metering: (Metered & { gatewayUpstreamCalls: number }) | null = null;
  let upstreamCalls: Record<string, number> = {};
  if (db) {
    upstreamCalls = (await (await fetch(`${upstream}/stats`)).json()) as Record<string, number>;
    const gatewayUpstreamCalls = gatewayUpstreamKeys.reduce((n, k) => n + (upstreamCalls[k] ?? 0), 0);
    // The plain-workerd gateway has its own upstream keys and its own D1; only the Miniflare one is checked.
    metering = { ...(await metered(db, gatewayUpstreamCalls)), gatewayUpstreamCalls };
    console.log(
      `\nmetering: ${metering.requests} requests in usage_daily (errors ${metering.errors}, estimated ${metering.estimated}); ${gatewayUpstreamCalls} forwarded upstream by the Miniflare gateway`,
    );
    if (metering.requests < gatewayUpstreamCalls)
      failures.push(
        `metering: ${gatewayUpstreamCalls - metering.requests} forwarded requests are not in usage_daily`,
      );
  }
  let workerdMetering: (Metered & { gatewayUpstreamCalls: number; queue: unknown }) | null = null;
  if (workerdGateway) {
    // The same check on the plain-workerd gateway, its D1 read through the shim.
    const calls = workerdGateway.upstreamKeys.reduce((n, k) => n + (upstreamCalls[k] ?? 0), 0);
    workerdMetering = {
      ...(await metered(workerdGateway.d1, calls)),
      gatewayUpstreamCalls: calls,
      queue: await workerdGateway.queueStats(),
    };
    console.log(
      `metering (plain workerd): ${workerdMetering.requests} requests in usage_daily (errors ${workerdMetering.errors}, estimated ${workerdMetering.estimated}); ${calls} forwarded upstream; queue broker ${JSON.stringify(workerdMetering.queue)}`,
    );
    if (workerdMetering.requests < calls)
      failures.push(
        `metering (plain workerd): ${calls - workerdMetering.requests} forwarded requests are not in usage_daily`,
      );
  }
  if (cutOff > 0) console.log(`bench: ${cutOff} in-flight requests were cut off at the end of timed runs`);

  const out = join(repoRoot, '.bench');
  mkdirSync(out, { recursive: true });
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
    settings: { ROUNDS, ROUND_SECONDS, WARMUP, CONNECTIONS, ONE_CLIENT_SECONDS, OPEN_SECONDS, RATES },
    portkeyVersion: portkeyVersion(),
    closed,
    oneClient: one,
    openLoop: open,
    coldStart: cold,
    figures,
    goals,
    metering,
    workerdMetering,
    upstreamCalls,
    cutOffInFlight: cutOff,
    failures,
    wallSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`bench: wrote ${join(out, 'results.json')} in ${fmt(results.wallSeconds)} s`);
  for (const f of failures) console.error(`bench: FAILED ${f}`);
  return failures.length === 0 ? 0 : 1;
}

// Bounded: the whole benchmark stops by itself even if something hangs.
const budgetMs = 900_000;
setTimeout(() => {
  console.error(`bench: gave up after ${budgetMs / 1000} s`);
  void cleanup().finally(() => process.exit(2));
}, budgetMs).unref();
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error('bench failed:', err);
} finally {
  await cleanup();
}
process.exit(code);
