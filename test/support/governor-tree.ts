// Test helper: a tree of governors wired to each other in memory, as the Durable Objects are over
// RPC, counting the exchanges each one receives.
import type { ChainLink, LimitSet } from '../../durable-objects/dims';
import {
  type CoreOptions,
  type ExchangeRequest,
  type ExchangeResult,
  emptyState,
  GovernorCore,
} from '../../durable-objects/governor-core';

export function governorTree(opts: CoreOptions = { grantTtlMs: 500, parentLeaseTtlMs: 1_000 }) {
  const cores = new Map<string, GovernorCore>();
  const calls = new Map<string, number>();
  const get = (id: string): GovernorCore => {
    let core = cores.get(id);
    if (!core) {
      core = new GovernorCore(emptyState(), (req) => route(req), opts);
      cores.set(id, core);
    }
    return core;
  };
  const route = (req: ExchangeRequest): Promise<ExchangeResult> => {
    const id = req.chain.at(-1)?.id as string;
    calls.set(id, (calls.get(id) ?? 0) + 1);
    return get(id).exchange(req);
  };
  return { route, get, calls };
}

export const link = (id: string, limits: LimitSet): ChainLink => ({ id, limits });
