// Which models a key may use, for the model listings ("only what the caller may use"). Pure.
//
// How the list is built: the policy has no catalogue of models, so the candidates are every exact
// (glob-free) name the caller's effective policy mentions — allow_models entries, model_mapper
// aliases and targets, level_mapper keys — on any layer of the chain. A candidate is listed when it
// resolves for this key exactly as a request would (mapped, allowed by every layer's allowlist,
// routed to a level) and that level, or a level of its switch_over chain, has an upstream key.
// Names reachable only through globs cannot be enumerated and are not listed.

import type { AuthContext } from '../auth/gateway-key';
import { PermissionDeniedError } from '../errors/gateway-error';
import { isGlob } from '../policy/glob';
import type { GatewayConfig } from '../state/config';

export function visibleModels(
  auth: Pick<AuthContext, 'policy' | 'routes'>,
  config: Pick<GatewayConfig, 'levels'>,
): string[] {
  const names = new Set<string>();
  const add = (name: string) => {
    if (!isGlob(name)) names.add(name);
  };
  for (const { policy } of auth.policy.layers) {
    for (const m of policy.allow_models ?? []) add(m);
    for (const [alias, target] of Object.entries(policy.model_mapper ?? {})) {
      add(alias);
      add(target);
    }
    for (const m of Object.keys(policy.level_mapper ?? {})) add(m);
  }
  const served = (level: number) => (config.levels.get(level)?.keys.length ?? 0) > 0;
  return [...names]
    .filter((name) => {
      try {
        const route = auth.routes.resolve(name);
        return [route.level, ...route.switchOver].some(served);
      } catch (err) {
        if (err instanceof PermissionDeniedError) return false;
        throw err;
      }
    })
    .sort();
}
