// Dashboard sign-in: email and password against the stored PBKDF2 hash. Unknown emails cost the
// same PBKDF2 work as wrong passwords and get the same answer, so sign-in reveals no emails.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import { accounts, users } from '../db/schema';
import { AuthenticationError } from '../errors/gateway-error';
import { randomToken } from '../lib/ids';
import { auditRow, runBatch } from '../tenancy/context';
import { normalizeEmail, type UserRow } from '../tenancy/users';
import { assertChainActive } from './admin-actor';
import { DECOY_PASSWORD_HASH, verifyPassword } from './password';
import { signSession } from './session';

export interface LoginResult {
  user: UserRow;
  session: string;
  csrf: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export async function login(
  db: Database,
  secret: string,
  input: { email: string; password: string },
  meta: { now: number; ip: string | null; requestId: string },
): Promise<LoginResult> {
  const [row] = await db
    .select({ user: users, path: accounts.path })
    .from(users)
    .innerJoin(accounts, eq(accounts.id, users.accountId))
    .where(eq(users.email, normalizeEmail(input.email)))
    .limit(1);
  const ok = await verifyPassword(input.password, row?.user.passwordHash ?? DECOY_PASSWORD_HASH);
  if (!row || !ok || row.user.status !== 'active') {
    throw new AuthenticationError('invalid_credentials', 'Wrong email or password.');
  }
  await assertChainActive(db, row.path);

  const csrf = randomToken(32);
  const { token, expiresAt } = await signSession(secret, { userId: row.user.id, csrf }, meta.now);
  const ctx = {
    db,
    now: meta.now,
    ip: meta.ip,
    requestId: meta.requestId,
    actor: {
      type: 'user' as const,
      id: row.user.id,
      accountId: row.user.accountId,
      accountPath: row.path,
      role: row.user.role,
      scopes: new Set<string>(),
    },
  };
  await runBatch(db, [
    db.update(users).set({ lastLoginAt: meta.now }).where(eq(users.id, row.user.id)),
    auditRow(ctx, { action: 'auth.login', targetType: 'user', targetId: row.user.id, accountPath: row.path }),
  ]);
  return { user: { ...row.user, lastLoginAt: meta.now }, session: token, csrf, expiresAt };
}
