// The dashboard in a real browser (Debian's Chromium via playwright-core) against the real gateway
// Worker on workerd: sign-in, a rejected token, the daily usage table, session persistence, sign-out.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningGateway } from '../harness/gateway';
import { repoRoot, startGateway } from '../harness/gateway';
import { seedDemo } from '../harness/seed';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = join(repoRoot, 'test-results');

const prompt = 'hello from the browser test';
const body = { model: 'mock-small', messages: [{ role: 'user', content: prompt }] };

// Expected usage, worked out by hand from src/providers/mock/reply.ts (tokens = whitespace-separated
// words): the prompt is 5 words; the reply "Mock reply from mock-small: hello from the browser test"
// is 9. Demo prices (src/policy/demo-policy.yaml) for mock-small: $0.15 in / $0.60 out per million
// tokens, i.e. 150_000 and 600_000 micro-dollars. Per request: (5 × 150_000 + 9 × 600_000) / 1e6
// = 6.15 micro-dollars, rounded half up to 6 (src/usage/pricing.ts); 3 requests cost 18.
const REQUESTS = 3;
const PROMPT_TOKENS = 5 * REQUESTS;
const COMPLETION_TOKENS = 9 * REQUESTS;
const COST = '$0.000018';

interface DailyRow {
  accountId: string;
  model: string;
  requests: number;
}

let gw: RunningGateway | undefined;
let context: BrowserContext | undefined;
let profileDir: string | undefined;
let page: Page;
/** UTC day the chat requests were sent on (the demo org's timezone is UTC). */
let day = '';
const pageErrors: string[] = [];

async function chat(url: string, key: string, stream: boolean): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(stream ? { ...body, stream: true } : body),
  });
  const text = await res.text(); // reads a stream to its end
  expect(res.status, text).toBe(200);
  if (stream) expect(text).toContain('data: [DONE]');
}

async function usageRequests(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/admin/v1/usage/daily`, { headers: { authorization: `Bearer ${token}` } });
  const { data } = (await res.json()) as { data?: DailyRow[] };
  return (data ?? []).reduce((n, r) => n + r.requests, 0);
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  gw = await startGateway();
  const { demoKey } = await seedDemo(gw);
  day = new Date().toISOString().slice(0, 10);
  await chat(gw.url, demoKey, false);
  await chat(gw.url, demoKey, true);
  await chat(gw.url, demoKey, false);

  // Usage reaches the rollups through a Queue consumer, asynchronously.
  const deadline = Date.now() + 20_000;
  let seen = await usageRequests(gw.url, gw.adminToken);
  while (seen < REQUESTS && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    seen = await usageRequests(gw.url, gw.adminToken);
  }
  expect(seen, 'requests in the daily rollups after 20 s').toBe(REQUESTS);

  profileDir = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  // Playwright refuses --user-data-dir in args; a persistent context takes the directory instead.
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await gw?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  test('signs in, shows daily usage, keeps the session on reload, signs out', async () => {
    if (!gw) throw new Error('gateway not started');
    await page.goto(`${gw.url}/`);
    const form = page.locator('#login');
    const usage = page.locator('#usage');
    await expect.poll(() => form.isVisible()).toBe(true);
    await expect.poll(() => page.title()).toBe('Switchyard');
    await page.screenshot({ path: join(shots, 'dashboard-sign-in.png') });

    // A wrong token: the API's message, and no usage section.
    // The browser also logs the 401 as a failed resource load; that one is expected.
    await page.fill('#token', 'sya_wrong_token');
    await page.click('button[type=submit]');
    await expect
      .poll(() => page.textContent('#error'))
      .toBe('The management token is invalid, expired or revoked.');
    expect(await usage.isVisible()).toBe(false);
    expect(await form.isVisible()).toBe(true);
    await page.screenshot({ path: join(shots, 'dashboard-wrong-token.png') });
    const unexpected = () => pageErrors.filter((e) => !e.includes('401'));
    expect(unexpected()).toEqual([]);

    // The real token.
    await page.fill('#token', gw.adminToken);
    await page.click('button[type=submit]');
    await expect.poll(() => usage.isVisible()).toBe(true);
    await page.screenshot({ path: join(shots, 'dashboard-signed-in.png'), fullPage: true });
    expect(await form.getAttribute('hidden')).not.toBeNull();
    expect(await form.isVisible(), 'sign-in form still displayed while signed in').toBe(false);
    expect(await page.textContent('#error')).toBe('');
    const rows = () =>
      page.$$eval('#rows tr', (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      );
    const expected = [
      day,
      'alice',
      'mock-small',
      String(REQUESTS),
      '0',
      String(PROMPT_TOKENS),
      String(COMPLETION_TOKENS),
      COST,
    ];
    expect(await rows()).toEqual([expected]);
    expect(await page.textContent('#totals')).toBe(`${REQUESTS} requests, ${COST} in total.`);

    // Reload: sessionStorage keeps the token, so the usage shows without signing in again.
    await page.reload();
    await expect.poll(() => usage.isVisible()).toBe(true);
    expect(await form.isVisible()).toBe(false);
    expect(await rows()).toEqual([expected]);
    await page.screenshot({ path: join(shots, 'dashboard-after-reload.png'), fullPage: true });

    await page.click('#logout');
    await expect.poll(() => form.isVisible()).toBe(true);
    expect(await usage.isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem('switchyard.token'))).toBeNull();
    expect(unexpected()).toEqual([]);
  });
});
