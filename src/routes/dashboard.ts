// The dashboard's pages for requests that reached the Worker without matching a route. Only the
// dashboard's built files skip the Worker (wrangler.toml `run_worker_first`), so every API-shaped
// path — `//v1//chat//completions`, `POST /chat/completions`, `/V1/models` — gets an error in the
// caller's shape from the Worker rather than an empty 405 from the asset router. A GET outside the
// API prefixes (in any letter case) still gets the dashboard's assets: pages, the favicon.
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';

const API_PREFIXES = ['/v1', '/admin'];

export function dashboardPage(c: Context<AppEnv>): Promise<Response> | null {
  const req = c.req.raw;
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const path = c.req.path.toLowerCase();
  if (API_PREFIXES.some((p) => path.startsWith(p)) || path.includes('//')) return null;
  // The benchmark runs the Worker without assets.
  const assets = (c.env as Partial<Env>).ASSETS;
  return assets ? assets.fetch(req) : null;
}
