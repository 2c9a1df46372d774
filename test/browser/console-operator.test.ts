// The operator's console screens in a real browser (Debian's Chromium via playwright-core) against
// the real gateway Worker on workerd, with a fake provider behind one upstream key. The root owner
// adds a level and a key on the levels screen (the secret never comes back), the provider refuses
// the key (401) and the health screen shows it disabled; re-enabled there, it serves again. A
// LiteLLM price catalogue is previewed as a diff and applied, and the next request is charged at
// the new price; the routing map names the levels; the audit log shows those writes with before
// and after, filtered; the playground streams answers in each protocol with usage, cost and
// routing. Every screen is saved in both themes to test-results/screenshots/.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createDemoUsers, type DemoUser } from '../../src/cli/demo-users';
import { type FakeProvider, startFakeProvider } from '../fake-provider/server';
import type { RunningGateway } from '../harness/gateway';
import { startGateway } from '../harness/gateway';
import { seedDemo } from '../harness/seed';
import { type ConsoleBrowser, openConsoleBrowser, shootFailure, shoot as shootPage } from './chromium';

let gw: RunningGateway;
let fake: FakeProvider;
let browser: ConsoleBrowser | undefined;
let page: Page;
let pageErrors: string[] = [];
const owner: DemoUser = {
  account: 'acme',
  email: 'owner@acme.example',
  password: randomBytes(12).toString('base64url'),
};
// The provider credential of the new upstream key: typed once into the form, never shown back.
const upstreamSecret = `sk-test-${randomBytes(8).toString('hex')}`;
let rootKey = '';

const poll = <T>(fn: () => Promise<T> | T, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });
const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
// The browser logs refused calls (401 signed out, 404, the 502 of the refused key) as failed loads.
const unexpectedErrors = () => pageErrors.filter((e) => !/\b(40[14]|502|503)\b/.test(e));

/** Saves the current screen in both themes. */
const shoot = (name: string) => shootPage(page, name);

async function admin<T>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

function chat(model: string, content = 'hello from the operator test') {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
}

