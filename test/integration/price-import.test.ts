// The operator's console API (#16 part 2): a LiteLLM price catalogue previewed as a diff and
// applied (the next request is charged at the new price), the audit log's filters, and the routing
// decision on a proxied answer's headers.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, chat, eventually, newKey } from './helpers';
import { bearer, errorOf, ok, root, treePolicy } from './tenancy-helpers';

const key = newKey();
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  await applyPolicy(
    treePolicy({
      gateway_keys: [{ id: 'k-d', account: 'd', name: 'app', key_env: 'K' }],
      prices: [
        { model: 'mock-small', input: '0.15', output: '0.6' },
        { model: 'mock-large', input: '2.5', output: '10' },
      ],
    }),
    { gatewayKeys: { 'k-d': key } },
  );
});

const catalogue = {
  sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of …', mode: 'one of …' },
  // Unchanged: 0.15 and 0.60 per million tokens.
  'mock-small': { input_cost_per_token: 1.5e-7, output_cost_per_token: 6e-7, litellm_provider: 'mock' },
  // Changed: input 2.5 → 4.69e-10 × 10^6 = 0.000469 per million tokens (float math would miss it).
  'mock-large': {
    input_cost_per_token: 4.69e-10,
    output_cost_per_token: 0.00002,
    cache_read_input_token_cost: 1.25e-6,
    litellm_provider: 'mock',
    mode: 'chat',
  },
  'gpt-4o': { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, litellm_provider: 'openai' },
  'text-embedding-3-small': { input_cost_per_token: 2e-8, litellm_provider: 'openai', mode: 'embedding' },
  'dall-e-3': { output_cost_per_image: 0.04, litellm_provider: 'openai', mode: 'image_generation' },
};

type Result = {
  added: { model: string; after: { input: string; per_image: string | null } }[];
  changed: { model: string; fields: string[]; before: { input: string }; after: Record<string, string> }[];
  unchanged: { model: string }[];
  skipped: { model: string; reason: string }[];
  applied: boolean;
  written: string[];
};

describe('price catalogue import', () => {
  it('previews a diff with exact amounts, writes nothing, then applies', async () => {
    const preview = await ok<Result>(
      root.send('/admin/v1/prices/import', {
        method: 'POST',
        json: { catalogue, effective_from: today },
      }),
    );
    expect(preview.applied).toBe(false);
    expect(preview.unchanged.map((c) => c.model)).toEqual(['mock-small']);
    expect(preview.changed).toHaveLength(1);
    expect(preview.changed[0]).toMatchObject({
      model: 'mock-large',
      fields: ['input', 'output', 'cached_read'],
      before: { input: '2.5' },
      after: { input: '0.000469', output: '20', cached_read: '1.25' },
    });
    expect(preview.added.map((c) => c.model)).toEqual(['gpt-4o', 'text-embedding-3-small']);
    expect(preview.skipped).toEqual([
      { model: 'sample_spec', reason: 'sample_spec' },
      { model: 'dall-e-3', reason: 'no_token_prices' },
    ]);
    const before = await ok<{ data: { model: string; input: string }[] }>(root.send('/admin/v1/prices'));
    expect(before.data.map((p) => p.model).sort()).toEqual(['mock-large', 'mock-small']);

    // Only some models, applied.
    const applied = await ok<Result>(
      root.send('/admin/v1/prices/import', {
        method: 'POST',
        json: { catalogue, effective_from: today, models: ['mock-large', 'mock-small'], dry_run: false },
      }),
    );
    expect(applied.applied).toBe(true);
    expect(applied.written).toHaveLength(1);
    const after = await ok<{
      data: { model: string; input: string; output: string; effective_from: string }[];
    }>(root.send('/admin/v1/prices'));
    expect(after.data.filter((p) => p.model === 'mock-large')).toMatchObject([
      { effective_from: '1970-01-01', input: '2.5' },
      { effective_from: today, input: '0.000469', output: '20' },
    ]);
    // Applying again changes nothing.
    const again = await ok<Result>(
      root.send('/admin/v1/prices/import', {
        method: 'POST',
        json: { catalogue, effective_from: today, models: ['mock-large'], dry_run: false },
      }),
    );
    expect(again).toMatchObject({ applied: true, written: [], changed: [], added: [] });

    // The next request is charged at the new price: 20 per million output tokens.
    const res = await chat(key, { model: 'mock-large', messages: [{ role: 'user', content: 'price me' }] });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    const row = await eventually(async () => {
      const r = await env.DB.prepare(
        'SELECT prompt_tokens, completion_tokens, cost_micros FROM usage_events WHERE request_id = ?',
      )
        .bind(requestId)
        .first<{ prompt_tokens: number; completion_tokens: number; cost_micros: number }>();
      return r ?? undefined;
    });
    expect(row.cost_micros).toBe(
      Math.round((row.prompt_tokens * 469 + row.completion_tokens * 20_000_000) / 1e6),
    );
  });

  it("is the root's: a child account's token is refused, even for a preview", async () => {
    const token = await ok<{ token: string }>(
      root.send('/admin/v1/accounts/b/tokens', {
        method: 'POST',
        json: { name: 'ops', scopes: ['catalog:write'] },
      }),
      201,
    );
    const b = bearer(token.token);
    const err = await errorOf(
      b.send('/admin/v1/prices/import', { method: 'POST', json: { catalogue, effective_from: today } }),
    );
    expect(err).toMatchObject({ status: 403, code: 'root_required' });
  });

  it('answers a malformed catalogue or date with a 400 in the admin shape, writing nothing', async () => {
    const before = await ok<{ data: unknown[] }>(root.send('/admin/v1/prices?limit=100'));
    for (const json of [
      { catalogue: 'not an object', effective_from: today },
      { catalogue: [1, 2], effective_from: today },
      { catalogue, effective_from: 'yesterday' },
    ]) {
      const res = await root.send('/admin/v1/prices/import', { method: 'POST', json });
      expect(res.status, JSON.stringify(json)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(json)).toBeLessThan(500);
      const err = await errorOf(res);
      expect(err.code, JSON.stringify(json)).toMatch(/^[a-z_]+$/);
      expect(err.message.length).toBeGreaterThan(0);
    }
    const bad = await root.send('/admin/v1/prices/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"catalogue": {',
    });
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: 'invalid_json' });
    // An entry whose price is not a number is skipped with its reason, not written.
    const skipped = await ok<{ skipped: { model: string }[]; written: string[] }>(
      root.send('/admin/v1/prices/import', {
        method: 'POST',
        json: { catalogue: { m: { input_cost_per_token: 'cheap' } }, effective_from: today, dry_run: false },
      }),
    );
    expect(skipped.skipped.map((x) => x.model)).toEqual(['m']);
    expect(skipped.written).toEqual([]);
    const after = await ok<{ data: unknown[] }>(root.send('/admin/v1/prices?limit=100'));
    expect(after.data).toHaveLength(before.data.length);
  });
});

