// Policy as code (policy as code), pure part: what the file no longer lists (deleted only with `--prune`),
// the
// state the gateway would be in after the plan, and the changes refused before anything is
// written — a child made wider than its parent, or a subtree or reference left orphaned.
import { findWidening, invalidPolicyValues } from '../tenancy/widening';
import { resolveEffectivePolicy } from './effective';
import { accountLayers } from './explain';
import type { PolicyFile } from './file-schema';
import type { Entity, GatewayState } from './plan';

export interface Removal {
  entity: Entity;
  id: string;
}

/**
 * Objects the gateway holds and the file does not list. Gateway keys count only when the file
 * manages them (created by a policy apply): keys made through the API are never the file's to drop.
 */
export function planRemovals(
  current: GatewayState,
  desired: GatewayState,
  managedGatewayKeys: ReadonlySet<string>,
): Removal[] {
  const missing = <T>(entity: Entity, list: T[], keep: T[], idOf: (t: T) => string): Removal[] => {
    const wanted = new Set(keep.map(idOf));
    return list.filter((x) => !wanted.has(idOf(x))).map((x) => ({ entity, id: idOf(x) }));
  };
  const depth = (id: string) => {
    let d = 0;
    for (let a = current.accounts.find((x) => x.id === id); a?.parentId && d < 1000; d++)
      a = current.accounts.find((x) => x.id === a?.parentId);
    return d;
  };
  return [
    ...missing(
      'gateway_key',
      current.gatewayKeys.filter((k) => managedGatewayKeys.has(k.id)),
      desired.gatewayKeys,
      (k) => k.id,
    ),
    ...missing('price', current.prices, desired.prices, (p) => p.key),
    ...missing('upstream_key', current.upstreamKeys, desired.upstreamKeys, (k) => k.id),
    ...missing('level', current.levels, desired.levels, (l) => String(l.id)),
    // Children before their parents.
    ...missing('account', current.accounts, desired.accounts, (a) => a.id).sort(
      (a, b) => depth(b.id) - depth(a.id),
    ),
  ];
}

/** The gateway after the plan: the file's objects over the current ones, minus the removals. */
export function nextState(current: GatewayState, desired: GatewayState, removals: Removal[]): GatewayState {
  const gone = new Set(removals.map((r) => `${r.entity}:${r.id}`));
  const merge = <T>(entity: Entity, now: T[], want: T[], idOf: (t: T) => string): T[] => {
    const byId = new Map(now.map((x) => [idOf(x), x]));
    for (const w of want) byId.set(idOf(w), w);
    return [...byId.values()].filter((x) => !gone.has(`${entity}:${idOf(x)}`));
  };
  return {
    accounts: merge('account', current.accounts, desired.accounts, (a) => a.id),
    levels: merge('level', current.levels, desired.levels, (l) => String(l.id)),
    upstreamKeys: merge('upstream_key', current.upstreamKeys, desired.upstreamKeys, (k) => k.id),
    gatewayKeys: merge('gateway_key', current.gatewayKeys, desired.gatewayKeys, (k) => k.id),
    prices: merge('price', current.prices, desired.prices, (p) => p.key),
  };
}

export interface Refusal {
  kind: 'widening' | 'invalid' | 'orphan';
  /** Where in the file (`accounts[3].policy.limits.rpm`), or the object when the file does not list it. */
  path: string;
  message: string;
}

/** Where each object sits in the file, for messages: `account:alice` → `accounts[3]`. */
export type FilePaths = ReadonlyMap<string, string>;

/**
 * The paths of a file's objects. `at` maps entries to their positions when the file holds only
 * some of the original entries (validate salvages the valid ones of a broken file).
 */
export function filePaths(file: PolicyFile, at?: { accounts: number[]; gateway_keys: number[] }): FilePaths {
  const paths = new Map<string, string>();
  for (const [i, a] of file.accounts.entries())
    paths.set(`account:${a.id}`, `accounts[${at?.accounts[i] ?? i}]`);
  for (const [li, l] of file.levels.entries()) {
    paths.set(`level:${l.id}`, `levels[${li}]`);
    for (const [ki, k] of l.keys.entries()) paths.set(`upstream_key:${k.id}`, `levels[${li}].keys[${ki}]`);
  }
  for (const [i, k] of file.gateway_keys.entries())
    paths.set(`gateway_key:${k.id}`, `gateway_keys[${at?.gateway_keys[i] ?? i}]`);
  for (const [i, p] of file.prices.entries())
    paths.set(`price:${p.model}|${p.account ?? ''}|${p.effective_from}`, `prices[${i}]`);
  return paths;
}

