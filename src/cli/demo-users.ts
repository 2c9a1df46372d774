// The demo sign-ins `npm start` creates: one owner user per demo account (the root "acme" and the
// employee "alice"), so a new user can sign in to the console as each. Passwords are generated once
// per checkout into .wrangler/switchyard/demo-users.json (git-ignored) and reused on every start.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DemoUser {
  account: string;
  email: string;
  password: string;
}

const demoAccounts = [
  { account: 'acme', email: 'owner@acme.example' },
  { account: 'alice', email: 'alice@acme.example' },
] as const;

export async function ensureDemoUserSecrets(root: string): Promise<DemoUser[]> {
  const path = `${root}/.wrangler/switchyard/demo-users.json`;
  const stored: DemoUser[] = existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as DemoUser[]) : [];
  const users = demoAccounts.map(
    (a) =>
      stored.find((s) => s.account === a.account && s.email === a.email) ?? {
        ...a,
        password: randomBytes(12).toString('base64url'),
      },
  );
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(users), { mode: 0o600 });
  return users;
}

/** Creates each demo user as an owner of its account; an existing user (409) is left as it is. */
export async function createDemoUsers(base: string, adminToken: string, users: DemoUser[]): Promise<void> {
  for (const u of users) {
    const res = await fetch(`${base}/admin/v1/accounts/${u.account}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: u.password, role: 'owner' }),
    });
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`creating demo user ${u.email}: HTTP ${res.status} ${await res.text()}`);
  }
}
