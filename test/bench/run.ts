// `npm run bench`: what the governance chain costs. The gateway (real bundle on workerd through
// Miniflare, real D1/DO/Queues, governor on the path), a bare passthrough Worker and a metering
// floor Worker (floor-worker.ts: the least a proxy that meters exactly must do) on the same runtime
// are loaded with autocannon in front of the same fast local upstream, for non-streamed and
// streamed chat completions (the gateway's passthrough path). A last, gateway-only run streams an
// Anthropic Messages client through the protocol bridge to the same chat upstream (the translation
// path; a bare Worker cannot translate, so it is compared with the passthrough stream).
// Prints a table, writes .bench/results.json; no timed assertions.
// Exits non-zero only when requests failed (a benchmark of failing requests is meaningless).
// Env: BENCH_DURATION (s per target and mode, default 10), BENCH_ROUNDS (interleaved runs it is
// split into, default 3), BENCH_CONNECTIONS (default 50), BENCH_WARMUP (s, default 2).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { D1Like } from '../harness/gateway';
import { repoRoot } from '../harness/gateway';
import { cpuMs, workerdChildren } from './cpu';
import { failed, type LoadFigures, load } from './load';
import { type Cleanup, startBareWorker, startBenchGateway, startUpstreamProcess } from './targets';

const positiveInt = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};
const DURATION = positiveInt('BENCH_DURATION', 10);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const WARMUP = positiveInt('BENCH_WARMUP', 2);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
/** Each target's measured time per mode is DURATION, in ROUNDS interleaved runs. */
const ROUND_SECONDS = Math.max(2, Math.round(DURATION / ROUNDS));
const MODES = ['non-stream', 'stream', 'translated-stream'] as const;
const TARGETS = ['passthrough', 'floor', 'gateway'] as const;
type Mode = (typeof MODES)[number];
type Target = (typeof TARGETS)[number];
/** The run each mode's gateway figures are compared with. */
const BASELINE: Record<Mode, { mode: Mode; target: Target }> = {
  'non-stream': { mode: 'non-stream', target: 'passthrough' },
  stream: { mode: 'stream', target: 'passthrough' },
  'translated-stream': { mode: 'stream', target: 'passthrough' },
};
/** Modes only the gateway can serve. */
const GATEWAY_ONLY = new Set<Mode>(['translated-stream']);
interface Run extends LoadFigures {
  target: Target;
  mode: Mode;
  /** CPU time of the target's workerd process per 2xx answer (Linux only). */
  workerdCpuMsPerReq: number | null;
  /** Failures during the warm-up count too: the measured run would not mean much. */
  warmupFailures: number;
}
const runFailed = (r: Run) => failed(r) || r.warmupFailures > 0;

