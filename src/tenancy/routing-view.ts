// An account's routing map (routing and key pools) as the console shows it: every concrete model name its policy
// chain mentions (plus the priced models and any asked for), resolved the way requests are.
import { modelPrices } from '../db/schema';
import { resolveEffectivePolicy } from '../policy/effective';
import { candidateModels, type RouteEntry, routingMap } from '../routing/routing-map';
import { accountInScope, defaultLevelOf, layersOf, loadChain } from './chain';
import type { AdminContext } from './context';

export async function accountRoutingMap(
  ctx: AdminContext,
  id: string,
  models: readonly string[],
): Promise<{ defaultLevel: { value: number; source: string } | null; routes: RouteEntry[] }> {
  const account = await accountInScope(ctx, id, 'read');
  const [chain, priced] = await Promise.all([
    loadChain(ctx.db, account.path),
    ctx.db.selectDistinct({ model: modelPrices.model }).from(modelPrices),
  ]);
  const policy = resolveEffectivePolicy(layersOf(chain));
  const defaultLevel = defaultLevelOf(chain);
  const names = candidateModels(policy, [...priced.map((p) => p.model), ...models]);
  return { defaultLevel, routes: routingMap(policy, defaultLevel?.value ?? null, names) };
}
