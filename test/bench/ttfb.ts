// `npm run bench:ttfb`: where a request's time goes at one client, split at the client into the
// response's headers, its first body byte and its end, for the passthrough, the metering floor and
// the gateway (and, with BENCH_TTFB_BASELINE=<bundle>, a second gateway build beside this tree's,
// for an A/B of a change). Requests alternate between the targets one by one, each target on its
// own keep-alive connection, so the machine's drift falls on every target alike — the one-client
// section of run.ts alternates in halves of seconds, which on a shared machine moves a target's
// figure by more than the differences looked for here. Writes .bench/ttfb.json; no assertions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/gateway';
import { fmt } from './summary';
import { type Cleanup, startBareWorker, startBenchGateway, startUpstreamProcess } from './targets';

const SECONDS = Number(process.env['BENCH_TTFB_SECONDS'] ?? 8);
const DEPTH4 = process.env['BENCH_TTFB_DEPTH'] === '4';
const BASELINE = process.env['BENCH_TTFB_BASELINE'];

interface Target {
  name: string;
  origin: string;
  authorization: string;
}

interface Times {
  headers: number[];
  first: number[];
  end: number[];
}

function once(agent: Agent, t: Target, body: string, times: Times): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let headersAt = 0;
    let firstAt = 0;
    let text = '';
    const req = request(
      new URL('/v1/chat/completions', t.origin),
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          authorization: t.authorization,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        headersAt = performance.now() - started;
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (firstAt === 0) firstAt = performance.now() - started;
          text += d;
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || !(text.includes('[DONE]') || text.includes('"chat.completion"')))
            return reject(new Error(`${t.name}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          times.headers.push(headersAt);
          times.first.push(firstAt);
          times.end.push(performance.now() - started);
          resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function interleaved(targets: Target[], body: string): Promise<Map<string, Times>> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times = targets.map((): Times => ({ headers: [], first: [], end: [] }));
  try {
    const round = async (into: Times[]) => {
      for (const [i, t] of targets.entries()) await once(agents[i] as Agent, t, body, into[i] as Times);
    };
    const warm = targets.map((): Times => ({ headers: [], first: [], end: [] }));
    for (let i = 0; i < 50; i++) await round(warm);
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) await round(times);
  } finally {
    for (const a of agents) a.destroy();
  }
  return new Map(targets.map((t, i) => [t.name, times[i] as Times]));
}

const cleanups: Cleanup[] = [];
try {
  const upstream = await startUpstreamProcess(cleanups);
  const bare = (name: string, origin: string): Target => ({
    name,
    origin,
    authorization: 'Bearer bench-client-key',
  });
  const targets: Target[] = [
    bare('passthrough', await startBareWorker('passthrough-worker.ts', upstream, cleanups)),
    bare('floor', await startBareWorker('floor-worker.ts', upstream, cleanups)),
  ];
  const builds: [string, string | undefined][] = [['gateway', undefined]];
  if (BASELINE) builds.unshift(['baseline', BASELINE]);
  for (const [name, bundle] of builds) {
    const g = await startBenchGateway(upstream, cleanups, bundle ? { bundle } : {});
    targets.push({ name, origin: g.gw.url, authorization: `Bearer ${DEPTH4 ? g.depth4Key : g.gatewayKey}` });
  }
  console.log(
    `bench:ttfb: ${SECONDS} s per mode, requests alternating between ${targets.length} targets, gateway key at depth ${DEPTH4 ? 4 : 1}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results: Record<
    string,
    Record<string, { n: number; headersMs: number; firstByteMs: number; endMs: number }>
  > = {};
  for (const mode of ['stream-7', 'non-stream'] as const) {
    const body = JSON.stringify({
      model: 'bench-7',
      messages: [{ role: 'user', content: 'hello' }],
      ...(mode === 'stream-7' ? { stream: true } : {}),
    });
    const measured = await interleaved(targets, body);
    const base = measured.get('passthrough') as Times;
    console.log(`\n${mode}: p50 ms from the request (added: over the passthrough)`);
    console.log('target        headers  first byte  end     added first byte  added end     n');
    results[mode] = {};
    for (const [name, t] of measured) {
      const row = {
        n: t.end.length,
        headersMs: p50(t.headers),
        firstByteMs: p50(t.first),
        endMs: p50(t.end),
      };
      results[mode][name] = row;
      console.log(
        [
          name.padEnd(12),
          fmt(row.headersMs, 3).padStart(8),
          fmt(row.firstByteMs, 3).padStart(11),
          fmt(row.endMs, 3).padStart(7),
          fmt(row.firstByteMs - p50(base.first), 3).padStart(17),
          fmt(row.endMs - p50(base.end), 3).padStart(10),
          String(row.n).padStart(6),
        ].join(' '),
      );
    }
  }
  const out = join(repoRoot, '.bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'ttfb.json'),
    `${JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, depth4: DEPTH4, baseline: BASELINE ?? null, loadAverage: loadavg(), results }, null, 2)}\n`,
  );
} finally {
  for (const close of cleanups.reverse()) await close().catch(() => {});
}
process.exit(0);