const where = (paths: FilePaths, entity: Entity, id: string) =>
  paths.get(`${entity}:${id}`) ?? `${entity} "${id}"`;

/** Every reason to refuse the plan; empty when it may be written. */
export function planRefusals(current: GatewayState, next: GatewayState, paths: FilePaths): Refusal[] {
  const out: Refusal[] = [];
  // Widening: no layer the file lists may allow more than its parent will (inherited policy). Checked on
  // every
  // listed layer, changed or not, so the verdict depends on the file alone (`validate` gives the
  // same one offline). Accounts the file does not list just follow their parent, as the plan's
  // effective diff shows.
  const listed = (entity: Entity, id: string) => paths.has(`${entity}:${id}`);
  for (const a of next.accounts) {
    if (!listed('account', a.id)) continue;
    const at = `${where(paths, 'account', a.id)}.policy`;
    for (const w of invalidPolicyValues(a.policy))
      out.push({ kind: 'invalid', path: `${at}.${w.field}`, message: w.message });
    if (a.parentId === null) continue;
    const parent = resolveEffectivePolicy(accountLayers(next, a.parentId));
    for (const w of findWidening(parent, a.policy))
      out.push({
        kind: 'widening',
        path: `${at}.${w.field}`,
        message: `widens account:${a.parentId}'s policy: ${w.message}`,
      });
  }
  for (const k of next.gatewayKeys) {
    if (!k.policy || !listed('gateway_key', k.id)) continue;
    const at = `${where(paths, 'gateway_key', k.id)}.policy`;
    const parent = resolveEffectivePolicy(accountLayers(next, k.accountId));
    for (const w of findWidening(parent, k.policy))
      out.push({
        kind: 'widening',
        path: `${at}.${w.field}`,
        message: `widens account:${k.accountId}'s policy: ${w.message}`,
      });
  }
  // Orphans: what stays must not point at what goes.
  const accountIds = new Set(next.accounts.map((a) => a.id));
  const levelIds = new Set(next.levels.map((l) => l.id));
  const hadLevel = new Set(current.levels.map((l) => l.id));
  for (const a of next.accounts) {
    if (a.parentId !== null && !accountIds.has(a.parentId))
      out.push({
        kind: 'orphan',
        path: `${where(paths, 'account', a.id)}.parent`,
        message: `would be orphaned: its parent "${a.parentId}" is deleted by this plan`,
      });
    const refs: [string, number][] = [
      ...(a.level === null ? [] : [['level', a.level] as [string, number]]),
      ...Object.entries(a.policy.level_mapper ?? {}).map(
        ([m, l]) => [`policy.level_mapper.${m}`, l] as [string, number],
      ),
      ...Object.entries(a.policy.switch_over ?? {}).flatMap(([from, to]) => [
        [`policy.switch_over.${from}`, Number(from)] as [string, number],
        [`policy.switch_over.${from}`, to] as [string, number],
      ]),
    ];
    for (const [field, level] of refs) {
      if (!levelIds.has(level) && hadLevel.has(level))
        out.push({
          kind: 'orphan',
          path: `${where(paths, 'account', a.id)}.${field}`,
          message: `names level ${level}, which this plan deletes (layer account:${a.id})`,
        });
    }
  }
  for (const k of next.gatewayKeys) {
    if (!accountIds.has(k.accountId))
      out.push({
        kind: 'orphan',
        path: where(paths, 'gateway_key', k.id),
        message: `gateway key "${k.id}" (not managed by the file) belongs to account "${k.accountId}", which this plan deletes; revoke or delete the key first`,
      });
  }
  for (const p of next.prices) {
    if (p.accountId !== null && !accountIds.has(p.accountId))
      out.push({
        kind: 'orphan',
        path: where(paths, 'price', p.key),
        message: `price for ${p.model} is set on account "${p.accountId}", which is not in the file or the gateway`,
      });
  }
  for (const k of next.upstreamKeys) {
    if (!levelIds.has(k.levelId))
      out.push({
        kind: 'orphan',
        path: where(paths, 'upstream_key', k.id),
        message: `upstream key "${k.id}" is in level ${k.levelId}, which does not exist`,
      });
  }
  return out;
}