/** One target's interleaved runs as one: counts summed, rates and means averaged, the worst p99. */
function combine(parts: LoadFigures[]): LoadFigures {
  const sum = (f: (p: LoadFigures) => number) => parts.reduce((n, p) => n + f(p), 0);
  const mean = (f: (p: LoadFigures) => number) => sum(f) / Math.max(1, parts.length);
  const ok = sum((p) => p.ok);
  const p50s = parts.map((p) => p.p50Ms).sort((a, b) => a - b);
  return {
    reqPerSec: mean((p) => p.reqPerSec),
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
  if (text.includes('disconnected: ::write') || text.includes('disconnected: ::writev')) {
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

const bodyFor = (mode: Mode) =>
  JSON.stringify({
    model: 'bench-model',
    messages: [{ role: 'user', content: 'hello' }],
    ...(mode === 'translated-stream' ? { max_tokens: 64 } : {}),
    ...(mode === 'non-stream' ? {} : { stream: true }),
  });

const requestFor = (mode: Mode) =>
  mode === 'translated-stream'
    ? { path: '/v1/messages', complete: 'event: message_stop', stream: true }
    : { stream: mode === 'stream' };

const fmt = (n: number | null, digits = 0) => (n === null ? 'n/a' : n.toFixed(digits));

function printTable(runs: Run[]) {
  const rows = [
    ['target', 'mode', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'cpu ms/req', '2xx', 'non-2xx', 'errors'],
    ...runs.map((r) => [
      r.target,
      r.mode,
      fmt(r.reqPerSec, 1),
      fmt(r.latencyMeanMs, 2),
      fmt(r.p50Ms),
      fmt(r.p99Ms),
      fmt(r.workerdCpuMsPerReq, 2),
      String(r.ok),
      String(r.non2xx),
      String(r.errors + r.timeouts),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows) {
    console.log(
      row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
}

interface Metered {
  requests: number;
  errors: number;
  estimated: number;
}

/** Reads the daily rollup once the usage queue has caught up: `target` reached, or no progress for 4 s, or 15 s. */
async function metered(db: D1Like, target: number): Promise<Metered> {
  const deadline = Date.now() + 15_000;
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

async function main(): Promise<number> {
  const started = Date.now();
  const loadBefore = loadavg();
  console.log(
    `bench: ${DURATION} s runs after ${WARMUP} s warm-up, ${CONNECTIONS} connections, node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  if ((loadBefore[0] ?? 0) > cpus().length / 2) {
    console.log('bench: the machine is already busy; expect noisy figures (cpu ms/req is the steadier one)');
  }
  const upstream = await startUpstreamProcess(cleanups);
  const before = workerdChildren();
  const passthrough = await startBareWorker('passthrough-worker.ts', upstream, cleanups);
  const passthroughPids = new Set([...workerdChildren()].filter((p) => !before.has(p)));
  const floor = await startBareWorker('floor-worker.ts', upstream, cleanups);
  const floorPids = new Set([...workerdChildren()].filter((p) => !before.has(p) && !passthroughPids.has(p)));
  console.log('bench: building and starting the gateway (wrangler deploy --dry-run, Miniflare)…');
  const { gw, gatewayKey, upstreamKeys } = await startBenchGateway(upstream, cleanups);
  const gatewayPids = new Set(
    [...workerdChildren()].filter((p) => !before.has(p) && !passthroughPids.has(p) && !floorPids.has(p)),
  );

  const origins: Record<Target, string> = { passthrough, floor, gateway: gw.url };
  const pids: Record<Target, Set<number>> = {
    passthrough: passthroughPids,
    floor: floorPids,
    gateway: gatewayPids,
  };
  // Both targets get the same request bytes; the passthrough forwards the bearer to the upstream.
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${gatewayKey}` };
  let gatewaySent = 0;
  let gatewayAnswered = 0;
  const runs: Run[] = [];
  const roundRatios: Partial<Record<Mode, number[]>> = {};
  for (const mode of MODES) {
    const targets = TARGETS.filter((t) => !GATEWAY_ONLY.has(mode) || t === 'gateway');
    const optsFor = (target: Target) => ({
      origin: origins[target],
      headers,
      body: bodyFor(mode),
      ...requestFor(mode),
      connections: CONNECTIONS,
    });
    const warm = new Map<Target, LoadFigures>();
    for (const target of targets) {
      process.stdout.write(`bench: ${mode}: warm-up ${target}…\n`);
      warm.set(target, await load({ ...optsFor(target), seconds: WARMUP }));
    }
    // Short runs in alternating order: the machine's speed drifts over minutes, and interleaving
    // makes the drift fall on every target alike.
    const rounds = new Map<Target, { figures: LoadFigures; cpuMs: number | null }[]>(
      targets.map((t) => [t, []]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const cpuBefore = cpuMs(pids[target]);
        const figures = await load({ ...optsFor(target), seconds: ROUND_SECONDS });
        const cpuAfter = cpuMs(pids[target]);
        rounds.get(target)?.push({
          figures,
          cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
        });
        await sleep(300);
      }
      const line = targets
        .map((t) => `${t} ${fmt(rounds.get(t)?.at(-1)?.figures.reqPerSec ?? null, 1)}`)
        .join(', ');
      console.log(`bench: ${mode}: round ${round + 1}/${ROUNDS}: ${line} req/s`);
    }
    for (const target of targets) {
      const measured = rounds.get(target) ?? [];
      const figures = combine(measured.map((m) => m.figures));
      const cpu = measured.every((m) => m.cpuMs !== null)
        ? measured.reduce((n, m) => n + (m.cpuMs ?? 0), 0)
        : null;
      const w = warm.get(target) as LoadFigures;
      if (target === 'gateway') {
        gatewaySent += w.sent + figures.sent;
        gatewayAnswered += w.ok + w.non2xx + figures.ok + figures.non2xx;
      }
      const workerdCpuMsPerReq =
        cpu === null || figures.ok === 0 ? null : Math.round((cpu / figures.ok) * 1000) / 1000;
      const warmupFailures = w.non2xx + w.errors + w.timeouts + w.mismatches;
      const sampleError = figures.sampleError ?? (w.sampleError && `(warm-up) ${w.sampleError}`);
      runs.push({ target, mode, ...figures, sampleError, workerdCpuMsPerReq, warmupFailures });
    }
    const base = BASELINE[mode];
    const baseRounds = base.mode === mode ? rounds.get(base.target) : undefined;
    const gatewayRounds = rounds.get('gateway');
    if (baseRounds && gatewayRounds)
      roundRatios[mode] = gatewayRounds.map(
        (g, i) => g.figures.reqPerSec / (baseRounds[i]?.figures.reqPerSec ?? Number.NaN),
      );
  }

  console.log();
  printTable(runs);
  const ratios: Partial<Record<Mode, number>> = {};
  const floorRatios: Partial<Record<Mode, number>> = {};
  for (const mode of MODES) {
    const base = BASELINE[mode];
    const p = runs.find((r) => r.mode === base.mode && r.target === base.target);
    const g = runs.find((r) => r.mode === mode && r.target === 'gateway');
    if (!p || !g) continue;
    const ratio = g.reqPerSec / p.reqPerSec;
    ratios[mode] = ratio;
    const cpu =
      g.workerdCpuMsPerReq !== null && p.workerdCpuMsPerReq !== null
        ? `, cpu/req +${fmt(g.workerdCpuMsPerReq - p.workerdCpuMsPerReq, 2)} ms`
        : '';
    console.log(
      `${mode}: gateway/passthrough${base.mode === mode ? '' : ` ${base.mode}`} req/s = ${fmt(ratio, 3)}; p50 +${fmt(g.p50Ms - p.p50Ms)} ms, mean +${fmt(g.latencyMeanMs - p.latencyMeanMs, 2)} ms${cpu}`,
    );
    const perRound = roundRatios[mode];
    if (perRound)
      console.log(`${mode}: gateway/passthrough by round: ${perRound.map((r) => fmt(r, 3)).join(', ')}`);
    const f = runs.find((r) => r.mode === mode && r.target === 'floor');
    if (f) {
      floorRatios[mode] = f.reqPerSec / p.reqPerSec;
      console.log(
        `${mode}: metering floor/passthrough req/s = ${fmt(f.reqPerSec / p.reqPerSec, 3)}; gateway/floor = ${fmt(g.reqPerSec / f.reqPerSec, 3)}`,
      );
    }
  }

  const perKey = (await (await fetch(`${upstream}/stats`)).json()) as Record<string, number>;
  const upstreamCalls = Object.fromEntries(
    Object.entries(perKey).map(([key, n]) => [
      key === gatewayKey ? 'passthrough and floor (client key)' : key,
      n,
    ]),
  );
  const gatewayUpstreamCalls = upstreamKeys.reduce((n, k) => n + (perKey[k] ?? 0), 0);
  const usage = await metered(await gw.d1(), gatewayUpstreamCalls);
  console.log(`upstream calls per key: ${JSON.stringify(upstreamCalls)}`);
  console.log(
    `metering: ${usage.requests} requests in usage_daily (errors ${usage.errors}, estimated ${usage.estimated}); gateway: ${gatewaySent} sent by autocannon, ${gatewayAnswered} answered, ${gatewayUpstreamCalls} forwarded upstream`,
  );
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
    durationSeconds: DURATION,
    rounds: ROUNDS,
    roundSeconds: ROUND_SECONDS,
    warmupSeconds: WARMUP,
    connections: CONNECTIONS,
    runs,
    ratios,
    roundRatios,
    floorRatios,
    metering: { ...usage, gatewaySent, gatewayAnswered, gatewayUpstreamCalls },
    upstreamCalls,
    cutOffInFlight: cutOff,
    wallSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`bench: wrote ${join(out, 'results.json')}`);

  const bad = runs.filter(runFailed);
  for (const r of bad) {
    console.error(
      `bench: ${r.target} ${r.mode} had failures (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}, bad bodies ${r.mismatches}, warm-up failures ${r.warmupFailures}): ${r.sampleError ?? 'no sample'}`,
    );
  }
  return bad.length === 0 ? 0 : 1;
}

// Bounded: the whole benchmark stops by itself even if something hangs.
const budgetMs = (300 + MODES.length * TARGETS.length * (WARMUP + ROUNDS * (ROUND_SECONDS + 20))) * 1000;
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
