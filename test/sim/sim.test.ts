import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figures } from './figures';
import { loadScenario, scenarioDir } from './scenario';
import { EPOCH_CHECK_MS, EPOCH_SHARDS, runScenario } from './world';

describe('governance simulator (small scenario)', () => {
  it('holds the stated bounds: no request-count overshoot, token and cost overshoot within the bound', async () => {
    const f = figures(await runScenario(loadScenario('small')));
    // The scenario must exercise the limits, or the bounds below prove nothing.
    expect(f.requests.admitted).toBeGreaterThan(0.3 * f.requests.offered);
    expect(f.requests.refused).toBeGreaterThan(100);
    expect(f.requests.vanished).toBeGreaterThan(0);
    expect(f.network.lost).toBeGreaterThan(0);
    expect(f.overshoot.filter((o) => o.unit !== 'requests' && o.maxOver > 0).length).toBeGreaterThan(0);
    expect(f.requestOvershootViolations).toBe(0);
    expect(f.tokenOvershootViolations).toBe(0);
    const periodRequests = f.overshoot.filter((o) => o.pool === 'rpd');
    expect(periodRequests.every((o) => o.maxOver === 0)).toBe(true);
  }, 60_000);

  it('is deterministic: the same seed gives the same figures', async () => {
    const scenario = loadScenario('small', { durationS: 3, warmupS: 1 });
    const a = figures(await runScenario(scenario));
    const b = figures(await runScenario(scenario));
    const strip = (f: typeof a) => ({ ...f, wallS: 0, cpuS: 0 });
    expect(strip(a)).toEqual(strip(b));
  }, 60_000);

  it('checks the epoch as often as src/state/propagation.ts does', () => {
    const source = readFileSync(join(scenarioDir, '..', '..', '..', 'src/state/propagation.ts'), 'utf8');
    expect(source).toContain(`export const EPOCH_CHECK_MS = ${EPOCH_CHECK_MS};`);
    expect(source).toContain(`export const EPOCH_SHARDS = ${EPOCH_SHARDS};`);
    expect(loadScenario('edge-50k').design.epochShards).toBe(EPOCH_SHARDS);
  });
});
