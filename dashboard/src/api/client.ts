// The admin API client: openapi-fetch over the types generated from /admin/v1/openapi.json
// (schema.gen.ts), so no API type is written here. Same origin as the gateway: no base URL, no CORS.
// Credentials: a management token (sessionStorage, Bearer) or the session cookie, whose CSRF
// partner cookie is echoed on every write. A 401 means the sign-in is gone: the app is told once.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

export type { paths };
export type Schemas = components['schemas'];

const TOKEN_KEY = 'switchyard.token';
const CSRF_COOKIE = 'sy_csrf';

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function csrfCookie(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Headers every admin call carries. */
export function authHeaders(method = 'GET'): Record<string, string> {
  const bearer = token.get();
  if (bearer) return { authorization: `Bearer ${bearer}` };
  const csrf = csrfCookie();
  return method === 'GET' || method === 'HEAD' || !csrf ? {} : { 'x-csrf-token': csrf };
}

let unauthorized: () => void = () => {};
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    for (const [k, v] of Object.entries(authHeaders(request.method))) request.headers.set(k, v);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/auth/login')) unauthorized();
    return response;
  },
};

export const api = createClient<paths, 'application/json'>({
  baseUrl: location.origin,
  credentials: 'same-origin',
});
api.use(auth);

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly param?: string | null,
  ) {
    super(message);
  }
}

type ErrorBody = { error?: { message?: string; code?: string; param?: string | null } };

/** The `data` of an openapi-fetch call, or an ApiError with the gateway's message. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const e = (error ?? {}) as ErrorBody;
  throw new ApiError(
    e.error?.message ?? `HTTP ${response.status}`,
    response.status,
    e.error?.code,
    e.error?.param,
  );
}

/** Fetches an export (CSV, NDJSON) with the caller's credentials and saves it as a file. */
export async function download(path: string, query: Record<string, string>, filename: string): Promise<void> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query)) if (v !== '') url.searchParams.set(k, v);
  const res = await fetch(url, { headers: authHeaders(), credentials: 'same-origin' });
  if (res.status === 401) unauthorized();
  if (!res.ok) throw new ApiError(`HTTP ${res.status}`, res.status, undefined);
  saveBlob(await res.blob(), filename);
}

export function saveBlob(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