/** The request as metered, once the usage Queue's consumer wrote it. */
async function meteredRequest(id: string) {
  type Detail = {
    prompt_tokens: number;
    completion_tokens: number;
    cost_micros: number;
    upstream_key_id: string;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${gw.url}/admin/v1/requests/${id}`, {
      headers: { authorization: `Bearer ${gw.adminToken}` },
    });
    if (res.ok) return (await res.json()) as Detail;
    if (Date.now() > deadline) throw new Error(`request ${id} not metered after 20 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The root also allows the fake provider's models and sends them to level 2 (added on screen). */
async function routeFakeModelsToLevel2(): Promise<void> {
  const { policy } = await admin<{ policy: Record<string, unknown> }>('/admin/v1/accounts/acme/policy');
  await admin('/admin/v1/accounts/acme/policy', {
    method: 'PUT',
    json: {
      ...policy,
      allow_models: ['mock-*', 'fake-*'],
      level_mapper: { 'mock-*': 1, 'fake-*': 2 },
      switch_over: { '2': 1 },
    },
  });
}

beforeAll(async () => {
  [gw, fake] = await Promise.all([
    startGateway({ bindings: { SWITCHYARD_SESSION_SECRET: randomBytes(32).toString('base64url') } }),
    startFakeProvider(),
  ]);
  await seedDemo(gw);
  await createDemoUsers(gw.url, gw.adminToken, [owner]);
  rootKey = (
    await admin<{ key: string }>('/admin/v1/accounts/acme/keys', { method: 'POST', json: { name: 'ops' } })
  ).key;

  browser = await openConsoleBrowser();
  page = browser.page;
  pageErrors = browser.errors;
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await shootFailure(page, ctx.task.name, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([gw?.close(), fake?.close()]);
});

const keyRow = (id: string) => page.locator(`tr[data-key="${id}"]`);
const health = (id: string) => keyRow(id).locator('[data-health]').getAttribute('data-health');

describe('operator console', () => {
  test('adds a level and a key; a key the provider refuses shows disabled, is re-enabled and serves', async () => {
    await page.goto(`${gw.url}/`);
    await poll(() => page.locator('input[name=email]').isVisible()).toBe(true);
    await page.fill('input[name=email]', owner.email);
    await page.fill('input[name=password]', owner.password);
    await page.press('input[name=password]', 'Enter');
    await poll(() => text('.who-name')).toContain('/acme/');
    await page.click('nav >> text=Levels & keys');
    await poll(() => text('#level-1')).toContain('mock-a');
    expect(await health('mock-a')).toBe('healthy');

    await page.fill('#add-level-form input[name=id]', '2');
    await page.fill('#add-level-form input[name=name]', 'Fake pool');
    await page.click('#add-level-form button[type=submit]');
    await poll(() => page.locator('#level-2').count()).toBe(1);

    await page.fill('#add-key-form input[name=id]', 'fake-a');
    await page.selectOption('#add-key-form select[name=level_id]', '2');
    await page.selectOption('#add-key-form select[name=provider]', 'openai');
    await page.fill('#add-key-form input[name=base_url]', `${fake.url}/v1`);
    await page.fill('#add-key-form input[name=secret]', upstreamSecret);
    await page.fill('#add-key-form input[name=weight]', '3');
    await page.click('#add-key-form button[type=submit]');
    await poll(() => keyRow('fake-a').count()).toBe(1);
    // Write-only: the form is emptied, the list shows the last four characters only.
    expect(await page.inputValue('#add-key-form input[name=secret]')).toBe('');
    expect(await keyRow('fake-a').textContent()).toContain(`••••${upstreamSecret.slice(-4)}`);
    expect(await page.content()).not.toContain(upstreamSecret);
    expect(await page.inputValue('input[aria-label="Weight of fake-a"]')).toBe('3');

    await routeFakeModelsToLevel2();
    // The provider refuses the key once: the request fails over to level 2's switch-over (level 1).
    fake.script(upstreamSecret, [{ status: 401 }, {}]);
    const refused = await chat('fake-m');
    expect(refused.status).toBe(200);
    expect(refused.headers.get('x-switchyard-level')).toBe('1');
    expect(refused.headers.get('x-switchyard-switched-over')).toBe('1');
    await refused.text();
    // The health screen shows it disabled, with the provider's error, without a reload.
    await poll(() => health('fake-a')).toBe('disabled');
    expect(await keyRow('fake-a').textContent()).toMatch(/last error .*401/);
    await poll(() => text('#level-2 .alerts')).toContain('fake-a');
    await shoot('operator-keys-disabled');

    // Disabled, the key gets no traffic: level 2 has no usable key, level 1 answers.
    const skipped = await chat('fake-m');
    expect(skipped.headers.get('x-switchyard-level')).toBe('1');
    await skipped.text();

    await keyRow('fake-a').locator('button:has-text("Re-enable")').click();
    await poll(() => health('fake-a')).toBe('healthy');
    // Served by the key again (the pool's batch of picks is refreshed within a second).
    await poll(async () => {
      const res = await chat('fake-m');
      await res.text();
      return res.headers.get('x-switchyard-upstream-key');
    }).toBe('fake-a');

    // Weight and rotation are edited in place.
    await page.fill('input[aria-label="Weight of fake-a"]', '5');
    await keyRow('fake-a').locator('button:has-text("Save")').click();
    await poll(async () => {
      const { data } = await admin<{ data: { id: string; weight: number }[] }>('/admin/v1/upstream-keys');
      return data.find((k) => k.id === 'fake-a')?.weight;
    }).toBe(5);
    await poll(() => keyRow('mock-b').count()).toBe(1);
    // A controlled switch: it shows what the API stored, once the PATCH answered.
    await page.click('input[aria-label="mock-b in rotation"]');
    await poll(() => keyRow('mock-b').getAttribute('class')).toBe('revoked');
    expect(await page.isChecked('input[aria-label="mock-b in rotation"]')).toBe(false);
    await page.click('input[aria-label="mock-b in rotation"]');
    await poll(() => keyRow('mock-b').getAttribute('class')).toBe(null);
    await shoot('operator-keys');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the routing map says where each model goes', async () => {
    await page.click('nav >> text=Routing');
    const line = (model: string) => text(`li.route[data-model="${model}"]`);
    await poll(() => line('gpt-4o')).toContain('becomes mock-large');
    expect(await line('gpt-4o')).toMatch(
      /gpt-4o from Acme Corp becomes mock-large .* goes to level 1 · Mock pool/,
    );
    // fake-m is not priced yet: resolve it by name.
    await page.fill('#routing-map input[name=model]', 'fake-m');
    await page.press('#routing-map input[name=model]', 'Enter');
    await poll(() => new URL(page.url()).searchParams.get('model')).toBe('fake-m');
    await poll(() => line('fake-m')).toMatch(
      /fake-m from Acme Corp goes to level 2 · Fake pool .*then 1 · Mock pool/,
    );
    await shoot('routing-root');
    // Marketing allows only mock-small: gpt-4o (mapped to mock-large) is refused there.
    await page.selectOption('#routing-map select[name=account]', 'marketing');
    await poll(() => line('gpt-4o')).toContain('model_not_allowed');
    expect(await line('mock-small')).toContain('goes to level 1');
    await shoot('routing');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('a price catalogue is previewed as a diff, applied, and prices the next request', async () => {
    await page.click('nav >> text=Prices');
    await poll(() => text('#price-table')).toContain('mock-large');
    const catalogue = {
      sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of …', mode: 'one of …' },
      // New: 2 and 8 per million tokens.
      'fake-m': {
        input_cost_per_token: 2e-6,
        output_cost_per_token: 8e-6,
        litellm_provider: 'fake',
        mode: 'chat',
      },
      // Changed: the demo's 0.15 / 0.60 become 0.000469 / 0.60 (4.69e-10 × 10^12 is not 469 in floats).
      'mock-small': { input_cost_per_token: 4.69e-10, output_cost_per_token: 6e-7, litellm_provider: 'fake' },
      // Unchanged: the demo's 2.50 / 10.00 / cached 1.25.
      'mock-large': {
        input_cost_per_token: 2.5e-6,
        output_cost_per_token: 1e-5,
        cache_read_input_token_cost: 1.25e-6,
        litellm_provider: 'fake',
      },
      'gpt-4o': { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, litellm_provider: 'openai' },
    };
    await page.setInputFiles('#import input[type=file]', {
      name: 'model_prices_and_context_window.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(catalogue)),
    });
    await poll(() => page.locator('#import select[name=provider] option').allTextContents()).toEqual([
      'all providers',
      'fake',
      'openai',
    ]);
    await page.selectOption('#import select[name=provider]', 'fake');
    await page.click('#import button:has-text("Preview 3 entries")');
    await poll(() => text('#import-preview .diff-summary')).toContain('1 added');
    expect(await text('#import-preview .diff-summary')).toMatch(/1 added.*1 changed.*1 unchanged/);
    const changed = page.locator('#diff-changed tr[data-model="mock-small"]');
    expect(await changed.locator('del').first().textContent()).toBe('$0.15');
    expect(await changed.locator('ins').first().textContent()).toBe('$0.000469');
    expect(await text('#diff-added tr[data-model="fake-m"]')).toMatch(/\$2\.00.*\$8\.00/);
    expect(await text('#import-preview')).toContain('Unchanged: mock-large');
    // Nothing is written by a preview.
    const before = await admin<{ data: { model: string }[] }>('/admin/v1/prices');
    expect(before.data.map((p) => p.model)).not.toContain('fake-m');
    await shoot('prices-import-preview');

    await page.click('#import-preview button:has-text("Apply 2 prices")');
    await poll(() => text('#import-applied')).toContain('2 prices written');
    await poll(() => text('#price-table')).toContain('fake-m');
    const prices = await admin<{ data: { model: string; input: string; effective_from: string }[] }>(
      '/admin/v1/prices',
    );
    expect(prices.data.filter((p) => p.model === 'mock-small').map((p) => p.input)).toEqual([
      '0.15',
      '0.000469',
    ]);
    // A per-account override, set on the form: engineering's subtree pays less for mock-small.
    await page.fill('#set-price-form input[name=model]', 'mock-small');
    await page.fill('#set-price-form input[name=account]', 'engineering');
    await page.fill('#set-price-form input[name=input]', '0.1');
    await page.fill('#set-price-form input[name=output]', '0.4');
    await page.click('#set-price-form button[type=submit]');
    await poll(() => text('#price-table')).toContain('override: engineering');
    await shoot('prices');

    // The next request is charged at the imported price: 2 and 8 micro-units per token.
    const res = await chat('fake-m', 'what does this cost?');
    expect(res.status).toBe(200);
    await res.text();
    const metered = await meteredRequest(res.headers.get('x-request-id') ?? '');
    expect(metered.upstream_key_id).toBe('fake-a');
    expect(metered.prompt_tokens).toBeGreaterThan(0);
    expect(metered.cost_micros).toBe(2 * metered.prompt_tokens + 8 * metered.completion_tokens);
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the playground streams an answer with usage, cost and routing, in each protocol', async () => {
    await page.click('nav >> text=Playground');
    await page.click('#playground-create-key');
    await poll(() => page.locator('#playground-form select[name=key] option').count()).toBe(1);
    expect(await text('#playground-form select[name=key]')).toContain('playground');
    // The models the key may use, from GET /v1/models.
    await poll(() => page.locator('#playground-models option').count()).toBeGreaterThan(0);

    await page.fill('#playground-form input[name=model]', 'fake-m');
    await page.fill('#playground-form textarea[name=prompt]', 'stream me an answer');
    await page.click('#playground-form button[type=submit]');
    await poll(() => text('#playground-routing')).toContain('level 2 · upstream key fake-a');
    await poll(() => text('#playground-answer')).not.toBe('Nothing sent yet.');
    await poll(() => text('#playground-usage')).toMatch(/^[1-9]\d* in · [1-9]\d* out$/);
    await poll(() => text('#playground-cost'), 25_000).toMatch(/^\$0\.\d+$/);
    const usage = (await text('#playground-usage')).match(/^(\d+) in · (\d+) out$/);
    const [input, output] = [Number(usage?.[1]), Number(usage?.[2])];
    // The price imported above: 2 and 8 micro-units per token.
    expect(await text('#playground-cost')).toBe(
      new Intl.NumberFormat('en', {
        style: 'currency',
        currency: 'USD',
        minimumFractionDigits: 2,
        maximumFractionDigits: 6,
      }).format((2 * input + 8 * output) / 1e6),
    );
    expect(await text('#playground-metered')).toContain('fake-m via openai');
    const answer = await text('#playground-answer');
    const upstream = fake.requests.at(-1);
    expect(upstream?.body).toMatchObject({ model: 'fake-m', stream: true });
    expect(answer.length).toBeGreaterThan(0);
    await shoot('playground');

    for (const protocol of ['anthropic', 'gemini'] as const) {
      await page.selectOption('#playground-form select[name=protocol]', protocol);
      await page.fill('#playground-form input[name=model]', 'mock-small');
      await page.click('#playground-form button[type=submit]');
      await poll(() => text('#playground-routing')).toMatch(/level 1 · upstream key mock-[ab]/);
      await poll(() => text('#playground-answer')).toContain('mock-small');
      await poll(() => text('#playground-usage')).toMatch(/^[1-9]\d* in · [1-9]\d* out$/);
      await poll(() => text('#playground-cost'), 25_000).toMatch(/^\$0\.\d+$/);
    }
    await shoot('playground-gemini');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the audit log shows those writes with before and after, and filters them', async () => {
    await page.click('nav >> text=Audit log');
    await poll(() => page.locator('#audit-results tbody tr').count()).toBeGreaterThan(5);

    await page.fill('#audit-filters-form input[name=action]', 'price.import');
    await page.click('#audit-filters-form button[type=submit]');
    await poll(() => new URL(page.url()).searchParams.get('action')).toBe('price.import');
    await poll(() => page.locator('#audit-results tr[data-action]').count()).toBe(2);
    expect(
      new Set(
        await page
          .locator('#audit-results tr[data-action]')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action'))),
      ),
    ).toEqual(new Set(['price.import']));
    // The changed price: before and after side by side, the changed amount marked.
    const rows = page.locator('#audit-results tr[data-action]');
    for (let i = 0; i < 2; i++) {
      await rows.nth(i).click();
      const detail = page.locator('.audit-detail');
      if ((await detail.textContent())?.includes('mock-small')) break;
      await rows.nth(i).click();
    }
    const input = page.locator('.audit-detail tr[data-field="inputPerMtok"]');
    await poll(() => input.getAttribute('class')).toBe('changed-row');
    expect(await input.locator('td').allTextContents()).toEqual(['150000', '469']);
    await shoot('audit-price-import');

    // The upstream key's writes: created (secret redacted), re-enabled (health before and after).
    await page.fill('#audit-filters-form input[name=action]', 'upstream_key.');
    await page.fill('#audit-filters-form input[name=target]', 'fake-a');
    await page.click('#audit-filters-form button[type=submit]');
    await poll(() => page.locator('#audit-results tr[data-action]').count()).toBe(3);
    expect(
      await page
        .locator('#audit-results tr[data-action]')
        .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action'))),
    ).toEqual(['upstream_key.update', 'upstream_key.enable', 'upstream_key.create']);
    await page.click('#audit-results tr[data-action="upstream_key.enable"]');
    const healthRow = page.locator('.audit-detail tr[data-field="health"]');
    await poll(() => healthRow.count()).toBe(1);
    const [wasHealth, nowHealth] = await healthRow.locator('td').allTextContents();
    expect(JSON.parse(wasHealth ?? '')).toMatchObject({ disabled: true });
    expect(nowHealth).toBe('null');
    await page.click('#audit-results tr[data-action="upstream_key.enable"]');
    await page.click('#audit-results tr[data-action="upstream_key.create"]');
    await poll(() => page.locator('.audit-detail .badge.redacted').count()).toBeGreaterThan(0);
    expect(await text('.audit-detail tr[data-field="ciphertext"]')).toContain('[redacted]');
    expect(await page.content()).not.toContain(upstreamSecret);
    await shoot('audit-upstream-key');

    // By actor: the owner's own writes (a user), not the bootstrap token's policy change.
    await page.click('#audit-filters-form button:has-text("Clear")');
    await poll(() => new URL(page.url()).search).toBe('');
    await page.fill('#audit-filters-form input[name=actor]', 'bootstrap');
    await page.fill('#audit-filters-form input[name=action]', 'account.policy.update');
    await page.click('#audit-filters-form button[type=submit]');
    await poll(() => page.locator('#audit-results tr[data-action]').count()).toBeGreaterThan(0);
    await page.fill('#audit-filters-form input[name=actor]', 'user');
    await page.click('#audit-filters-form button[type=submit]');
    await poll(() => text('#audit-entries')).toContain('Nothing here yet.');
    // By time: nothing before the gateway started.
    await page.click('#audit-filters-form button:has-text("Clear")');
    await page.fill('#audit-filters-form input[name=until]', '2020-01-01T00:00');
    await page.click('#audit-filters-form button[type=submit]');
    await poll(() => new URL(page.url()).searchParams.get('until')).toMatch(/^2020-01-01T/);
    await poll(() => text('#audit-entries')).toContain('Nothing here yet.');
    await page.click('#audit-filters-form button:has-text("Clear")');
    await poll(() => page.locator('#audit-results tbody tr').count()).toBeGreaterThan(5);
    await shoot('audit');
    expect(unexpectedErrors()).toEqual([]);
  });

  test('the operator screens in Chinese, and on a phone', async () => {
    await page.selectOption('select[aria-label="Language"]', 'zh-CN');
    for (const [nav, name, title] of [
      ['级别与密钥', 'operator-keys-zh', '级别与上游密钥'],
      ['路由', 'routing-zh', '路由'],
      ['价格', 'prices-zh', '价格'],
      ['审计日志', 'audit-zh', '审计日志'],
      ['调试台', 'playground-zh', '调试台'],
    ] as const) {
      await page.click(`nav >> text=${nav}`);
      await poll(() => text('#main h1')).toBe(title);
      await page.waitForTimeout(300);
      await shoot(name);
    }
    await page.selectOption('select[aria-label="语言"]', 'en');
    // On a phone the wide tables scroll inside their cards; the page itself does not.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [nav, id] of [
      ['Levels & keys', '#operator-keys'],
      ['Routing', '#routing'],
      ['Prices', '#prices'],
      ['Audit log', '#audit'],
      ['Playground', '#playground'],
    ] as const) {
      await page.click(`nav >> text=${nav}`);
      await poll(() => page.locator(id).isVisible()).toBe(true);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow of ${nav} on a phone`).toBeLessThanOrEqual(0);
    }
    await shoot('playground-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(unexpectedErrors()).toEqual([]);
  });
});
