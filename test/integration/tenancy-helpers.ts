// Admin API clients for the tenancy tests: the bootstrap token, management tokens and signed-in
// dashboard sessions (cookie + CSRF header), all against the real Worker and D1.
import { createExecutionContext, env } from 'cloudflare:test';
import worker from '../../src';
import type { PolicyFileInput } from '../../src/policy/file-schema';
import { ADMIN_TOKEN } from './helpers';

/**
 * Calls the Worker's fetch handler directly. The tenancy tests send hundreds of admin requests per
 * file, and through `exports.default.fetch` each call gets slower than the last (a /healthz call
 * grows from ~3 ms to ~120 ms over 600 calls in this pool version), which this path avoids.
 */
export function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(`http://gateway.test${path}`, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  return Promise.resolve(worker.fetch(request, env, createExecutionContext()));
}

export interface Caller {
  label: string;
  /** Sends one admin request as this caller. */
  send(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export function bearer(token: string, label = 'token'): Caller {
  return {
    label,
    send: (path, init = {}) =>
      call(path, {
        ...init,
        headers: { ...Object.fromEntries(new Headers(init.headers)), authorization: `Bearer ${token}` },
      }),
  };
}

export const root = bearer(ADMIN_TOKEN, 'bootstrap');

export interface Session extends Caller {
  cookie: string;
  csrf: string;
}

/** Parses the Set-Cookie headers of a login response into `name → {value, attributes}`. */
export function cookiesOf(res: Response): Map<string, { value: string; attributes: string[] }> {
  const out = new Map<string, { value: string; attributes: string[] }>();
  for (const line of res.headers.getAll('set-cookie')) {
    const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), { value: pair.slice(eq + 1), attributes });
  }
  return out;
}

export async function login(email: string, password: string): Promise<Session> {
  const res = await call('/admin/v1/auth/login', { method: 'POST', json: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookies = cookiesOf(res);
  const session = cookies.get('sy_session')?.value ?? '';
  const csrf = cookies.get('sy_csrf')?.value ?? '';
  const cookie = `sy_session=${session}; sy_csrf=${csrf}`;
  return {
    label: email,
    cookie,
    csrf,
    send: (path, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      headers.set('x-csrf-token', csrf);
      return call(path, { ...init, headers });
    },
  };
}

export async function ok<T = Record<string, unknown>>(
  res: Promise<Response> | Response,
  status = 200,
): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function errorOf(res: Promise<Response> | Response) {
  const r = await res;
  const body = (await r.json()) as { error: { code: string; message: string; param: string | null } };
  return { status: r.status, ...body.error };
}

/** Root A with children B and C, and D under B; one mock level. */
export function treePolicy(extra: Partial<PolicyFileInput> = {}): PolicyFileInput {
  return {
    version: 1,
    accounts: [
      {
        id: 'a',
        name: 'A',
        timezone: 'UTC',
        level: 1,
        policy: {
          allow_models: ['mock-*', 'fake-*'],
          model_mapper: { fast: 'mock-small' },
          level_mapper: { 'mock-*': 1 },
          limits: { rpm: 1000, tpm: 1_000_000, daily_budget: '100' },
        },
      },
      { id: 'b', parent: 'a', name: 'B', policy: {} },
      { id: 'c', parent: 'a', name: 'C', policy: {} },
      { id: 'd', parent: 'b', name: 'D', policy: {} },
    ],
    levels: [{ id: 1, name: 'mock', keys: [{ id: 'mock-1', provider: 'mock' }] }],
    ...extra,
  };
}

export const PASSWORD = 'correct horse battery staple';
