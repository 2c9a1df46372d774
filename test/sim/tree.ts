// The tenant tree of a scenario: root → orgs → teams → users, traffic shares drawn from a Zipf
// mix shuffled across the tree, and every account's limits worked out from its expected demand.
import type { ChainLink, LimitSet, Unit } from '../../durable-objects/dims';
import { type Rng, zipf } from './engine';
import type { LevelLimits, LimitRule, Scenario } from './scenario';

export const LEVELS = ['root', 'org', 'team', 'user'] as const;
export type Level = (typeof LEVELS)[number];

export interface Account {
  index: number;
  id: string;
  level: Level;
  parent: number;
  /** Expected requests per second from the base traffic mix. */
  rate: number;
}

export interface Tree {
  accounts: Account[];
  /** Account index of each user, in user order. */
  users: number[];
  /** Per user: its share of base traffic. */
  userWeights: number[];
  /** Per user: account indexes root first. */
  chains: number[][];
  limits: LimitSet[];
}

/** Mean reserved units per request, for turning a rule into a limit. */
export type UnitMeans = Record<Unit, number>;

const limitKeys = {
  rpm: 'requests',
  tpm: 'tokens',
  rpd: 'requests',
  tpd: 'tokens',
  dailyBudget: 'cost',
} as const;

function limitsFor(rules: LevelLimits, rate: number, means: UnitMeans, runS: number, rng: Rng): LimitSet {
  const set: LimitSet = {};
  for (const [key, unit] of Object.entries(limitKeys) as [keyof typeof limitKeys, Unit][]) {
    const r: LimitRule | undefined = rules[key];
    if (!r) continue;
    const factor = r.tight && rng.float() < r.tight.share ? r.tight.factor : r.factor;
    const seconds = r.per === 'minute' ? 60 : runS;
    set[key] = Math.max(r.min, Math.round(rate * seconds * means[unit] * factor));
  }
  return set;
}

export function buildTree(s: Scenario, means: UnitMeans, rng: Rng): Tree {
  const t = s.tree;
  const accounts: Account[] = [];
  const add = (id: string, level: Level, parent: number) => {
    const a: Account = { index: accounts.length, id, level, parent, rate: 0 };
    accounts.push(a);
    return a;
  };
  const root = add('root', 'root', -1);
  const users: number[] = [];
  const chains: number[][] = [];
  for (let o = 0; o < t.orgs; o++) {
    const org = add(`o${o}`, 'org', root.index);
    for (let m = 0; m < t.teamsPerOrg; m++) {
      const team = add(`o${o}t${m}`, 'team', org.index);
      for (let u = 0; u < t.usersPerTeam; u++) {
        const user = add(`o${o}t${m}u${u}`, 'user', team.index);
        users.push(user.index);
        chains.push([root.index, org.index, team.index, user.index]);
      }
    }
  }
  // Zipf ranks shuffled over the users, so big and small tenants sit anywhere in the tree.
  const weights = zipf(users.length, t.zipf);
  for (let i = weights.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [weights[i], weights[j]] = [weights[j] as number, weights[i] as number];
  }
  const total = weights.reduce((a, b) => a + b, 0);
  users.forEach((u, i) => {
    const rate = (s.traffic.rate * (weights[i] as number)) / total;
    for (let a = accounts[u]; a; a = accounts[a.parent]) a.rate += rate;
  });
  const limits = accounts.map((a) => limitsFor(t.limits[a.level], a.rate, means, s.durationS, rng));
  return { accounts, users, userWeights: weights, chains, limits };
}

/** Chain links per config version, built once per account and version (as an isolate caches them). */
export class Chains {
  private readonly links = new Map<number, ChainLink[]>();
  private readonly byUser = new Map<number, ChainLink[][]>();
  readonly versionOf = new WeakMap<ChainLink[], number>();

  constructor(
    private readonly tree: Tree,
    private readonly limitsAt: (version: number) => LimitSet[],
  ) {}

  get(version: number, user: number): ChainLink[] {
    let users = this.byUser.get(version);
    if (!users) {
      users = [];
      this.byUser.set(version, users);
    }
    let chain = users[user];
    if (!chain) {
      let links = this.links.get(version);
      if (!links) {
        const limits = this.limitsAt(version);
        links = this.tree.accounts.map((a) => ({ id: a.id, limits: limits[a.index] as LimitSet }));
        this.links.set(version, links);
      }
      const l = links;
      chain = (this.tree.chains[user] as number[]).map((a) => l[a] as ChainLink);
      users[user] = chain;
      this.versionOf.set(chain, version);
    }
    return chain;
  }
}
