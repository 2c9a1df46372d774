// The account tree screens in a real browser (Debian's Chromium via playwright-core) against the
// real gateway Worker on workerd (real D1, Durable Objects, Queues), loaded with the demo policy.
// The root owner creates a department and a team under it, allocates money, sets the
// department's RPM and daily budget, tries to give the team a wider RPM and sees it refused on
// the field (before saving, by the shared check; and after, by the API's 422), invites the team's
// admin, who signs in, creates a member and a key for it, uses it with the `openai` SDK (the
// request is in the log) until the department's daily budget refuses the next request with the
// quota error; the owner then finds every step in the audit log (every entry through the admin API
// with the owner's own session, the team's trail on the audit log screen). Screens in both themes.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createDemoUsers, type DemoUser } from '../../src/cli/demo-users';
import type { RunningGateway } from '../harness/gateway';
import { startGateway } from '../harness/gateway';
import { seedDemo } from '../harness/seed';
import { type ConsoleBrowser, openConsoleBrowser, shootFailure, shoot as shootPage } from './chromium';

let gw: RunningGateway;
let browser: ConsoleBrowser | undefined;
let page: Page;
let pageErrors: string[] = [];
const owner: DemoUser = {
  account: 'acme',
  email: 'owner@acme.example',
  password: randomBytes(12).toString('base64url'),
};
const teamAdmin: DemoUser = {
  account: 'sales-eu',
  email: 'eu-admin@acme.example',
  password: randomBytes(12).toString('base64url'),
};

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
const params = () => new URL(page.url()).searchParams;
// The browser logs every refused call as a failed load: 401 (signed out) and 404 always expected,
// others only where a step provokes a refusal and says so (`refused`).
const unexpectedErrors = () => pageErrors.filter((e) => !/\b40[14]\b/.test(e));
function refused(status: number): void {
  const i = pageErrors.findIndex((e) => e.includes(`status of ${status}`));
  expect(i, `a refused call (${status}) logged`).toBeGreaterThanOrEqual(0);
  pageErrors.splice(i, 1);
}

const shoot = (name: string) => shootPage(page, name);

async function signIn(user: DemoUser): Promise<void> {
  await poll(() => page.locator('input[name=email]').isVisible()).toBe(true);
  await page.fill('input[name=email]', user.email);
  await page.fill('input[name=password]', user.password);
  await page.press('input[name=password]', 'Enter');
  await poll(() => page.locator('.who-name').textContent()).toContain(`/${user.account}/`);
}

async function signOut(): Promise<void> {
  await page.click('button:has-text("Sign out")');
  await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
}

/** Opens an account of the current page of children by its name. */
async function openChild(name: string, id: string): Promise<void> {
  await page.locator('#children button.link', { hasText: name }).first().click();
  await poll(() => params().get('id')).toBe(id);
  await poll(() => text('#account-title')).toBe(name);
}

async function tab(name: string): Promise<void> {
  await page.click(`[role=tab]:has-text("${name}")`);
}

async function createChild(name: string, id: string, kind: string): Promise<void> {
  if (!(await page.locator('#create-account-form').isVisible()))
    await page.click('summary:has-text("New sub-account")');
  await page.fill('#create-account-form input[name=name]', name);
  await page.fill('#create-account-form input[name=id]', id);
  await page.selectOption('#create-account-form select[name=kind]', kind);
  await page.click('#create-account-form button[type=submit]');
  await poll(() => page.locator(`#children tr[data-account="${id}"]`).count()).toBe(1);
}

