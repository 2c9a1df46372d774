// `npm run simulate [scenario…]`: runs the scenarios (default: every file in scenarios/ but the unit
// test's), prints one table, writes docs/scale/results.json and the charts docs/scale/*.svg.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { charts } from './charts';
import { type Figures, figures } from './figures';
import { loadScenario, scenarioDir } from './scenario';
import { runScenario } from './world';

const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(scenarioDir)
      .filter((f) => f.endsWith('.json') && f !== 'small.json')
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
const outDir = join(scenarioDir, '..', '..', '..', 'docs', 'scale');
mkdirSync(outDir, { recursive: true });

const all: Figures[] = [];
const started = performance.now();
const cpuStarted = process.cpuUsage();
for (const name of names) {
  const run = await runScenario(loadScenario(name));
  const f = figures(run);
  all.push(f);
  for (const [kind, svg] of Object.entries(charts(run, f)))
    writeFileSync(join(outDir, `${name}-${kind}.svg`), svg);
  console.log(`${name}: ${f.simulatedS} s simulated in ${f.wallS} s (${f.cpuS} s CPU)`);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const rows = all.map((f) => {
  const worstTokens = f.overshoot
    .filter((o) => o.unit !== 'requests')
    .reduce((a, o) => Math.max(a, o.worstRatio), 0);
  return {
    scenario: f.scenario,
    'req/s': f.requests.ratePerS,
    admitted: pct(f.requests.admitted / Math.max(1, f.requests.offered)),
    'busiest object': `${f.busiest.id} (${f.busiest.level})`,
    'peak calls/s': f.busiest.peak,
    'p99 calls/s': f.busiest.p99,
    'objects over budget': f.overBudgetObjects,
    'req overshoot ✗': f.requestOvershootViolations,
    'token overshoot ✗': f.tokenOvershootViolations,
    'token over/bound': worstTokens.toFixed(2),
    'false refusals': `${f.falseRefusals.count} (${pct(f.falseRefusals.shareOfOffered)})`,
    'latency p50/p99 ms': `${f.latencyMs.p50}/${f.latencyMs.p99}`,
    'from memory': pct(f.latencyMs.fromMemory),
    'refusal p50/p99 ms': `${f.refusalLatencyMs.p50}/${f.refusalLatencyMs.p99}`,
    errors: f.requests.errors,
    event: Object.entries(f.event)
      .filter(([k]) => !['kind', 'what', 'measuredBins'].includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  };
});
console.table(rows);
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(all, null, 2)}\n`);
console.log(
  `all scenarios in ${((performance.now() - started) / 1_000).toFixed(0)} s ` +
    `(${(((c) => c.user + c.system)(process.cpuUsage(cpuStarted)) / 1e6).toFixed(0)} s CPU); figures in docs/scale/`,
);
const broken = all.filter((f) => f.requestOvershootViolations > 0 || f.tokenOvershootViolations > 0);
if (broken.length) {
  console.error(`bounds broken in: ${broken.map((f) => f.scenario).join(', ')}`);
  process.exitCode = 1;
}
