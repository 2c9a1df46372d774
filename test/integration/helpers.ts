// Drives the real gateway Worker (same isolate, real bindings) the way a client would.
import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import type { PolicyFileInput } from '../../src/policy/file-schema';

export const ADMIN_TOKEN = 'sya_test_admin_token';

export function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  return exports.default.fetch(
    new Request(`http://gateway.test${path}`, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    }),
  );
}

export async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const newKey = () => `sy_test_${crypto.randomUUID().replaceAll('-', '')}`;

/** Applies a policy through the admin API; `gatewayKeys` maps gateway key id → key. */
export async function applyPolicy(
  policy: PolicyFileInput,
  opts: {
    gatewayKeys?: Record<string, string>;
    upstreamKeys?: Record<string, string>;
    dryRun?: boolean;
  } = {},
) {
  const gateway_keys: Record<string, { hash: string; prefix: string }> = {};
  for (const [id, key] of Object.entries(opts.gatewayKeys ?? {}))
    gateway_keys[id] = { hash: await sha256Hex(key), prefix: key.slice(0, 10) };
  const res = await call('/admin/v1/policy/apply', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    json: {
      policy,
      secrets: { gateway_keys, upstream_keys: opts.upstreamKeys ?? {} },
      dry_run: opts.dryRun ?? false,
    },
  });
  const body = (await res.json()) as {
    changes: { entity: string; id: string; op: string; fields: string[] }[];
    applied: boolean;
  };
  if (res.status !== 200) throw new Error(`policy apply failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export function chat(key: string, body: Record<string, unknown>): Promise<Response> {
  return call('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    json: body,
  });
}

/** Polls until `check` returns a value (the Queue consumer runs asynchronously, ~1 s batches). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function rollups(accountId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM usage_daily WHERE account_id = ? ORDER BY model')
    .bind(accountId)
    .all<Record<string, number | string>>();
  return results;
}
