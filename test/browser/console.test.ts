// The console in a real browser (Debian's Chromium via playwright-core) against the real gateway
// Worker on workerd (real D1, Durable Objects, Queues), loaded the way `npm start` loads it: the
// demo policy and one owner user per demo account. Alice signs in, creates a key, uses it with the
// `openai` SDK, finds the request in the log and the charts, revokes the key and sees the next
// request refused; the root owner sees Alice's usage in the subtree views; Chinese and dark mode.
// Every screen is saved in both themes to test-results/screenshots/.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createDemoUsers, type DemoUser } from '../../src/cli/demo-users';
import type { RunningGateway } from '../harness/gateway';
import { startGateway } from '../harness/gateway';
import { seedDemo } from '../harness/seed';
import { type ConsoleBrowser, openConsoleBrowser, shootFailure, shoot as shootPage, shots } from './chromium';

let gw: RunningGateway;
let browser: ConsoleBrowser | undefined;
let page: Page;
let pageErrors: string[] = [];
const users: DemoUser[] = [
  { account: 'acme', email: 'owner@acme.example', password: randomBytes(12).toString('base64url') },
  { account: 'alice', email: 'alice@acme.example', password: randomBytes(12).toString('base64url') },
];
const [owner, alice] = users as [DemoUser, DemoUser];

/** Requests of an account's subtree in today's rollups (usage arrives through a Queue). */
async function rolledUp(account: string): Promise<number> {
  const res = await fetch(`${gw.url}/admin/v1/analytics/totals?account=${account}`, {
    headers: { authorization: `Bearer ${gw.adminToken}` },
  });
  const { data } = (await res.json()) as { data: { requests: number }[] };
  return data[0]?.requests ?? 0;
}

async function waitForUsage(account: string, requests: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await rolledUp(account)) < requests && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 250));
  expect(await rolledUp(account), `requests of ${account} in the rollups after 20 s`).toBe(requests);
}

// The machine is shared: give the UI up to 15 s to show what it should (a liveness bound only).
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });

const theme = () => page.evaluate(() => document.documentElement.dataset['theme']);

/** Saves the current screen in both themes. */
const shoot = (name: string) => shootPage(page, name);

async function signIn(user: DemoUser): Promise<void> {
  await poll(() => page.locator('input[name=email]').isVisible()).toBe(true);
  // Keyboard only: type into the fields and submit with Enter.
  await page.focus('input[name=email]');
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await poll(() => page.locator('.who-name').textContent()).toContain(`/${user.account}/`);
}

/** Clicks a download button and returns the file's text. */
async function downloaded(selector: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await file.path();
  return readFileSync(path, 'utf8');
}

const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
const rows = (selector: string) => page.locator(`${selector} tbody tr`).count();
// The browser logs every 401 (signed out) and 404 as a failed resource load; those are expected.
const unexpectedErrors = () => pageErrors.filter((e) => !/\b40[14]\b/.test(e));

beforeAll(async () => {
  gw = await startGateway({
    bindings: { SWITCHYARD_SESSION_SECRET: randomBytes(32).toString('base64url') },
  });
  const { demoKey } = await seedDemo(gw);
  await createDemoUsers(gw.url, gw.adminToken, users);
  // Earlier usage of Alice's demo key on two models, so the charts have more than one series.
  const demo = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: demoKey });
  for (const model of ['mock-small', 'mock-large', 'mock-large'])
    await demo.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'warm up the charts' }],
    });
  await waitForUsage('alice', 3);

  browser = await openConsoleBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
  page = browser.page;
  pageErrors = browser.errors;
});

// A failing step leaves the screen it failed on and what the page logged.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await shootFailure(page, ctx.task.name, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