describe('audit log filters', () => {
  it('filters by action family, exact action, target, actor and time', async () => {
    type Page = {
      data: { action: string; target_id: string; actor_type: string; before: unknown; after: unknown }[];
    };
    const imports = await ok<Page>(root.send('/admin/v1/audit?action=price.import'));
    expect(imports.data).toHaveLength(1);
    expect(imports.data[0]).toMatchObject({
      action: 'price.import',
      before: { model: 'mock-large', inputPerMtok: 2_500_000 },
      after: { model: 'mock-large', inputPerMtok: 469 },
    });
    const family = await ok<Page>(root.send('/admin/v1/audit?action=price.'));
    expect(new Set(family.data.map((r) => r.action))).toEqual(new Set(['price.import']));
    const target = imports.data[0]?.target_id ?? '';
    expect((await ok<Page>(root.send(`/admin/v1/audit?target=${target}`))).data).toHaveLength(1);
    expect(
      (await ok<Page>(root.send('/admin/v1/audit?actor=bootstrap&action=price.import'))).data,
    ).toHaveLength(1);
    expect(
      (await ok<Page>(root.send('/admin/v1/audit?actor=someone-else&action=price.import'))).data,
    ).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await ok<Page>(root.send(`/admin/v1/audit?since=${future}`))).data).toHaveLength(0);
    expect(
      (await ok<Page>(root.send(`/admin/v1/audit?until=${future}&action=price.import`))).data,
    ).toHaveLength(1);
  });
});

describe('routing headers', () => {
  it('name the level and upstream key that served', async () => {
    const res = await chat(key, {
      model: 'mock-small',
      messages: [{ role: 'user', content: 'who served?' }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-level')).toBe('1');
    expect(res.headers.get('x-switchyard-upstream-key')).toBe('mock-1');
    expect(res.headers.get('x-switchyard-retries')).toBe('0');
    expect(res.headers.get('x-switchyard-switched-over')).toBe('0');
    await res.text();
  });
});

describe('routing map', () => {
  it("resolves the account's models the way requests are", async () => {
    const map = await ok<{
      default_level: { value: number; source: string } | null;
      data: { requested: string; model: string; level: number | null; refused: string | null }[];
    }>(root.send('/admin/v1/accounts/d/routes?model=other-model'));
    expect(map.default_level).toEqual({ value: 1, source: 'account:a' });
    const by = new Map(map.data.map((r) => [r.requested, r]));
    expect(by.get('fast')).toMatchObject({
      model: 'mock-small',
      level: 1,
      mapped_by: 'account:a',
      refused: null,
    });
    expect(by.get('mock-large')).toMatchObject({
      model: 'mock-large',
      level: 1,
      mapped_by: null,
      refused: null,
    });
    expect(by.get('other-model')).toMatchObject({ refused: 'model_not_allowed' });
  });
});
