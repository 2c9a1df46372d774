// The routing map of an account (routing and key pools) for the operator's console: for each model name a request
// might carry, where the gateway sends it — the mapped model, the level and the switch-over chain,
// and which layer decided each step — or why it is refused. Pure: the same resolveModel the proxy
// runs, so the map cannot disagree with what requests get.
import { GatewayError } from '../errors/gateway-error';
import { type EffectivePolicy, nearest } from '../policy/effective';
import { resolveModel } from './resolve-model';

export interface RouteEntry {
  requested: string;
  model: string;
  level: number | null;
  switchOver: number[];
  /** The layer whose model_mapper mapped the name; null when it was not mapped. */
  mappedBy: string | null;
  /** The layer whose level_mapper chose the level; null when it is the account's default level. */
  levelBy: string | null;
  /** The refusal's code (`model_not_allowed`, `model_not_routed`) when the model is refused. */
  refused: string | null;
}

const isGlob = (s: string) => /[*?]/.test(s);

/**
 * The concrete model names worth showing: every mapper alias and target, the concrete
 * allowlist and level_mapper entries, and `extra` (e.g. the priced models), deduplicated.
 */
export function candidateModels(policy: EffectivePolicy, extra: readonly string[]): string[] {
  const names = new Set<string>();
  for (const { policy: p } of policy.layers) {
    for (const [alias, target] of Object.entries(p.model_mapper ?? {})) {
      names.add(alias);
      names.add(target);
    }
    for (const m of Object.keys(p.level_mapper ?? {})) names.add(m);
    for (const m of p.allow_models ?? []) names.add(m);
  }
  for (const m of extra) names.add(m);
  return [...names].filter((n) => n !== '' && !isGlob(n)).sort();
}

export function routingMap(
  policy: EffectivePolicy,
  defaultLevel: number | null,
  models: readonly string[],
): RouteEntry[] {
  return models.map((requested) => {
    const mapped = nearest(policy.layers, (p) => p.model_mapper, requested);
    const model = mapped?.value ?? requested;
    const levelBy = nearest(policy.layers, (p) => p.level_mapper, model)?.source ?? null;
    try {
      const route = resolveModel(policy, requested, defaultLevel);
      return {
        requested,
        model: route.model,
        level: route.level,
        switchOver: route.switchOver,
        mappedBy: mapped?.source ?? null,
        levelBy,
        refused: null,
      };
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return {
        requested,
        model,
        level: null,
        switchOver: [],
        mappedBy: mapped?.source ?? null,
        levelBy,
        refused: err.code,
      };
    }
  });
}
