// One autocannon run against a proxy endpoint, reduced to the figures the benchmark keeps.
import autocannon from 'autocannon';

export interface LoadOptions {
  origin: string;
  /** Default `/v1/chat/completions`. */
  path?: string;
  /** Text every complete answer contains; default: the end of a chat completion or stream. */
  complete?: string;
  headers: Record<string, string>;
  body: string;
  stream: boolean;
  seconds: number;
  connections: number;
}

export interface LoadFigures {
  reqPerSec: number;
  latencyMeanMs: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx answers whose body was not a complete completion (or stream ending in [DONE]). */
  mismatches: number;
  /** The first failing answer (status and body) or request error, if any. */
  sampleError: string | null;
}

export const failed = (f: LoadFigures) => f.non2xx + f.errors + f.timeouts + f.mismatches > 0;

export function load(opts: LoadOptions): Promise<LoadFigures> {
  let sampleError: string | null = null;
  const complete = opts.complete ?? (opts.stream ? 'data: [DONE]' : '"chat.completion"');
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${opts.origin}${opts.path ?? '/v1/chat/completions'}`,
        connections: opts.connections,
        duration: opts.seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            headers: opts.headers,
            body: opts.body,
            onResponse: (status: number, body: string) => {
              if ((status < 200 || status > 299) && sampleError === null) {
                sampleError = `HTTP ${status}: ${body.slice(0, 500)}`;
              }
            },
          },
        ],
        verifyBody: (body) => String(body).includes(complete),
      },
      (err: unknown, r: autocannon.Result) => {
        clearTimeout(guard);
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({
          reqPerSec: r.requests.mean,
          latencyMeanMs: r.latency.mean,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          sent: r.requests.sent,
          ok: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          mismatches: r.mismatches,
          sampleError,
        });
      },
    );
    instance.on('reqError', (err: unknown) => {
      sampleError ??= `request error: ${err instanceof Error ? err.message : String(err)}`;
    });
    // autocannon stops itself after `duration`; this only guards against a run that never ends.
    const guard = setTimeout(() => instance.stop(), (opts.seconds + 30) * 1000);
  });
}
