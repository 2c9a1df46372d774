// `npx tsx test/bench/ab.ts <bundle-a> [<bundle-b>]`: an interleaved A/B of two gateway builds (two
// `wrangler deploy --dry-run` bundles; B defaults to this tree's), each in its own Miniflare process
// beside the metering floor, all in front of the same upstream: CPU per request of the depth-4 key
// (the gateway's processes: its DOs, D1 and queue consumer included) and req/s, in alternating
// rounds so the machine's drift falls on both alike. For measuring one cut; the figures of record
// come from `npm run bench`. Knobs: AB_ROUNDS (6), AB_SECONDS (2), AB_MODE (non-stream | stream).
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, workerdChildren } from './cpu';
import { load } from './load';
import { type Cleanup, startBareWorker, startBenchGateway, startUpstreamProcess } from './targets';

const ROUNDS = Number(process.env['AB_ROUNDS'] ?? 6);
const SECONDS = Number(process.env['AB_SECONDS'] ?? 2);
const stream = process.env['AB_MODE'] === 'stream';
const [bundleA, bundleB] = process.argv.slice(2);
if (!bundleA) throw new Error('usage: ab.ts <bundle-a> [<bundle-b>]');

const cleanups: Cleanup[] = [];
const json = { 'content-type': 'application/json' };
const body = JSON.stringify({
  model: 'bench-7',
  messages: [{ role: 'user', content: 'hello' }],
  ...(stream ? { stream: true } : {}),
});

async function main() {
  const upstream = await startUpstreamProcess(cleanups);
  const known = new Set(workerdChildren());
  const claim = () => {
    const mine = new Set([...workerdChildren()].filter((p) => !known.has(p)));
    for (const p of mine) known.add(p);
    return mine;
  };
  const floor = await startBareWorker('floor-worker.ts', upstream, cleanups);
  const targets = [{ name: 'floor', origin: floor, key: 'bench-client-key', pids: claim() }];
  for (const [name, bundle] of [
    ['A', bundleA],
    ['B', bundleB],
  ] as const) {
    const g = await startBenchGateway(upstream, cleanups, bundle ? { bundle } : {});
    targets.push({ name, origin: g.gw.url, key: g.depth4Key, pids: claim() });
  }
  const totals = new Map(targets.map((t) => [t.name, { cpu: 0, ok: 0, rps: [] as number[] }]));
  const run = (t: (typeof targets)[number], seconds: number) =>
    load({
      origin: t.origin,
      headers: { ...json, authorization: `Bearer ${t.key}` },
      body,
      stream,
      seconds,
      connections: 50,
    });
  for (const t of targets) await run(t, 1);
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
      const before = cpuMs(t.pids) ?? 0;
      const f = await run(t, SECONDS);
      const after = cpuMs(t.pids) ?? 0;
      const tot = totals.get(t.name);
      if (!tot) continue;
      tot.cpu += after - before;
      tot.ok += f.ok;
      tot.rps.push(f.reqPerSec);
      if (f.non2xx + f.errors + f.mismatches > 0)
        console.log(`${t.name}: failures ${f.non2xx}/${f.errors}/${f.mismatches} ${f.sampleError}`);
      await sleep(200);
    }
  }
  for (const [name, t] of totals) {
    const rps = t.rps.reduce((a, b) => a + b, 0) / t.rps.length;
    console.log(
      `${name.padEnd(6)} cpu ms/req ${(t.cpu / t.ok).toFixed(3)}  req/s ${rps.toFixed(0)}  (rounds ${t.rps.map((x) => x.toFixed(0)).join(' ')})`,
    );
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    process.exit();
  });
