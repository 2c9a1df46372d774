// Admin API calls. Same origin as the gateway, so no CORS and no base URL to configure.
export interface DailyRow {
  accountId: string;
  day: string;
  model: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

export class ApiError extends Error {}

export async function fetchDailyUsage(token: string): Promise<DailyRow[]> {
  const res = await fetch('/admin/v1/usage/daily', { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { data?: DailyRow[]; error?: { message: string } };
  if (!res.ok) throw new ApiError(body.error?.message ?? `HTTP ${res.status}`);
  return body.data ?? [];
}

/** Micro-units → "$0.001234" (money stays integer until display). */
export function formatMoney(micros: number): string {
  const whole = Math.trunc(micros / 1_000_000);
  const frac = String(micros % 1_000_000).padStart(6, '0');
  return `$${whole}.${frac}`;
}
