// How an upstream answer affects the key that served it (routing and key pools), pure.
import type { Outcome } from '../../durable-objects/round-robin';

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The key's outcome for an upstream status, or null when the request (not the key) was at fault. */
export function outcomeForStatus(status: number, retryAfter: string | null, now: number): Outcome | null {
  if (status < 400) return { kind: 'ok' };
  if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(retryAfter, now) };
  if (status === 401 || status === 403) return { kind: 'auth_failed', status };
  if (status >= 500) return { kind: 'server_error' };
  return null;
}