describe('console', () => {
  let keyId = '';
  let secret = '';

  test('Alice signs in, creates a key, uses it with the openai SDK and sees it in the charts', async () => {
    await page.goto(`${gw.url}/`);
    // Not signed in: the sign-in screen, with the place to come back to.
    await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');
    await shoot('sign-in');

    // A wrong password: the API's message, still on sign-in.
    await page.fill('input[name=email]', alice.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await poll(() => text('.form-error')).toMatch(/password/i);
    await page.fill('input[name=email]', '');
    await page.fill('input[name=password]', '');
    await signIn(alice);
    expect(new URL(page.url()).pathname).toBe('/');

    // My keys: create a narrower key.
    await page.click('nav >> text=My keys');
    await page.fill('#create-key-form input[name=name]', 'browser-test');
    await page.fill('#create-key-form input[name=allow_models]', 'mock-small');
    await page.fill('#create-key-form input[name=rpd]', '50');
    await page.click('#create-key-form button[type=submit]');
    await poll(() => page.locator('#new-key-secret').isVisible()).toBe(true);
    secret = await text('#new-key-secret');
    expect(secret).toMatch(/^sy_/);
    await page.click('#secret button:has-text("Copy")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect(await text('#secret pre')).toContain(`Authorization: Bearer ${secret}`);
    await page.click('#secret [role=tab]:has-text("Anthropic · curl")');
    expect(await text('#secret pre')).toContain(`x-api-key: ${secret}`);
    await page.click('#secret [role=tab]:has-text("OpenAI · Node SDK")');
    await shoot('keys-created');
    const row = page.locator('#keys tbody tr', { hasText: 'browser-test' });
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('rpd=50');

    const res = await fetch(`${gw.url}/admin/v1/accounts/alice/keys`, {
      headers: { authorization: `Bearer ${gw.adminToken}` },
    });
    const keys = ((await res.json()) as { data: { id: string; name: string; prefix: string }[] }).data;
    const created = keys.find((k) => k.name === 'browser-test');
    if (!created) throw new Error('the key is not in the API');
    keyId = created.id;
    expect(secret.startsWith(created.prefix)).toBe(true);

    // Use it through the gateway, with the openai SDK (the mock provider pool answers).
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: secret, maxRetries: 0 });
    const reply = await client.chat.completions.create({
      model: 'mock-small',
      messages: [{ role: 'user', content: 'hello from the console test' }],
    });
    expect(reply.choices[0]?.message.content).toContain('mock-small');
    const stream = await client.chat.completions.create({
      model: 'mock-small',
      messages: [{ role: 'user', content: 'stream this one' }],
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed).toContain('mock-small');
    // The key is narrower than Alice: another model is refused before it costs anything.
    await expect(
      client.chat.completions.create({ model: 'mock-large', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 403 });
    await waitForUsage('alice', 5);

    // The overview: totals and charts with today's real usage.
    await page.click('nav >> text=Overview');
    await page.selectOption('#main select >> nth=0', 'today');
    await poll(() => new URL(page.url()).searchParams.get('range')).toBe('today');
    await poll(() => text('[data-figure="totals.requests"] dd')).toBe('5');
    await poll(() => text('[data-figure="totals.errors"] dd')).toBe('0');
    await poll(() => text('[data-figure="totals.cost"] dd')).toMatch(/^\$0\.\d{2,6}$/);
    await poll(() => page.locator('#over-time canvas').count()).toBeGreaterThan(1);
    await poll(() => text('#models')).toContain('mock-small');
    expect(await text('#models')).toContain('mock-large');
    await poll(() => text('#latency')).toContain('mock-small');
    await poll(() => text('#quota')).toContain('Requests per day');
    await shoot('overview-alice');
    // CSV: a table's rows (client side) and a view's export (the API's ?format=csv).
    expect(await downloaded('#billing button:has-text("Download CSV")')).toMatch(
      /^day,promptTokens,cachedReadTokens,cacheWriteTokens,completionTokens,reasoningTokens,costMicros,cacheShare\r\n\d{4}-\d{2}-\d{2},20,0,0,40,0,\d+,0\r\n$/,
    );
    expect(await downloaded('#totals button:has-text("Download CSV")')).toContain(',5,0,20,40,');
    // Stacked the other way round, and the choice is in the URL.
    await page.selectOption('#over-time select', 'account');
    await poll(() => new URL(page.url()).searchParams.get('by')).toBe('account');
    await poll(() => page.locator('#over-time canvas').count()).toBeGreaterThan(1);

    // My policy: the key's layer narrows rpd; the account's rpm comes from alice.
    await page.click('nav >> text=My policy');
    await poll(() => text('#effective')).toContain('limits.rpm');
    expect(await text('#effective')).toContain('account:alice');
    await page.selectOption('select[name=policy-of]', keyId);
    await poll(() => text('#effective')).toContain(`key:${keyId}`);
    const rpd = await page.locator('#effective tr', { hasText: 'limits.rpd' }).textContent();
    expect(rpd).toContain('50');
    expect(rpd).toContain(`key:${keyId}`);
    await shoot('policy');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the request log lists the request, filters by URL and opens its detail', async () => {
    await page.click('nav >> text=Request log');
    await poll(() => text('#no-text-notice')).toContain('No prompt or completion text is stored');
    expect(await text('#no-text-notice')).toContain('90 days');
    await poll(() => rows('#request-results')).toBeGreaterThanOrEqual(5);
    // Filter by the new key and a 2xx status: its two successful requests, as a shareable URL.
    await page.fill('#request-filters-form input[name=key]', keyId);
    await page.selectOption('#request-filters-form select[name=status]', '2xx');
    await page.click('#request-filters-form button[type=submit]');
    await poll(() => new URL(page.url()).searchParams.get('key')).toBe(keyId);
    await poll(() => rows('#request-results')).toBe(2);
    const shared = page.url();
    await page.reload();
    await poll(() => rows('#request-results')).toBe(2);
    expect(page.url()).toBe(shared);
    await shoot('requests');
    await page.locator('#request-results tbody tr').first().click();
    await poll(() => page.locator('#request-detail').isVisible()).toBe(true);
    const detail = await text('#request-detail');
    expect(detail).toContain('mock-small');
    expect(detail).toContain('browser-test');
    expect(detail).toContain('openai');
    expect(new URL(page.url()).searchParams.get('id')).toBeTruthy();
    await shoot('request-detail');
    // Keyboard: focus is in the dialog and Tab stays there.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#request-detail').count()).toBe(0);
    expect(unexpectedErrors()).toEqual([]);
  });

  test('revoking the key refuses the next request; an ended session returns to the same place', async () => {
    await page.click('nav >> text=My keys');
    let row = page.locator('#keys tbody tr', { hasText: 'browser-test' });
    await poll(() => row.count()).toBe(1);
    // Rename and re-scope in the drawer.
    await row.locator('button:has-text("Edit")').click();
    await page.fill('#edit-key-form input[name=name]', 'browser-test-renamed');
    await page.fill('#edit-key-form input[name=rpd]', '40');
    await page.fill('#edit-key-form input[name=rpm]', '10');
    await page.click('#edit-key-form button[type=submit]');
    row = page.locator('#keys tbody tr', { hasText: 'browser-test-renamed' });
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('rpm=10 rpd=40');
    // Wider than Alice (her rpd is 1000) is refused with the API's reason, and nothing changes.
    await row.locator('button:has-text("Edit")').click();
    await page.fill('#edit-key-form input[name=rpd]', '5000');
    await page.click('#edit-key-form button[type=submit]');
    await poll(() => text('#edit-key-form .form-error')).toContain('rpd');
    await page.keyboard.press('Escape');
    expect(await row.textContent()).toContain('rpd=40');
    // The browser logged the refused PATCH (422) as a failed load: expected, so forgotten.
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !e.includes('422')));
    await row.locator('button:has-text("Revoke")').click();
    await row.locator('button:has-text("Confirm revoke")').press('Enter');
    await poll(() => row.locator('.badge').textContent()).toBe('revoked');
    // Last use comes from the request log: the key's newest request, today.
    const lastUse = row.locator('td').nth(5);
    await poll(() => lastUse.textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}$/);
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: secret, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'mock-small', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 401 });
    await shoot('keys-revoked');

    // The session ends (cookies gone): the next call sends Alice to sign-in, and back afterwards.
    await page.goto(`${gw.url}/keys?from=here`);
    await poll(() => page.locator('#keys').isVisible()).toBe(true);
    await page.waitForLoadState('networkidle');
    await browser?.context.clearCookies();
    await page.click('nav >> text=My policy');
    await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/policy');
    expect(await text('.notice')).toContain('session has ended');
    await signIn(alice);
    await poll(() => new URL(page.url()).pathname).toBe('/policy');

    await page.click('button:has-text("Sign out")');
    await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    const me = await page.evaluate(() => fetch('/admin/v1/auth/me').then((r) => r.status));
    expect(me).toBe(401);
  });

  test("the root owner sees Alice's usage in the subtree views", async () => {
    await signIn(owner);
    await page.click('nav >> text=Overview');
    await page.selectOption('#main select >> nth=0', 'today');
    await poll(() => text('[data-figure="totals.requests"] dd')).toBe('5');
    // engineering is acme's child on Alice's path: the ranking shows her usage there.
    await poll(() => text('#ranking')).toContain('engineering');
    await page.selectOption('#over-time select', 'account');
    await poll(() => text('#over-time .u-legend')).toContain('engineering');
    await shoot('overview-owner');
    // The subtree picker narrows to Alice.
    await page.selectOption('select[name=account]', 'alice');
    await poll(() => new URL(page.url()).searchParams.get('account')).toBe('alice');
    await poll(() => text('[data-figure="totals.requests"] dd')).toBe('5');
    await page.click('nav >> text=Request log');
    await page.fill('#request-filters-form input[name=account]', 'alice');
    await page.click('#request-filters-form button[type=submit]');
    await poll(() => rows('#request-results')).toBeGreaterThanOrEqual(5);
    await page.click('nav >> text=Overview');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('an operator signs in with a management token and signs out', async () => {
    await page.click('button:has-text("Sign out")');
    await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    await page.click('[role=tab]:has-text("Management token")');
    await page.fill('input[name=token]', 'sya_not_a_token');
    await page.press('input[name=token]', 'Enter');
    await poll(() => text('.form-error')).toContain('invalid');
    await page.fill('input[name=token]', gw.adminToken);
    await page.press('input[name=token]', 'Enter');
    await poll(() => text('.who-name')).toContain('management token');
    expect(await text('.who-name')).toContain('/acme/');
    await poll(() => text('[data-figure="totals.requests"] dd')).toMatch(/^\d+$/);
    await page.click('button:has-text("Sign out")');
    await poll(() => new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.evaluate(() => sessionStorage.getItem('switchyard.token'))).toBeNull();
    await signIn(owner);
  });

  test('switches to Chinese and dark mode, and fits a phone', { timeout: 120_000 }, async () => {
    await page.click('nav >> text=Overview');
    await page.selectOption('select[aria-label="Language"]', 'zh-CN');
    await poll(() => text('nav')).toContain('概览');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.click('button:has-text("深色模式")');
    await poll(theme).toBe('dark');
    await poll(() => text('#totals')).toContain('请求数');
    await page.screenshot({ path: join(shots, 'overview-zh-dark.png'), fullPage: true });
    for (const [nav, name] of [
      ['请求日志', 'requests-zh'],
      ['我的密钥', 'keys-zh'],
      ['我的策略', 'policy-zh'],
    ] as const) {
      await page.click(`nav >> text=${nav}`);
      await page.waitForTimeout(300);
      await shoot(name);
    }
    // Both settings survive a reload.
    await page.reload();
    await poll(() => text('nav')).toContain('概览');
    expect(await theme()).toBe('dark');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('nav >> text=概览');
    await poll(() => text('#totals')).toContain('请求数');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'horizontal overflow on a phone').toBeLessThanOrEqual(0);
    await shoot('overview-phone');
    await page.selectOption('select[aria-label="语言"]', 'en');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(unexpectedErrors()).toEqual([]);
  });
});
