// Scheduled job (C9): deletes raw usage events past the retention period. Rollups are kept.
export async function applyRetention(db: D1Database, retentionDays: number, now: number): Promise<number> {
  const cutoff = now - retentionDays * 86_400_000;
  const result = await db.prepare('DELETE FROM usage_events WHERE ts < ?').bind(cutoff).run();
  return result.meta.changes ?? 0;
}
