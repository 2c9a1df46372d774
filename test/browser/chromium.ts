// The browser the console tests drive: Debian's Chromium through playwright-core, in a fresh profile,
// with the flags that keep it offline and quiet, and the screenshot helper every screen goes through.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from '../harness/gateway';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const shots = join(repoRoot, 'test-results/screenshots');

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors, in order (tests filter the expected HTTP refusals). */
  errors: string[];
  close(): Promise<void>;
}

/** Opens Chromium on a fresh profile; a missing binary fails the suite (it never passes silently). */
export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    colorScheme: 'light',
    acceptDownloads: true,
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
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  mkdirSync(shots, { recursive: true });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Saves a failed test's screen, so the failure can be looked at. */
export async function shootFailure(
  page: Page | undefined,
  testName: string,
  errors: string[],
): Promise<void> {
  if (!page) return;
  await page.screenshot({ path: join(shots, `failed-${testName.slice(0, 40)}.png`), fullPage: true });
  console.error('page errors:', errors);
}

const theme = (page: Page) => page.evaluate(() => document.documentElement.dataset['theme']);

/** Saves the current screen in the current theme and in the other one, then restores the theme. */
export async function shoot(page: Page, name: string): Promise<void> {
  const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
  const toggle = page.locator('button[aria-pressed]');
  const dark = (await theme(page)) === 'dark';
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(shots, `${name}-${dark ? 'dark' : 'light'}.png`), fullPage: true });
  // Dispatched, not clicked: an open drawer covers the header (the toggle's own click is tested).
  await toggle.dispatchEvent('click');
  await poll(() => theme(page)).toBe(dark ? 'light' : 'dark');
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(shots, `${name}-${dark ? 'light' : 'dark'}.png`), fullPage: true });
  await toggle.dispatchEvent('click');
  await poll(() => theme(page)).toBe(dark ? 'dark' : 'light');
}
