// Latency probes that autocannon does not give: one client sending one request at a time (time
// per request and time to the first byte of the answer), and an open-loop run that sends at a
// fixed arrival rate whatever the answers do, timing each request from when it was due (so a
// slow answer cannot hide the requests that would have queued behind it).
import { Agent, request } from 'node:http';

export interface ProbeOptions {
  origin: string;
  path?: string;
  headers: Record<string, string>;
  body: string;
  /** Text every complete answer contains. */
  complete: string;
}

export interface LatencyFigures {
  n: number;
  failures: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Time to the first byte of the body. */
  ttfbMeanMs: number;
  ttfbP50Ms: number;
  sampleError: string | null;
}

export interface OpenLoopFigures extends LatencyFigures {
  rate: number;
  /** Answers per second actually completed over the run. */
  achievedPerSec: number;
}

interface One {
  ok: boolean;
  totalMs: number;
  ttfbMs: number;
  error?: string;
}

function once(agent: Agent, opts: ProbeOptions, startedAt = performance.now()): Promise<One> {
  const url = new URL(opts.path ?? '/v1/chat/completions', opts.origin);
  return new Promise((resolve) => {
    let ttfb = 0;
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (ttfb === 0) ttfb = performance.now() - startedAt;
          text += d;
        });
        res.on('end', () => {
          const totalMs = performance.now() - startedAt;
          const ok =
            (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 && text.includes(opts.complete);
          resolve({
            ok,
            totalMs,
            ttfbMs: ttfb || totalMs,
            ...(ok ? {} : { error: `HTTP ${res.statusCode}: ${text.slice(0, 300)}` }),
          });
        });
        res.on('error', (e) => resolve({ ok: false, totalMs: 0, ttfbMs: 0, error: String(e) }));
      },
    );
    req.on('error', (e) => resolve({ ok: false, totalMs: 0, ttfbMs: 0, error: String(e) }));
    req.end(opts.body);
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

function figures(results: One[]): LatencyFigures {
  const ok = results.filter((r) => r.ok);
  const total = ok.map((r) => r.totalMs).sort((a, b) => a - b);
  const ttfb = ok.map((r) => r.ttfbMs).sort((a, b) => a - b);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    n: ok.length,
    failures: results.length - ok.length,
    meanMs: mean(total),
    p50Ms: pct(total, 50),
    p99Ms: pct(total, 99),
    ttfbMeanMs: mean(ttfb),
    ttfbP50Ms: pct(ttfb, 50),
    sampleError: results.find((r) => !r.ok)?.error ?? null,
  };
}

/** One connection, one request at a time, for `seconds` (after `warmup` requests not counted). */
export async function sequential(opts: ProbeOptions, seconds: number, warmup = 50): Promise<LatencyFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < warmup; i++) await once(agent, opts);
    const results: One[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) results.push(await once(agent, opts));
    return figures(results);
  } finally {
    agent.destroy();
  }
}

/** Requests due every 1/rate s for `seconds`, each timed from when it was due. */
export async function openLoop(opts: ProbeOptions, rate: number, seconds: number): Promise<OpenLoopFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  try {
    const interval = 1000 / rate;
    const count = Math.round(rate * seconds);
    const started = performance.now();
    const pending: Promise<One>[] = [];
    for (let i = 0; i < count; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(once(agent, opts, due));
    }
    const results = await Promise.all(pending);
    const elapsed = (performance.now() - started) / 1000;
    return { ...figures(results), rate, achievedPerSec: results.filter((r) => r.ok).length / elapsed };
  } finally {
    agent.destroy();
  }
}
