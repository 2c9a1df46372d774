// Who may do what in the admin API (account tree and identity), as pure decisions. A principal acts for one
// account and
// sees only that account's subtree: anything outside reads as "not found", so nothing leaks about
// other tenants. Inside the subtree, a missing capability is "forbidden".
import type { UserRole } from '../db/schema';
import type { ErrorCode } from '../errors/codes';

/** Scopes a management token can carry. `admin` means every capability, like an owner. */
export const tokenScopes = [
  'read',
  'usage:read',
  'keys:write',
  'accounts:write',
  'policy:write',
  'users:write',
  'tokens:write',
  'ledger:write',
  'catalog:write',
  'admin',
] as const;
export type TokenScope = (typeof tokenScopes)[number];

/** What a principal can do; `keys:write:own` covers keys a member created on their own account. */
export type Capability = Exclude<TokenScope, 'admin'> | 'keys:write:own' | 'redeem';

export const userRoles = ['owner', 'admin', 'member', 'viewer'] as const satisfies readonly UserRole[];

export interface Principal {
  type: 'bootstrap' | 'management_token' | 'user';
  /** Token or user id; null for the bootstrap token. */
  id: string | null;
  /** The account the principal acts for; null for the bootstrap token before a root exists. */
  accountId: string | null;
  /** Path of the account the principal acts for, e.g. `/acme/eng/`; `/` before a root exists. */
  accountPath: string;
  role: UserRole | null;
  /** Token scopes; `all` for the bootstrap token. Unused for users (their role decides). */
  scopes: ReadonlySet<string> | 'all';
  /** A management token's own expiry: the tokens it mints may not outlive it. */
  expiresAt?: number | null;
}

const viewer: readonly Capability[] = ['read', 'usage:read'];
const member: readonly Capability[] = [...viewer, 'keys:write:own', 'redeem'];
const admin: readonly Capability[] = [
  ...member,
  'keys:write',
  'accounts:write',
  'policy:write',
  'users:write',
  'tokens:write',
  'ledger:write',
];

const roleCapabilities: Record<Exclude<UserRole, 'owner'>, readonly Capability[]> = {
  viewer,
  member,
  admin,
};

/** The capabilities one token scope grants. Every write scope implies reading the subtree. */
export function capabilitiesOfScope(scope: string): readonly Capability[] {
  switch (scope) {
    case 'read':
    case 'usage:read':
      return [scope];
    case 'keys:write':
      return ['read', 'keys:write', 'keys:write:own'];
    case 'ledger:write':
      return ['read', 'ledger:write', 'redeem'];
    case 'accounts:write':
    case 'policy:write':
    case 'users:write':
    case 'tokens:write':
    case 'catalog:write':
      return ['read', scope];
    default:
      return [];
  }
}

/** `all` for owners, the bootstrap token and `admin`-scoped tokens. */
export function capabilitiesOf(p: Principal): ReadonlySet<Capability> | 'all' {
  if (p.type === 'user') {
    if (p.role === 'owner') return 'all';
    return new Set(p.role ? roleCapabilities[p.role] : []);
  }
  if (p.scopes === 'all' || p.scopes.has('admin')) return 'all';
  return new Set([...p.scopes].flatMap(capabilitiesOfScope));
}

export function can(p: Principal, capability: Capability): boolean {
  const caps = capabilitiesOf(p);
  return caps === 'all' || caps.has(capability);
}

export function isOwnerLike(p: Principal): boolean {
  return capabilitiesOf(p) === 'all';
}

/** Whether the principal acts for the root account (or for the gateway before a root exists). */
export function isRootLevel(p: Principal): boolean {
  return p.accountPath.split('/').filter(Boolean).length <= 1;
}

export function inSubtree(principalPath: string, targetPath: string): boolean {
  return targetPath.startsWith(principalPath);
}

/**
 * Where a target may sit relative to the principal's account:
 * - `subtree`: the principal's own account or any descendant;
 * - `below`: descendants; owners (and owner-like tokens) may also change their own account;
 * - `descendant`: strictly below, for everyone (status changes, deletion, allocations): an account
 *   never suspends, deletes or funds itself — its ancestors do (account tree and identity).
 */
export type Placement = 'subtree' | 'below' | 'descendant';

export type Decision =
  | { kind: 'allow' }
  | { kind: 'not_found' }
  | { kind: 'forbidden'; code: ErrorCode; message: string };

export function decide(
  p: Principal,
  capability: Capability,
  targetPath: string,
  placement: Placement = 'subtree',
): Decision {
  if (!inSubtree(p.accountPath, targetPath)) return { kind: 'not_found' };
  if (!can(p, capability)) return lacking(p, capability);
  const self = targetPath === p.accountPath;
  if (self && (placement === 'descendant' || (placement === 'below' && !isOwnerLike(p)))) {
    return {
      kind: 'forbidden',
      code: 'ancestor_required',
      message:
        placement === 'descendant'
          ? 'Only an ancestor account can do this to an account.'
          : "Only an owner or an ancestor account can change this account's own settings.",
    };
  }
  return { kind: 'allow' };
}

export function lacking(p: Principal, capability: Capability): Decision {
  if (p.type === 'user') {
    return {
      kind: 'forbidden',
      code: 'insufficient_role',
      message: `The role "${p.role}" does not allow this (needs ${rolesWith(capability).join(' or ')}).`,
    };
  }
  return {
    kind: 'forbidden',
    code: 'missing_scope',
    message: `This token lacks a scope granting "${capability}".`,
  };
}

function rolesWith(capability: Capability): string[] {
  const roles = (Object.keys(roleCapabilities) as (keyof typeof roleCapabilities)[])
    .filter((r) => roleCapabilities[r].includes(capability))
    .reverse();
  return [...roles, 'owner'];
}

/**
 * Gateway keys: `keys:write` covers the whole subtree; a member's `keys:write:own` covers keys on
 * the member's own account that the member created (`createdBy` undefined: a key being created).
 */
export function decideKeyWrite(p: Principal, accountPath: string, createdBy?: string | null): Decision {
  if (!inSubtree(p.accountPath, accountPath)) return { kind: 'not_found' };
  if (can(p, 'keys:write')) return { kind: 'allow' };
  const own = accountPath === p.accountPath && (createdBy === undefined || createdBy === p.id);
  if (can(p, 'keys:write:own') && own) return { kind: 'allow' };
  return lacking(p, 'keys:write');
}

const roleRank: Record<UserRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Admins manage users with roles up to admin; owner-like principals manage every role. */
export function canAssignRole(p: Principal, role: UserRole): boolean {
  if (isOwnerLike(p)) return true;
  return can(p, 'users:write') && roleRank[role] <= roleRank.admin;
}

/** Scopes a new token may not carry because its creator lacks them (no escalation through tokens). */
export function ungrantableScopes(p: Principal, scopes: readonly string[]): string[] {
  const caps = capabilitiesOf(p);
  if (caps === 'all') return [];
  return scopes.filter((s) => s === 'admin' || capabilitiesOfScope(s).some((c) => !caps.has(c)));
}
