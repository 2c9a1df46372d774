// Scheduled job (usage pipeline): deletes raw usage events past the retention period. Rollups are kept.

/** Used when USAGE_EVENT_RETENTION_DAYS is unset or not a positive whole number of days. */
export const DEFAULT_RETENTION_DAYS = 90;

/** Days raw usage events are kept: the job deletes by it, the request log shows it. */
// A plain string: deployments set any value, whatever wrangler.toml's literal types say.
export function retentionDays(env: { USAGE_EVENT_RETENTION_DAYS?: string }): number {
  const days = Number(env.USAGE_EVENT_RETENTION_DAYS);
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}

export async function applyRetention(db: D1Database, retentionDays: number, now: number): Promise<number> {
  const cutoff = now - retentionDays * 86_400_000;
  const result = await db.prepare('DELETE FROM usage_events WHERE ts < ?').bind(cutoff).run();
  return result.meta.changes ?? 0;
}
