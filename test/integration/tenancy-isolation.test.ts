// Tenant isolation (account tree and identity; security and failure behaviour): accounts A (root), B and C
// (siblings under A), D (under B). Every
// role (user sessions) and typical token scopes of B, C and D try to read and write every
// account's record, keys, usage, ledger and policy. Only the caller's own subtree is visible; writes
// need the right role and, for account-level changes, an ancestor. Outside the subtree the answer
// is the same 404 as for an account that does not exist.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy } from './helpers';
import { bearer, type Caller, errorOf, login, ok, PASSWORD, root, treePolicy } from './tenancy-helpers';

type Target = 'a' | 'b' | 'c' | 'd';
const paths: Record<Target, string> = { a: '/a/', b: '/a/b/', c: '/a/c/', d: '/a/b/d/' };

type Kind = 'owner' | 'admin' | 'member' | 'viewer' | 'token:read' | 'token:keys' | 'token:admin';
const kinds: Kind[] = ['owner', 'admin', 'member', 'viewer', 'token:read', 'token:keys', 'token:admin'];
const tokenScopes: Record<string, string[]> = {
  'token:read': ['read', 'usage:read'],
  'token:keys': ['keys:write'],
  'token:admin': ['admin'],
};

type Op =
  | 'read account'
  | 'list keys'
  | 'read usage'
  | 'read ledger'
  | 'read policy'
  | 'rename account'
  | 'write policy'
  | 'create key'
  | 'rename key'
  | 'allocate';

/**
 * The rules, stated once for the test: what each kind may do inside its subtree. `self` writes are
 * changes to the caller's own account (owners only); allocations always go strictly downwards.
 */
const allowed: Record<Kind, Op[]> = {
  viewer: ['read account', 'list keys', 'read usage', 'read ledger', 'read policy'],
  member: ['read account', 'list keys', 'read usage', 'read ledger', 'read policy', 'create key'],
  admin: [
    'read account',
    'list keys',
    'read usage',
    'read ledger',
    'read policy',
    'rename account',
    'write policy',
    'create key',
    'rename key',
    'allocate',
  ],
  owner: [],
  'token:read': ['read account', 'list keys', 'read usage', 'read ledger', 'read policy'],
  'token:keys': ['read account', 'list keys', 'read ledger', 'read policy', 'create key', 'rename key'],
  'token:admin': [],
};
allowed.owner = allowed.admin;
allowed['token:admin'] = allowed.admin;
const ownerLike = new Set<Kind>(['owner', 'token:admin']);

function expected(kind: Kind, home: Target, target: Target, op: Op): number {
  if (!paths[target].startsWith(paths[home])) return 404;
  if (!allowed[kind].includes(op)) return 403;
  const self = home === target;
  if (self && op === 'allocate') return 403;
  if (self && (op === 'rename account' || op === 'write policy') && !ownerLike.has(kind)) return 403;
  // A member manages only keys it created: the seeded key was created by the bootstrap token.
  if (kind === 'member' && op === 'create key' && !self) return 403;
  return op === 'create key' || op === 'allocate' ? 201 : 200;
}

const seededKey: Partial<Record<Target, string>> = {};

function run(caller: Caller, target: Target, op: Op): Promise<Response> {
  switch (op) {
    case 'read account':
      return caller.send(`/admin/v1/accounts/${target}`);
    case 'list keys':
      return caller.send(`/admin/v1/accounts/${target}/keys`);
    case 'read usage':
      return caller.send(`/admin/v1/usage/daily?account=${target}`);
    case 'read ledger':
      return caller.send(`/admin/v1/accounts/${target}/ledger`);
    case 'read policy':
      return caller.send(`/admin/v1/accounts/${target}/policy`);
    case 'rename account':
      return caller.send(`/admin/v1/accounts/${target}`, {
        method: 'PATCH',
        json: { name: `renamed ${target}` },
      });
    case 'write policy':
      return caller.send(`/admin/v1/accounts/${target}/policy`, {
        method: 'PUT',
        json: { allow_models: ['mock-*'], limits: { rpm: 100 } },
      });
    case 'create key':
      return caller.send(`/admin/v1/accounts/${target}/keys`, { method: 'POST', json: { name: 'matrix' } });
    case 'rename key':
      return caller.send(`/admin/v1/keys/${seededKey[target]}`, {
        method: 'PATCH',
        json: { name: 'renamed' },
      });
    case 'allocate':
      return caller.send(`/admin/v1/accounts/${target}/ledger/allocate`, {
        method: 'POST',
        json: { amount: '0.01' },
      });
  }
}

