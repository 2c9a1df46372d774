// Model → (upstream model, level): model_mapper, then every allowlist, then level_mapper (inherited policy;
// routing and key pools).
// Pure; the caller caches results per effective policy, so repeated exact models skip the globs.
import { InvalidRequestError, PermissionDeniedError } from '../errors/gateway-error';
import { MAX_MODEL_CHARS } from '../lib/input-limits';
import { type EffectivePolicy, nearest } from '../policy/effective';
import { globMatch } from '../policy/glob';

export interface ModelRoute {
  requested: string;
  model: string;
  level: number;
  /** Backup levels to follow, in order, when every key of `level` failed (explicit switch_over). */
  switchOver: number[];
}

export function resolveModel(
  policy: EffectivePolicy,
  requested: string,
  defaultLevel: number | null,
): ModelRoute {
  const mapped = nearest(policy.layers, (p) => p.model_mapper, requested)?.value ?? requested;
  for (const list of policy.allowModels) {
    if (!list.patterns.some((p) => globMatch(p, mapped))) {
      const shown = mapped === requested ? `"${requested}"` : `"${requested}" (mapped to "${mapped}")`;
      throw new PermissionDeniedError(
        'model_not_allowed',
        `The model ${shown} is not allowed for this key.`,
        'model',
      );
    }
  }
  const level = nearest(policy.layers, (p) => p.level_mapper, mapped)?.value ?? defaultLevel;
  if (level === null) {
    throw new PermissionDeniedError(
      'model_not_routed',
      `No provider level serves the model "${mapped}".`,
      'model',
    );
  }
  return { requested, model: mapped, level, switchOver: switchOverChain(policy, level) };
}

/** Follows switch_over from `level` (nearest layer's mapping per hop), stopping at a cycle. */
export function switchOverChain(policy: EffectivePolicy, level: number): number[] {
  const chain: number[] = [];
  const seen = new Set([level]);
  let current = level;
  for (;;) {
    const next = nearest(policy.layers, (p) => p.switch_over, String(current))?.value;
    if (next === undefined || seen.has(next)) return chain;
    chain.push(next);
    seen.add(next);
    current = next;
  }
}

/** Per-policy cache of exact model lookups, so warm requests skip glob scans. */
export class ModelRouteCache {
  private readonly routes = new Map<string, ModelRoute | PermissionDeniedError>();
  constructor(
    private readonly policy: EffectivePolicy,
    private readonly defaultLevel: number | null,
  ) {}
  resolve(requested: string): ModelRoute {
    // Model names are matched against policy globs (a regular expression each) and cached: a name
    // of any length would cost time and memory per request. Real names are far shorter.
    if (requested.length > MAX_MODEL_CHARS) {
      throw new InvalidRequestError(
        'invalid_request',
        `model: must be at most ${MAX_MODEL_CHARS} characters`,
        'model',
      );
    }
    let hit = this.routes.get(requested);
    if (!hit) {
      try {
        hit = resolveModel(this.policy, requested, this.defaultLevel);
      } catch (err) {
        if (!(err instanceof PermissionDeniedError)) throw err;
        hit = err;
      }
      if (this.routes.size < 1000) this.routes.set(requested, hit);
    }
    if (hit instanceof PermissionDeniedError) throw hit;
    return hit;
  }
}
