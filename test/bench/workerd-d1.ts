// The benchmark's D1 on plain `workerd serve` (workerd has no D1 service of its own; on Cloudflare
// D1 is the platform's). workerd's D1 binding is the `cloudflare-internal:d1-api` module wrapped
// around a `fetcher` service: `prepare().all()/raw()/first()` POST `/query`, `run()` `/execute`,
// `batch()` an array of statements to `/query`, each with `?resultsFormat=` ROWS_AND_COLUMNS, NONE
// or ARRAY_OF_OBJECTS. This Worker is that service: one SQLite-backed Durable Object holds the
// database (`ctx.storage.sql`, on local disk); the entry hands it every request. A batch runs in one
// transaction, as D1's does. It answers what d1-api reads — `results`, `meta` (changes, last_row_id,
// rows_read/written, size_after, duration, changed_db), `{ success: false, error }` on failure — and
// not D1's dump/export, sessions across replicas or its size and time limits.
// Compiled by workerd-serve.ts with esbuild; the bench also POSTs `/query` on loopback (migrations,
// the metering check).

interface SqlCursor extends Iterable<Record<string, SqlValue>> {
  readonly columnNames: string[];
  readonly rowsRead: number;
  readonly rowsWritten: number;
  raw(): IterableIterator<SqlValue[]>;
  one(): Record<string, SqlValue>;
}
type SqlValue = string | number | null | ArrayBuffer;
interface DoState {
  storage: {
    sql: { exec(query: string, ...bindings: unknown[]): SqlCursor; readonly databaseSize: number };
    transactionSync<T>(fn: () => T): T;
    getCurrentBookmark?(): Promise<string>;
  };
}
interface DoNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

type Format = 'ROWS_AND_COLUMNS' | 'ARRAY_OF_OBJECTS' | 'NONE';
interface Query {
  sql: string;
  params?: unknown[] | null;
}

const BOOKMARK_HEADER = 'x-cf-d1-session-commit-token';

/** d1-api sends blobs as arrays of byte values; SQLite takes them as bytes. */
function param(v: unknown): unknown {
  return Array.isArray(v) ? new Uint8Array(v as number[]) : v;
}
/** …and expects them back the same way. */
function cell(v: SqlValue): unknown {
  return v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v;
}

export class D1Shim {
  private readonly sql: DoState['storage']['sql'];

  constructor(private readonly state: DoState) {
    this.sql = state.storage.sql;
  }

  private counters(): { total: number; lastRowId: number } {
    const row = this.sql.exec('SELECT total_changes() AS total, last_insert_rowid() AS lastRowId').one();
    return { total: Number(row['total']), lastRowId: Number(row['lastRowId']) };
  }

  private run(format: Format, q: Query, before: { total: number; lastRowId: number }) {
    const t0 = performance.now();
    const sizeBefore = this.sql.databaseSize;
    const cursor = this.sql.exec(q.sql, ...(q.params ?? []).map(param));
    const columns = cursor.columnNames;
    const rows = [...cursor.raw()].map((r) => r.map(cell));
    const after = this.counters();
    const sizeAfter = this.sql.databaseSize;
    const changes = after.total - before.total;
    const results =
      format === 'NONE'
        ? undefined
        : format === 'ROWS_AND_COLUMNS'
          ? { columns, rows }
          : rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    return {
      answer: {
        success: true,
        ...(results === undefined ? {} : { results }),
        meta: {
          served_by: 'switchyard-bench-d1',
          duration: performance.now() - t0,
          changes,
          last_row_id: after.lastRowId,
          changed_db: changes !== 0 || sizeAfter !== sizeBefore,
          size_after: sizeAfter,
          rows_read: cursor.rowsRead,
          rows_written: cursor.rowsWritten,
        },
      },
      after,
    };
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== 'POST' || (url.pathname !== '/query' && url.pathname !== '/execute'))
      return Response.json({ success: false, error: `not supported: ${request.method} ${url.pathname}` });
    const raw = url.searchParams.get('resultsFormat');
    const format: Format = raw === 'ROWS_AND_COLUMNS' || raw === 'NONE' ? raw : 'ARRAY_OF_OBJECTS';
    let answer: unknown;
    try {
      const body = (await request.json()) as Query | Query[];
      const queries = (Array.isArray(body) ? body : [body]).filter((q) => q.sql.trim() !== '');
      if (queries.length === 0) throw new Error('No SQL statements detected.');
      // D1 runs a batch as one transaction: a failing statement rolls back the ones before it.
      const answers = this.state.storage.transactionSync(() => {
        let counters = this.counters();
        return queries.map((q) => {
          const { answer: a, after } = this.run(format, q, counters);
          counters = after;
          return a;
        });
      });
      answer = Array.isArray(body) ? answers : answers[0];
    } catch (err) {
      // d1-api reads the first result's `success` and throws `D1_ERROR: <error>` in the caller.
      answer = { success: false, error: err instanceof Error ? err.message : String(err), meta: {} };
    }
    const bookmark = await this.state.storage.getCurrentBookmark?.();
    return Response.json(answer, bookmark ? { headers: { [BOOKMARK_HEADER]: bookmark } } : {});
  }
}

export default {
  fetch(request: Request, env: { DATABASE: DoNamespace }): Promise<Response> {
    return env.DATABASE.get(env.DATABASE.idFromName('db')).fetch(request);
  },
};