const ops: Op[] = [
  'read account',
  'list keys',
  'read usage',
  'read ledger',
  'read policy',
  'rename account',
  'write policy',
  'create key',
  'rename key',
  'allocate',
];
const homes: Target[] = ['b', 'c', 'd'];
const targets: Target[] = ['a', 'b', 'c', 'd'];
const callers = new Map<string, Caller>();

beforeAll(async () => {
  await applyPolicy(treePolicy());
  await ok(root.send('/admin/v1/accounts/a/ledger/topup', { method: 'POST', json: { amount: '1000' } }), 201);
  for (const t of ['b', 'c'] as const)
    await ok(
      root.send(`/admin/v1/accounts/${t}/ledger/allocate`, { method: 'POST', json: { amount: '100' } }),
      201,
    );
  for (const t of targets) {
    const key = await ok<{ id: string }>(
      root.send(`/admin/v1/accounts/${t}/keys`, { method: 'POST', json: { name: 'seed' } }),
      201,
    );
    seededKey[t] = key.id;
  }
  for (const home of homes) {
    for (const kind of kinds) {
      if (kind.startsWith('token:')) {
        const created = await ok<{ token: string }>(
          root.send(`/admin/v1/accounts/${home}/tokens`, {
            method: 'POST',
            json: { name: kind, scopes: tokenScopes[kind] },
          }),
          201,
        );
        callers.set(`${home}/${kind}`, bearer(created.token, `${home}/${kind}`));
      } else {
        const email = `${kind}@${home}.example`;
        await ok(
          root.send(`/admin/v1/accounts/${home}/users`, {
            method: 'POST',
            json: { email, password: PASSWORD, role: kind },
          }),
          201,
        );
        callers.set(`${home}/${kind}`, await login(email, PASSWORD));
      }
    }
  }
}, 60_000);

const cases = homes.flatMap((home) =>
  kinds.flatMap((kind) => targets.map((target) => ({ home, kind, target }))),
);

describe('isolation matrix', () => {
  it.each(cases)('$kind of $home → account $target', async ({ home, kind, target }) => {
    const caller = callers.get(`${home}/${kind}`) as Caller;
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const op of ops) {
      const res = await run(caller, target, op);
      got[op] = res.status;
      want[op] = expected(kind, home, target, op);
      if (res.status === 404) {
        // Outside the subtree must read exactly like a missing account: same code, no other detail.
        const body = (await res.json()) as { error: { code: string } };
        expect(['account_not_found', 'key_not_found']).toContain(body.error.code);
      } else await res.body?.cancel();
    }
    expect(got).toEqual(want);
  });
});

describe('no existence leak', () => {
  it('an account outside the subtree reads exactly like one that does not exist', async () => {
    const caller = callers.get('b/owner') as Caller;
    const sibling = await errorOf(caller.send('/admin/v1/accounts/c'));
    const missing = await errorOf(caller.send('/admin/v1/accounts/zz'));
    const shape = (e: typeof sibling, id: string) => ({
      ...e,
      message: e.message.replace(id, '?'),
      request_id: '',
    });
    expect(shape(sibling, '"c"')).toEqual(shape(missing, '"zz"'));
    const usage = await errorOf(caller.send('/admin/v1/usage/daily?account=c'));
    expect(usage).toMatchObject({ status: 404, code: 'account_not_found' });
    const subtree = await ok<{ data: { id: string }[] }>(caller.send('/admin/v1/accounts'));
    expect(subtree.data.map((a) => a.id)).toEqual(['b', 'd']);
    const audit = await ok<{ data: { account_path: string }[] }>(caller.send('/admin/v1/audit?limit=1000'));
    expect(audit.data.length).toBeGreaterThan(0);
    expect(audit.data.every((r) => r.account_path.startsWith('/a/b/'))).toBe(true);
  });

  it('the root sees and may change everything', async () => {
    const owner = bearer(
      (
        await ok<{ token: string }>(
          root.send('/admin/v1/accounts/a/tokens', {
            method: 'POST',
            json: { name: 'root-admin', scopes: ['admin'] },
          }),
          201,
        )
      ).token,
    );
    for (const t of targets) {
      for (const op of ['read account', 'list keys', 'read ledger', 'create key'] as const)
        expect((await run(owner, t, op)).status).toBeLessThan(300);
    }
    expect((await run(owner, 'd', 'allocate')).status).toBe(201);
  });
});