/** A field of the policy editor, its inline error. */
const fieldError = (field: string) => page.locator(`#policy-form tr[data-field="${field}"] .field-error`);
const field = (field: string) => page.locator(`#policy-form [name="${field}"]`);

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${gw.adminToken}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  gw = await startGateway({ bindings: { SWITCHYARD_SESSION_SECRET: randomBytes(32).toString('base64url') } });
  await seedDemo(gw);
  await createDemoUsers(gw.url, gw.adminToken, [owner]);
  // Sixty teams under Marketing: its children come a page (50) at a time.
  for (let i = 1; i <= 60; i++) {
    await api('/admin/v1/accounts', {
      method: 'POST',
      body: JSON.stringify({
        parent_id: 'marketing',
        id: `mkt-${i}`,
        name: `Campaign ${String(i).padStart(2, '0')}`,
      }),
    });
  }
  // A prepaid card plan, for the redemption codes.
  await api('/admin/v1/plans', {
    method: 'POST',
    body: JSON.stringify({ id: 'card-5', name: 'Card 5', kind: 'card', amount: '5', validity_days: 30 }),
  });
  browser = await openConsoleBrowser();
  page = browser.page;
  pageErrors = browser.errors;
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await shootFailure(page, ctx.task.name, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('console: the account tree', () => {
  let memberKey = '';

  test('the owner browses the tree: pages, search, breadcrumbs, refusals inline', async () => {
    await page.goto(`${gw.url}/accounts`);
    await signIn(owner);
    await poll(() => new URL(page.url()).pathname).toBe('/accounts');
    await poll(() => text('#account-title')).toBe('Acme Corp');
    await poll(() => page.locator('#children tbody tr').count()).toBe(2);
    expect(await text('#children')).toContain('Engineering');
    // Alice's demo usage is none yet; the root's own daily budget shows with its layer.
    expect(await text('#account')).toContain('account:acme');
    // Expand Engineering in place: Alice appears under it, one level in; collapse hides her.
    await page.click('button[aria-label="Show the sub-accounts of Engineering"]');
    await poll(() => page.locator('#children tr[data-account=alice][data-depth="1"]').count()).toBe(1);
    expect(
      await page.getAttribute('button[aria-label="Hide the sub-accounts of Engineering"]', 'aria-expanded'),
    ).toBe('true');
    await shoot('accounts-expanded');
    await page.click('button[aria-label="Hide the sub-accounts of Engineering"]');
    await poll(() => page.locator('#children tr[data-account=alice]').count()).toBe(0);

    // Marketing has 60 children: 50 on the first page, 10 on the next.
    await openChild('Marketing', 'marketing');
    await poll(() => page.locator('#children tbody tr').count()).toBe(50);
    await page.click('#children-section .pager button:has-text("Next")');
    await poll(() => page.locator('#children tbody tr').count()).toBe(10);
    expect(await text('#children tbody tr')).toContain('Campaign 51');
    await shoot('accounts-paged');
    // Breadcrumbs lead back up.
    await page.click('#breadcrumbs button:has-text("Acme Corp")');
    await poll(() => params().get('id')).toBeNull();
    // Search the whole subtree; the URL keeps it.
    await page.fill('input[name=q]', 'campaign 07');
    await page.press('input[name=q]', 'Enter');
    await poll(() => params().get('q')).toBe('campaign 07');
    await poll(() => page.locator('#children tbody tr').count()).toBe(1);
    expect(await text('#children tbody tr')).toContain('/acme/marketing/mkt-7/');
    // Lifecycle: suspend and reactivate a campaign; the badge follows.
    await openChild('Campaign 07', 'mkt-7');
    await page.click('#account-actions button:has-text("Suspend")');
    await poll(() => text('#account .card-head .badge')).toBe('suspended');
    await page.click('#account-actions button:has-text("Reactivate")');
    await poll(() => text('#account .card-head .badge')).toBe('active');
    // Deleting Marketing is refused (it has children): the API's reason, inline.
    await page.click('#breadcrumbs button:has-text("Marketing")');
    await poll(() => text('#account-title')).toBe('Marketing');
    await page.click('#account-actions button:has-text("Delete")');
    await page.click('#account-actions button:has-text("Confirm delete")');
    await poll(() => text('#account-actions .form-error')).toContain('child account');
    refused(409);
    // The owner's own account cannot be suspended by the owner: refused inline too.
    await page.click('#breadcrumbs button:has-text("Acme Corp")');
    await poll(() => text('#account-title')).toBe('Acme Corp');
    await page.click('#account-actions button:has-text("Suspend")');
    await poll(() => text('#account-actions .form-error')).not.toBe('');
    refused(403);
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the owner creates a department and a team, and moves money down', async () => {
    await tab('Money');
    await page.fill('#topup-form input[name=amount]', '100');
    await page.fill('#topup-form input[name=memo]', 'budget 2026');
    await page.click('#topup-form button[type=submit]');
    await poll(() => text('[data-figure=balance]')).toBe('$100.00');
    await createChild('Sales', 'sales', 'department');
    await openChild('Sales', 'sales');
    expect(params().get('tab')).toBe('money');
    await page.fill('#allocate-form input[name=amount]', '40.000001');
    await page.click('#allocate-form button[type=submit]');
    await poll(() => text('[data-figure=balance]')).toBe('$40.000001');
    // More than the parent holds: the API's refusal, nothing moved.
    await page.fill('#allocate-form input[name=amount]', '1000');
    await page.click('#allocate-form button[type=submit]');
    await poll(() => text('#allocate-form .form-error')).toContain('enough balance');
    refused(409);
    expect(await text('[data-figure=balance]')).toBe('$40.000001');
    await createChild('Sales EU', 'sales-eu', 'team');
    await openChild('Sales EU', 'sales-eu');
    await page.fill('#allocate-form input[name=amount]', '10');
    await page.click('#allocate-form button[type=submit]');
    await poll(() => text('[data-figure=balance]')).toBe('$10.00');
    await page.fill('#debit-form input[name=amount]', '0.25');
    await page.fill('#debit-form input[name=memo]', 'correction');
    await page.click('#debit-form button[type=submit]');
    await poll(() => text('[data-figure=balance]')).toBe('$9.75');
    // Sales' ledger filtered by kind, and its CSV (integer micro-units).
    await page.click('#breadcrumbs button:has-text("Sales")');
    await poll(() => text('#account-title')).toBe('Sales');
    await poll(() => page.locator('#ledger tbody tr').count()).toBe(2);
    await page.selectOption('#ledger-filters select[name=kind]', 'allocate_out');
    await poll(() => page.locator('#ledger tbody tr').count()).toBe(1);
    expect(await text('#ledger tbody tr')).toContain('-$10.00');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#ledger button:has-text("Download CSV")'),
    ]);
    const csv = readFileSync(await file.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'created_at,kind,amount_micros,source,counterparty_account_id,memo,created_by,id',
    );
    expect(csv).toContain(',allocate_out,-10000000,,sales-eu,');
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    await page.selectOption('#ledger-filters select[name=kind]', '');
    await poll(() => page.locator('#ledger tbody tr').count()).toBe(2);
    await shoot('money-department');
    expect(unexpectedErrors()).toEqual([]);
  });

  test("the department's RPM and budget; a wider team RPM is refused on the field", async () => {
    await tab('Policy');
    await poll(() => field('limits.rpm').isVisible()).toBe(true);
    // Inherited from the root: rpm 600 and the daily budget of 5.
    expect(await text('#policy-form tr[data-field="limits.rpm"] td.origin')).toContain('600');
    expect(await text('#policy-form tr[data-field="limits.rpm"] td.origin')).toContain('account:acme');
    await field('limits.rpm').fill('100');
    await field('limits.daily_budget').fill('0.0001');
    // Wider than the root's budget of 5 is refused before anything is sent…
    await field('limits.daily_budget').fill('6');
    await poll(() => fieldError('limits.daily_budget').textContent()).toContain('account:acme');
    expect(await page.locator('#policy-form button[type=submit]').isDisabled()).toBe(true);
    await field('limits.daily_budget').fill('0.0001');
    await poll(() => fieldError('limits.daily_budget').count()).toBe(0);
    // …and "what changes" lists Sales and Sales EU.
    await page.click('#policy-form button:has-text("What changes")');
    await poll(() => page.locator('#policy-preview tbody tr').count()).toBe(4);
    const preview = await text('#policy-preview');
    expect(preview).toContain('Sales (sales)');
    expect(preview).toContain('Sales EU (sales-eu)');
    expect(preview).toContain('600 · account:acme');
    expect(preview).toContain('100 · account:sales');
    await shoot('policy-preview');
    await page.click('#policy-form button[type=submit]');
    await poll(() => text('#policy-saved')).toBe('Saved.');
    const stored = await api<{ policy: unknown }>('/admin/v1/accounts/sales/policy');
    expect(stored.policy).toEqual({ limits: { rpm: 100, daily_budget: '0.0001' } });

    // The team: 200 is wider than the department's 100 — refused on the field, naming the layer.
    await openChild('Sales EU', 'sales-eu');
    await poll(() => field('limits.rpm').isVisible()).toBe(true);
    await poll(() => text('#policy-form tr[data-field="limits.rpm"] td.origin')).toContain('account:sales');
    await field('limits.rpm').fill('200');
    await poll(() => fieldError('limits.rpm').textContent()).toContain('policy.limits.rpm');
    expect(await fieldError('limits.rpm').textContent()).toContain('account:sales');
    expect(await page.locator('#policy-form button[type=submit]').isDisabled()).toBe(true);
    await shoot('policy-refused');
    // Meanwhile the department is tightened elsewhere: 80 passes the check of the page's view,
    // the API refuses it, and its 422 lands on the same field.
    await api('/admin/v1/accounts/sales/policy', {
      method: 'PUT',
      body: JSON.stringify({ limits: { rpm: 50, daily_budget: '0.0001' } }),
    });
    await field('limits.rpm').fill('80');
    await poll(() => fieldError('limits.rpm').count()).toBe(0);
    await page.click('#policy-form button[type=submit]');
    await poll(() => fieldError('limits.rpm').textContent()).toContain('above the limit of 50');
    refused(422);
    await field('limits.rpm').fill('');
    await field('budget_alerts').fill('50, 90');
    await page.click('#policy-form button[type=submit]');
    await poll(() => text('#policy-saved')).toBe('Saved.');
    expect((await api<{ policy: unknown }>('/admin/v1/accounts/sales-eu/policy')).policy).toEqual({
      budget_alerts: [50, 90],
    });
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the owner invites the team admin, mints a code; tokens are shown once and revoked', async () => {
    await tab('Users and tokens');
    await page.fill('#invite-form input[name=email]', teamAdmin.email);
    await page.fill('#invite-form input[name=password]', teamAdmin.password);
    await page.selectOption('#invite-form select[name=role]', 'admin');
    await page.click('#invite-form button[type=submit]');
    await poll(() => page.locator(`#users-table tr[data-user="${teamAdmin.email}"]`).count()).toBe(1);
    // A second user, a viewer: role changed, disabled, password reset.
    await page.fill('#invite-form input[name=email]', 'short@acme.example');
    await page.fill('#invite-form input[name=password]', 'x'.repeat(12));
    await page.selectOption('#invite-form select[name=role]', 'viewer');
    await page.click('#invite-form button[type=submit]');
    await poll(() => page.locator('#users-table tr[data-user="short@acme.example"]').count()).toBe(1);
    const viewer = page.locator('#users-table tr[data-user="short@acme.example"]');
    await viewer.locator('select').selectOption('member');
    await poll(() => viewer.locator('select').inputValue()).toBe('member');
    await viewer.locator('button:has-text("Disable")').click();
    await poll(() => viewer.locator('.badge').textContent()).toBe('disabled');
    await viewer.locator('button:has-text("Reset password")').click();
    await viewer.locator('input[name=password]').fill('another long password');
    await viewer.locator('button:has-text("Save")').click();
    await poll(() => viewer.locator('.notice').textContent()).toBe('Password set.');

    await page.fill('#token-form input[name=name]', 'ci-reporting');
    await page.check('#token-form input[value="usage:read"]');
    await page.fill('#token-form input[name=expires]', '2027-01-31');
    await page.click('#token-form button[type=submit]');
    await poll(() => text('#new-token-secret')).toMatch(/^sym_/);
    const token = await text('#new-token-secret');
    const row = page.locator('#tokens-table tr[data-token="ci-reporting"]');
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('read, usage:read');
    expect(await row.textContent()).toContain('01/31/2027');
    await shoot('people');
    const me = await fetch(`${gw.url}/admin/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    await row.locator('button:has-text("Revoke")').click();
    await poll(() => row.locator('.badge').textContent()).toBe('revoked');
    const after = await fetch(`${gw.url}/admin/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);

    // A redemption code, minted at the root (shown once) and redeemed into the team.
    await page.click('#breadcrumbs button:has-text("Acme Corp")');
    await tab('Money');
    await page.selectOption('#mint-form select[name=plan]', 'card-5');
    await page.click('#mint-form button[type=submit]');
    await poll(() => page.locator('#new-codes code').count()).toBe(1);
    const code = await text('#new-codes code');
    await poll(() => page.locator('#codes-table tbody tr').count()).toBe(1);
    await shoot('money-root');
    await page.fill('input[name=q]', 'sales eu');
    await page.press('input[name=q]', 'Enter');
    await openChild('Sales EU', 'sales-eu');
    await page.fill('#redeem-form input[name=code]', code);
    await page.click('#redeem-form button[type=submit]');
    await poll(() => text('#codes .notice')).toContain('card-5');
    await poll(() => text('#grants tbody')).toContain('card');
    expect(await text('#grants tbody')).toContain('$5.00');
    await page.fill('#redeem-form input[name=code]', code);
    await page.click('#redeem-form button[type=submit]');
    await poll(() => text('#codes .form-error')).not.toBe('');
    refused(400);
    await shoot('money-team');
    expect(unexpectedErrors()).toEqual([]);
  });

  test("the team's admin creates a member and a key; the key is used until the department's budget refuses it", async () => {
    await signOut();
    await signIn(teamAdmin);
    await page.click('nav >> text=Accounts');
    await poll(() => text('#account-title')).toBe('Sales EU');
    // The admin's tree starts at their own account: no ancestors above it.
    expect(await page.locator('#breadcrumbs li').count()).toBe(1);
    // The team's own layer is written by the accounts above it: shown, not editable here.
    await poll(() => field('budget_alerts').inputValue()).toBe('50, 90');
    expect(await field('budget_alerts').getAttribute('readonly')).not.toBeNull();
    expect(await page.locator('#policy-form button[type=submit]').count()).toBe(0);
    await createChild('Bob', 'bob', 'user');
    await openChild('Bob', 'bob');
    await tab('Keys');
    await page.fill('#create-key-form input[name=name]', 'bob-laptop');
    await page.click('#create-key-form button[type=submit]');
    await poll(() => page.locator('#new-key-secret').isVisible()).toBe(true);
    memberKey = await text('#new-key-secret');
    expect(memberKey).toMatch(/^sy_/);
    await shoot('keys-member');

    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: memberKey, maxRetries: 0 });
    const reply = await client.chat.completions.create({
      model: 'mock-small',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hello from Bob' }],
    });
    expect(reply.choices[0]?.message.content).toContain('mock-small');
    // The department's budget of 0.0001 is spent within a few requests; then the quota error.
    let refusal: unknown;
    for (let i = 0; i < 20 && !refusal; i++) {
      await client.chat.completions
        .create({
          model: 'mock-small',
          max_tokens: 50,
          messages: [{ role: 'user', content: `request ${i}` }],
        })
        .catch((err: unknown) => {
          refusal = err;
        });
    }
    expect(refusal).toMatchObject({ status: 429, code: 'daily_budget_exceeded' });
    expect(String(refusal)).toContain('daily budget of account "sales"');

    // The request log has Bob's requests; the tree shows the team's spend today.
    // Usage arrives through a Queue: reload the log until the requests are in.
    await page.click('nav >> text=Request log');
    await poll(async () => {
      await page.reload();
      await page
        .waitForSelector('#request-results tbody tr, #request-results .state', { timeout: 5_000 })
        .catch(() => {});
      return page.locator('#request-results tbody tr').count();
    }).toBeGreaterThanOrEqual(2);
    expect(await text('#request-results')).toContain('mock-small');
    await page.click('nav >> text=Accounts');
    await poll(() => text('#account-title')).toBe('Sales EU');
    await poll(async () => {
      await page.click('#breadcrumbs [aria-current=page]');
      await page.reload();
      return text('[data-figure="node.requests"]');
    }).not.toBe('0');
    expect(await text('[data-figure="node.spend"]')).toMatch(/^\$0\.0000\d\d$/);
    expect(await text('#children tr[data-account=bob]')).toMatch(/\$0\.0000\d\d/);
    await shoot('accounts-team-admin');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the owner sees it all in the audit log, and the department at its budget', async () => {
    await signOut();
    await signIn(owner);
    const audit = await page.evaluate(() =>
      fetch('/admin/v1/audit?limit=500').then(
        (r) =>
          r.json() as Promise<{ data: { action: string; target_id: string | null; actor_type: string }[] }>,
      ),
    );
    const seen = audit.data.map((e) => `${e.action} ${e.target_id}`);
    for (const expected of [
      'ledger.topup acme',
      'account.create sales',
      'ledger.allocate sales',
      'account.create sales-eu',
      'ledger.allocate sales-eu',
      'ledger.debit sales-eu',
      'account.policy.update sales',
      'account.policy.update sales-eu',
      'user.create',
      'token.create',
      'token.revoke',
      'account.create bob',
      'key.create',
      'account.suspend mkt-7',
      'account.reactivate mkt-7',
    ])
      expect(
        seen.some((s) => s.startsWith(expected)),
        expected,
      ).toBe(true);
    // And on the audit log screen: the team's own trail, filtered by target.
    await page.click('nav >> text=Audit log');
    await poll(() => page.locator('#audit-results tr[data-action]').count()).toBeGreaterThan(0);
    await page.fill('#audit-filters-form input[name=target]', 'sales-eu');
    await page.click('#audit-filters-form button[type=submit]');
    for (const action of ['account.create', 'ledger.allocate', 'ledger.debit', 'account.policy.update'])
      await poll(() => page.locator(`#audit-results tr[data-action="${action}"]`).count()).toBeGreaterThan(0);
    await shoot('audit-team');
    // The department's daily budget is (nearly: the next request's reservation did not fit) spent,
    // and its quota use in the tree says so.
    await page.click('nav >> text=Accounts');
    await poll(() => page.locator('#children tr[data-account=sales]').count()).toBe(1);
    const quota = page.locator('#children tr[data-account=sales] [data-quota=daily_budget]');
    expect(await quota.textContent()).toMatch(/^Daily budget: \$0\.0000\d\d of \$0\.0001 \((\d+)%\)$/);
    expect(Number((await quota.textContent())?.match(/\((\d+)%\)/)?.[1])).toBeGreaterThanOrEqual(50);
    await shoot('accounts-root');
    // Chinese.
    await page.selectOption('select[aria-label="Language"]', 'zh-CN');
    await poll(() => text('nav')).toContain('账户');
    await openChild('Sales', 'sales');
    await poll(() => text('#children')).toContain('今日花费');
    await shoot('accounts-zh');
    await tab('策略');
    await poll(() => field('limits.rpm').isVisible()).toBe(true);
    await shoot('policy-zh');
    await page.selectOption('select[aria-label="语言"]', 'en');
    expect(unexpectedErrors()).toEqual([]);
  });
});
