import { describe, expect, it } from 'vitest';
import {
  canAssignRole,
  capabilitiesOf,
  decide,
  decideKeyWrite,
  type Principal,
  ungrantableScopes,
} from './permissions';

const user = (role: Principal['role'], accountPath = '/a/b/'): Principal => ({
  type: 'user',
  id: `u-${role}`,
  accountId: 'b',
  accountPath,
  role,
  scopes: new Set(),
});
const token = (scopes: string[], accountPath = '/a/b/'): Principal => ({
  type: 'management_token',
  id: 'tok',
  accountId: 'b',
  accountPath,
  role: null,
  scopes: new Set(scopes),
});

describe('decide', () => {
  it('hides everything outside the subtree, whatever the role', () => {
    for (const target of ['/a/', '/a/c/', '/a/bb/', '/x/'])
      expect(decide(user('owner'), 'read', target)).toEqual({ kind: 'not_found' });
  });

  it('lets every role read the subtree, and only admins and owners change descendants', () => {
    for (const role of ['viewer', 'member', 'admin', 'owner'] as const)
      expect(decide(user(role), 'read', '/a/b/d/').kind).toBe('allow');
    expect(decide(user('viewer'), 'accounts:write', '/a/b/d/')).toMatchObject({
      kind: 'forbidden',
      code: 'insufficient_role',
    });
    expect(decide(user('member'), 'accounts:write', '/a/b/d/').kind).toBe('forbidden');
    expect(decide(user('admin'), 'accounts:write', '/a/b/d/', 'below').kind).toBe('allow');
  });

  it('keeps an account from changing itself, except owners for their own settings', () => {
    expect(decide(user('admin'), 'policy:write', '/a/b/', 'below')).toMatchObject({
      code: 'ancestor_required',
    });
    expect(decide(user('owner'), 'policy:write', '/a/b/', 'below').kind).toBe('allow');
    expect(decide(user('owner'), 'accounts:write', '/a/b/', 'descendant')).toMatchObject({
      code: 'ancestor_required',
    });
  });

  it('treats tokens by scope, `admin` like an owner', () => {
    expect(decide(token(['usage:read']), 'read', '/a/b/')).toMatchObject({ code: 'missing_scope' });
    expect(decide(token(['keys:write']), 'read', '/a/b/').kind).toBe('allow');
    expect(decide(token(['admin']), 'policy:write', '/a/b/', 'below').kind).toBe('allow');
    expect(capabilitiesOf({ ...token([]), type: 'bootstrap', scopes: 'all' })).toBe('all');
  });
});

describe('keys', () => {
  it('members manage only keys they created on their own account', () => {
    const member = user('member');
    expect(decideKeyWrite(member, '/a/b/').kind).toBe('allow');
    expect(decideKeyWrite(member, '/a/b/', 'u-member').kind).toBe('allow');
    expect(decideKeyWrite(member, '/a/b/', 'someone-else').kind).toBe('forbidden');
    expect(decideKeyWrite(member, '/a/b/d/').kind).toBe('forbidden');
    expect(decideKeyWrite(user('viewer'), '/a/b/').kind).toBe('forbidden');
    expect(decideKeyWrite(user('admin'), '/a/b/d/', 'anyone').kind).toBe('allow');
    expect(decideKeyWrite(member, '/a/c/').kind).toBe('not_found');
  });
});

describe('no escalation', () => {
  it('admins assign roles up to admin; owners any', () => {
    expect(canAssignRole(user('admin'), 'admin')).toBe(true);
    expect(canAssignRole(user('admin'), 'owner')).toBe(false);
    expect(canAssignRole(user('owner'), 'owner')).toBe(true);
    expect(canAssignRole(user('member'), 'viewer')).toBe(false);
  });

  it('tokens carry no more than their creator', () => {
    expect(ungrantableScopes(user('admin'), ['read', 'keys:write', 'policy:write'])).toEqual([]);
    expect(ungrantableScopes(user('admin'), ['admin', 'catalog:write'])).toEqual(['admin', 'catalog:write']);
    expect(ungrantableScopes(token(['keys:write']), ['keys:write', 'usage:read'])).toEqual(['usage:read']);
    expect(ungrantableScopes(user('owner'), ['admin'])).toEqual([]);
  });
});
