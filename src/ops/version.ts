// What is deployed (operations): the code's revision, and the schema level the database
// is at against the one this code was built for. Migrations are forward-only and applied before
// the code that needs them, so `pending` should be empty; `ahead` is a database migrated past this
// code (a rollback of the code, which is allowed when the newer migrations only added things).
import journal from '../../d1-migrations/meta/_journal.json';

export interface SchemaLevel {
  /** The last migration this code was built with, e.g. `0001_usage_charges`. */
  expected: string | null;
  /** The last migration recorded in the database (`d1_migrations`, written by wrangler). */
  applied: string | null;
  /** Migrations this code expects that the database lacks: apply them before this code serves. */
  pending: string[];
  /** Migrations in the database this code does not know (the database is ahead of the code). */
  ahead: string[];
}

/** Migration names (file names without `.sql`) this build ships, in order. */
export const builtMigrations: readonly string[] = journal.entries
  .slice()
  .sort((a, b) => a.idx - b.idx)
  .map((e) => e.tag);

/** Pure: the schema level from the names the database recorded (`0000_init.sql`, …). */
export function schemaLevel(built: readonly string[], recorded: readonly string[]): SchemaLevel {
  const applied = recorded.map((n) => n.replace(/\.sql$/, ''));
  return {
    expected: built.at(-1) ?? null,
    applied: applied.at(-1) ?? null,
    pending: built.filter((m) => !applied.includes(m)),
    ahead: applied.filter((m) => !built.includes(m)),
  };
}

/** The names wrangler recorded; none when the table does not exist (never migrated). */
export async function recordedMigrations(db: D1Database): Promise<string[]> {
  try {
    const { results } = await db
      .prepare('SELECT name FROM d1_migrations ORDER BY id')
      .all<{ name: string }>();
    return results.map((r) => r.name);
  } catch {
    return [];
  }
}
