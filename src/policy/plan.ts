// Policy as code (policy as code), pure part: the desired state from a policy file, and the plan — the list
// of
// changes that would make the running gateway match it. Applying an empty plan changes nothing,
// which is what makes `apply` idempotent.

import { type Rates, ratesFromFile } from '../billing/price-fields';
import { isValidTimeZone } from '../lib/time';
import { canonical, type FieldDiff, fieldDiff } from './diff';
import type { PolicyFile } from './file-schema';
import type { Policy } from './schema';

export interface AccountState {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  status: 'active' | 'suspended' | 'disabled';
  level: number | null;
  timezone: string | null;
  policy: Policy;
}

export interface LevelState {
  id: number;
  name: string;
  retries: number;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamKeyState {
  id: string;
  levelId: number;
  provider: string;
  baseUrl: string | null;
  weight: number;
  status: 'active' | 'disabled';
  /** HMAC of the secret; null for keyless mock entries. */
  fingerprint: string | null;
  credentialKind: 'api_key' | 'oauth_refresh';
  options: Record<string, string>;
}

export interface GatewayKeyState {
  id: string;
  accountId: string;
  name: string;
  hash: string;
  prefix: string;
  expiresAt: number | null;
  policy: Policy | null;
}

export type PriceState = {
  /** `${model}|${accountId ?? ''}|${effectiveFrom}` */
  key: string;
  model: string;
  accountId: string | null;
  effectiveFrom: string;
  markupBps: number;
} & Rates;

export interface GatewayState {
  accounts: AccountState[];
  levels: LevelState[];
  upstreamKeys: UpstreamKeyState[];
  gatewayKeys: GatewayKeyState[];
  prices: PriceState[];
}

export type Entity = 'account' | 'level' | 'upstream_key' | 'gateway_key' | 'price';

export interface Change {
  entity: Entity;
  id: string;
  /** `delete` only when the caller asked to prune objects the file no longer lists. */
  op: 'create' | 'update' | 'delete';
  /** Fields that differ (for updates); never holds secret values. */
  fields: string[];
  /** Leaf-level before → after of the non-secret fields (updates only). */
  diff?: FieldDiff[];
}

export class PlanError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedSecrets {
  /** upstream key id → fingerprint of the secret the CLI resolved. */
  upstreamFingerprints: Record<string, string>;
  gatewayKeys: Record<string, { hash: string; prefix: string }>;
}

/** The state the file asks for. Throws PlanError for what the file cannot mean. */
export function desiredState(file: PolicyFile, secrets: ResolvedSecrets): GatewayState {
  return {
    accounts: file.accounts.map(accountState),
    levels: file.levels.map(levelState),
    upstreamKeys: file.levels.flatMap((l, li) =>
      l.keys.map((k, ki) =>
        upstreamKeyState(l.id, k, secrets.upstreamFingerprints[k.id] ?? null, `levels[${li}].keys[${ki}]`),
      ),
    ),
    gatewayKeys: file.gateway_keys.map((k, i) =>
      gatewayKeyState(k, secrets.gatewayKeys[k.id], `gateway_keys[${i}]`),
    ),
    prices: file.prices.map(priceState),
  };
}

type FileAccount = PolicyFile['accounts'][number];
type FileLevel = PolicyFile['levels'][number];
type FileUpstreamKey = FileLevel['keys'][number];
type FileGatewayKey = PolicyFile['gateway_keys'][number];
type FilePrice = PolicyFile['prices'][number];

function accountState(a: FileAccount, i: number): AccountState {
  if (a.timezone !== undefined && !isValidTimeZone(a.timezone)) {
    throw new PlanError(`accounts[${i}].timezone`, `unknown time zone "${a.timezone}"`);
  }
  return {
    id: a.id,
    parentId: a.parent ?? null,
    name: a.name,
    kind: a.kind,
    status: a.status,
    level: a.level ?? null,
    timezone: a.timezone ?? null,
    policy: a.policy,
  };
}

function levelState(l: FileLevel): LevelState {
  return {
    id: l.id,
    name: l.name,
    retries: l.retries,
    connectTimeoutMs: l.timeouts.connect_ms ?? 10_000,
    firstByteTimeoutMs: l.timeouts.first_byte_ms ?? 60_000,
    idleTimeoutMs: l.timeouts.idle_ms ?? 60_000,
  };
}

/** Provider specifics kept in the key's options: azure deployment and version, key_env, OAuth. */
function upstreamOptions(k: FileUpstreamKey): Record<string, string> {
  const options: Record<string, string> = {};
  if (k.deployment) options['deployment'] = k.deployment;
  if (k.api_version) options['api_version'] = k.api_version;
  if (k.key_env) options['key_env'] = k.key_env;
  if (k.oauth) {
    options['token_url'] = k.oauth.token_url;
    options['client_id'] = k.oauth.client_id;
    if (k.oauth.scope) options['scope'] = k.oauth.scope;
    if (k.oauth.client_secret_env) options['client_secret_env'] = k.oauth.client_secret_env;
  }
  return options;
}

function upstreamKeyState(
  levelId: number,
  k: FileUpstreamKey,
  fingerprint: string | null,
  at: string,
): UpstreamKeyState {
  if (fingerprint === null && k.provider !== 'mock') {
    throw new PlanError(
      `${at}.key_env`,
      `no secret was resolved for upstream key "${k.id}" (key_env ${k.key_env})`,
    );
  }
  return {
    id: k.id,
    levelId,
    provider: k.provider,
    baseUrl: k.base_url ?? null,
    weight: k.weight,
    status: k.status,
    fingerprint,
    credentialKind: k.oauth ? 'oauth_refresh' : 'api_key',
    options: upstreamOptions(k),
  };
}

function gatewayKeyState(
  k: FileGatewayKey,
  resolved: ResolvedSecrets['gatewayKeys'][string] | undefined,
  at: string,
): GatewayKeyState {
  if (!resolved)
    throw new PlanError(
      `${at}.key_env`,
      `no key was resolved for gateway key "${k.id}" (key_env ${k.key_env})`,
    );
  return {
    id: k.id,
    accountId: k.account,
    name: k.name,
    hash: resolved.hash,
    prefix: resolved.prefix,
    expiresAt: k.expires_at ? Date.parse(k.expires_at) : null,
    policy: k.policy ?? null,
  };
}

function priceState(p: FilePrice): PriceState {
  return {
    key: `${p.model}|${p.account ?? ''}|${p.effective_from}`,
    model: p.model,
    accountId: p.account ?? null,
    effectiveFrom: p.effective_from,
    ...ratesFromFile(p),
    markupBps: p.markup_bps,
  };
}

function diffFields<T extends object>(current: T, desired: T): (keyof T & string)[] {
  return (Object.keys(desired) as (keyof T & string)[]).filter(
    (f) => canonical(current[f]) !== canonical(desired[f]),
  );
}

function diffList<T extends object>(
  entity: Entity,
  current: T[],
  desired: T[],
  idOf: (t: T) => string,
  immutable: (keyof T & string)[] = [],
): Change[] {
  const byId = new Map(current.map((c) => [idOf(c), c]));
  const changes: Change[] = [];
  for (const d of desired) {
    const id = idOf(d);
    const c = byId.get(id);
    if (!c) {
      changes.push({ entity, id, op: 'create', fields: [] });
      continue;
    }
    const fields = diffFields(c, d);
    const frozen = fields.filter((f) => immutable.includes(f));
    if (frozen.length) {
      throw new PlanError(
        `${entity}.${id}.${frozen[0]}`,
        `${entity} "${id}": ${frozen.join(', ')} cannot be changed (moving or re-homing is refused)`,
      );
    }
    if (fields.length === 0) continue;
    const diff = fieldDiff(c, d);
    changes.push({ entity, id, op: 'update', fields, ...(diff.length ? { diff } : {}) });
  }
  return changes;
}

/**
 * The creates and updates that turn `current` into `desired`. Objects absent from the file are
 * left alone here; `planRemovals` (prune.ts) lists them.
 */
export function planChanges(current: GatewayState, desired: GatewayState): Change[] {
  const roots = current.accounts.filter((a) => a.parentId === null);
  const desiredRoot = desired.accounts.find((a) => a.parentId === null);
  if (roots.length && desiredRoot && roots[0]?.id !== desiredRoot.id) {
    throw new PlanError(
      'accounts',
      `the gateway's root account is "${roots[0]?.id}", but the file's root is "${desiredRoot.id}"`,
    );
  }
  return [
    ...diffList('account', current.accounts, orderParentsFirst(desired.accounts), (a) => a.id, ['parentId']),
    ...diffList('level', current.levels, desired.levels, (l) => String(l.id)),
    ...diffList('upstream_key', current.upstreamKeys, desired.upstreamKeys, (k) => k.id),
    ...diffList('gateway_key', current.gatewayKeys, desired.gatewayKeys, (k) => k.id, ['accountId']),
    ...diffList('price', current.prices, desired.prices, (p) => p.key),
  ];
}

/** Parents before children, so each created account's parent path is known when it is written. */
export function orderParentsFirst(list: AccountState[]): AccountState[] {
  const byId = new Map(list.map((a) => [a.id, a]));
  const out: AccountState[] = [];
  const placed = new Set<string>();
  const visit = (a: AccountState, trail: Set<string>) => {
    if (placed.has(a.id)) return;
    if (trail.has(a.id))
      throw new PlanError(`accounts.${a.id}.parent`, `account "${a.id}" is its own ancestor`);
    trail.add(a.id);
    const parent = a.parentId ? byId.get(a.parentId) : undefined;
    if (parent) visit(parent, trail);
    placed.add(a.id);
    out.push(a);
  };
  for (const a of list) visit(a, new Set());
  return out;
}
