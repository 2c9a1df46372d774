// Cold start of the gateway Worker: the size of the bundle `wrangler deploy` would upload, and,
// on plain `workerd serve`, the time from starting a fresh process with that bundle to its first
// answer (`GET /healthz`: routing and middleware, no storage) and the CPU the process spent by
// then, against the same for a one-line Worker (workerd's own start-up): the difference
// is what the gateway's script costs to load, compile and run its global scope. Run on its own:
// `npx tsx test/bench/cold-start.ts`.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildBundle } from '../harness/gateway';
import { cpuMs } from './cpu';
import type { Cleanup } from './targets';
import { bundleModules, newWorkdir, serveWorkerd, workerdConfig } from './workerd-serve';

export interface ColdStart {
  /** Every module of the upload (the script and its Text modules). */
  bundleBytes: number;
  gzipBytes: number;
  /** The script alone: what the isolate parses as JavaScript at start-up. */
  scriptBytes: number;
  samples: number;
  /** Medians over the samples, ms. */
  firstAnswerMs: number;
  listeningMs: number;
  startupCpuMs: number;
  bareFirstAnswerMs: number;
  bareStartupCpuMs: number;
}

const SAMPLES = 5;

export async function firstAnswer(
  modulePath: string,
  bindings: { name: string; text: string }[],
  path: string,
): Promise<{ firstAnswerMs: number; listeningMs: number; cpu: number }> {
  const dir = newWorkdir();
  const modules = bundleModules(modulePath).map((m) => {
    const local = join(dir, m.name);
    copyFileSync(m.path, local);
    return { ...m, path: local };
  });
  const cleanups: Cleanup[] = [];
  const t0 = performance.now();
  try {
    const w = await serveWorkerd(workerdConfig([{ name: 'cold', modules, bindings }]), dir, cleanups);
    const res = await fetch(`${w.url}${path}`);
    await res.arrayBuffer();
    const firstAnswerMs = performance.now() - t0;
    if (res.status >= 500) throw new Error(`cold start: ${path} answered ${res.status}`);
    return { firstAnswerMs, listeningMs: w.listeningMs, cpu: cpuMs(new Set([w.pid])) ?? Number.NaN };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function coldStart(): Promise<ColdStart> {
  const bundle = buildBundle();
  const files = bundleModules(bundle).map((m) => readFileSync(m.path));
  // The least a Worker can be: what workerd itself costs to start and answer.
  const hello = join(newWorkdir(), 'hello.js');
  writeFileSync(hello, "export default { fetch: () => new Response('ok') };\n");
  const gateway: Awaited<ReturnType<typeof firstAnswer>>[] = [];
  const bare: Awaited<ReturnType<typeof firstAnswer>>[] = [];
  // Interleaved, so drift falls on both alike.
  for (let i = 0; i < SAMPLES; i++) {
    bare.push(await firstAnswer(hello, [], '/'));
    gateway.push(
      await firstAnswer(
        bundle,
        [
          { name: 'DEFAULT_TIMEZONE', text: 'UTC' },
          { name: 'SWITCHYARD_ENVIRONMENT', text: 'bench' },
        ],
        '/healthz',
      ),
    );
  }
  return {
    bundleBytes: files.reduce((n, f) => n + f.length, 0),
    gzipBytes: files.reduce((n, f) => n + gzipSync(f).length, 0),
    scriptBytes: statSync(bundle).size,
    samples: SAMPLES,
    firstAnswerMs: median(gateway.map((g) => g.firstAnswerMs)),
    listeningMs: median(gateway.map((g) => g.listeningMs)),
    startupCpuMs: median(gateway.map((g) => g.cpu)),
    bareFirstAnswerMs: median(bare.map((g) => g.firstAnswerMs)),
    bareStartupCpuMs: median(bare.map((g) => g.cpu)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await coldStart());
}
