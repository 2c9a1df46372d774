// A scenario is data (test/sim/scenarios/*.json): the edge, the tenant tree and its limits, the
// traffic, and the timed events (a burst, a lowered limit, a partition). `extends` names another
// scenario whose fields this one overrides (objects merged, arrays replaced).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const rule = z.object({
  /** The limit is `factor` times the account's expected demand per minute, or over the whole run. */
  per: z.enum(['minute', 'run']).default('minute'),
  factor: z.number().positive(),
  min: z.number().nonnegative().default(1),
  /** A share of the accounts get `factor` instead: limits their traffic actually hits. */
  tight: z.object({ share: z.number().min(0).max(1), factor: z.number().positive() }).optional(),
});
export type LimitRule = z.infer<typeof rule>;

const levelLimits = z
  .object({ rpm: rule, tpm: rule, rpd: rule, tpd: rule, dailyBudget: rule })
  .partial()
  .strict();
export type LevelLimits = z.infer<typeof levelLimits>;

const limitSet = z
  .object({
    rpm: z.number().int().positive(),
    tpm: z.number().int().positive(),
    rpd: z.number().int().positive(),
    tpd: z.number().int().positive(),
    dailyBudget: z.number().int().positive(),
  })
  .partial()
  .strict();

const event = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('burst'),
    atS: z.number().nonnegative(),
    /** One team, by its rank in expected traffic (0 = busiest) among teams with ~`fromRate`. */
    fromRate: z.number().positive(),
    toRate: z.number().positive(),
    rampS: z.number().positive(),
    forS: z.number().positive(),
    /** Limits of the bursting team and of each of its users (replacing the rules). */
    teamLimits: limitSet,
    userLimits: limitSet,
  }),
  z.object({
    kind: z.literal('lowerLimit'),
    atS: z.number().nonnegative(),
    /** The busiest org's limit, multiplied by `factor` (an admin write: the epoch is bumped). */
    limit: z.enum(['rpm', 'tpm']),
    factor: z.number().positive(),
  }),
  z.object({
    kind: z.literal('partition'),
    atS: z.number().nonnegative(),
    forS: z.number().positive(),
    /** Colo by traffic rank (0 = busiest); cut off from every other colo. */
    coloRank: z.number().int().nonnegative(),
  }),
]);
export type SimEvent = z.infer<typeof event>;

export const scenarioSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    seed: z.number().int(),
    durationS: z.number().positive(),
    /** Figures are taken after the warm-up (caches cold, leases empty at start). */
    warmupS: z.number().nonnegative(),
    startAt: z.string().datetime(),
    timeZone: z.string(),
    colos: z.object({
      count: z.number().int().positive(),
      zipf: z.number().nonnegative(),
      /** Round trip between the nearest and the farthest colos (one colo to itself: `localMs`). */
      rttMs: z.object({ min: z.number().nonnegative(), max: z.number().positive(), localMs: z.number() }),
      /** Sigma of the log-normal factor on every one-way latency. */
      jitterSigma: z.number().nonnegative(),
    }),
    isolates: z.object({
      /** Requests per second one isolate serves: a colo runs ceil(rate / this) isolates. */
      ratePerIsolate: z.number().positive(),
      minPerColo: z.number().int().positive(),
      /** An isolate idle this long is evicted (gracefully: its timers have run). */
      idleEvictS: z.number().positive(),
      /** Per isolate per second: it vanishes at once, with live grants and requests in flight. */
      vanishPerS: z.number().nonnegative(),
    }),
    tree: z.object({
      orgs: z.number().int().positive(),
      teamsPerOrg: z.number().int().positive(),
      usersPerTeam: z.number().int().positive(),
      /** Skew of traffic over users (shuffled across the tree). */
      zipf: z.number().nonnegative(),
      limits: z.object({ root: levelLimits, org: levelLimits, team: levelLimits, user: levelLimits }),
    }),
    traffic: z.object({
      rate: z.number().positive(),
      /** Share of a user's requests from its home colo; the rest from anywhere, by colo weight. */
      homeColoShare: z.number().min(0).max(1),
      durationMs: z.object({ median: z.number().positive(), sigma: z.number().nonnegative() }),
      inputTokens: z.object({ median: z.number().positive(), sigma: z.number().nonnegative() }),
      maxTokens: z.number().int().positive(),
      /** Share of requests whose actual tokens exceed the reservation, and by how much at most. */
      underestimate: z.object({ share: z.number().min(0).max(1), max: z.number().nonnegative() }),
      /** Micro-units per token (USD per million tokens). */
      pricePerToken: z.number().nonnegative(),
    }),
    objects: z.object({ serviceMs: z.number().positive(), budgetPerS: z.number().positive() }),
    network: z.object({
      loss: z.number().min(0).max(1),
      /** A lost message fails its call this long after it was sent (the RPC error). */
      rpcErrorMs: z.number().positive(),
    }),
    events: z.array(event),
    /** Which design runs: today's (relays for busy governors, a sharded epoch) or the one before. */
    design: z
      .object({ relays: z.boolean().default(true), epochShards: z.number().int().positive().default(16) })
      .default({ relays: true, epochShards: 16 }),
  })
  .strict();
export type Scenario = z.infer<typeof scenarioSchema>;

// Found from the repository root, so the same code runs from source (vitest) and bundled (run.ts).
function repoRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const scenarioDir = join(repoRoot(import.meta.dirname), 'test', 'sim', 'scenarios');

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isObject(v) && isObject(base[k]) ? merge(base[k], v) : v;
  return out;
}

function raw(name: string): Json {
  const data = JSON.parse(readFileSync(join(scenarioDir, `${name}.json`), 'utf8')) as Json;
  const { extends: parent, ...rest } = data;
  return typeof parent === 'string' ? merge(raw(parent), rest) : rest;
}

/** A scenario by file name, with its `extends` chain resolved and overrides applied. */
export function loadScenario(name: string, overrides: Json = {}): Scenario {
  return scenarioSchema.parse(merge(raw(name), overrides));
}
