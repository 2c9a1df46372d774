// CSV and NDJSON export of the request log (analytics): the same filters as the list, streamed page by
// page over the keyset, so memory stays flat however long the range; D1 is read as the client
// reads. Past EXPORT_MAX_ROWS the stream fails rather than end as if complete.
import type { AdminContext } from '../tenancy/context';
import { EVENT_COLUMNS } from '../usage/record';
import type { Keyset } from './request-plan';
import { parseCursor, type RequestQuery, requestPage, resolveFilters } from './requests';
import { csvLine } from './views';

export type ExportFormat = 'csv' | 'ndjson';

/** About what a Worker formats in its CPU allowance; narrow the range for more. */
export const EXPORT_MAX_ROWS = 1_000_000;
const EXPORT_PAGE = 500;

export interface RequestExport {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  filename: string;
}

export async function exportRequests(
  ctx: AdminContext,
  q: RequestQuery,
  timeZone: string,
  format: ExportFormat,
  maxRows = EXPORT_MAX_ROWS,
): Promise<RequestExport> {
  // Validated before the first byte: a bad filter is a 4xx, not a broken download.
  const filters = await resolveFilters(ctx, q, timeZone);
  let after: Keyset | undefined = parseCursor(q.cursor);
  let sent = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === 'csv') controller.enqueue(encoder.encode(csvLine(EVENT_COLUMNS)));
      },
      async pull(controller) {
        let page: Awaited<ReturnType<typeof requestPage>>;
        try {
          page = await requestPage(ctx, filters, timeZone, after, Math.min(EXPORT_PAGE, maxRows - sent));
        } catch (err) {
          // D1's message can carry the statement; the log gets the request id, not the text.
          console.error(
            JSON.stringify({
              msg: 'request export failed',
              request_id: ctx.requestId,
              error: err instanceof Error ? err.name : typeof err,
            }),
          );
          controller.error(new Error('request export failed'));
          return;
        }
        const text = page.data
          .map((e) => (format === 'csv' ? csvLine(EVENT_COLUMNS.map((c) => e[c])) : `${JSON.stringify(e)}\n`))
          .join('');
        if (text) controller.enqueue(encoder.encode(text));
        sent += page.data.length;
        const last = page.data.at(-1);
        if (!page.nextCursor || !last) return controller.close();
        if (sent >= maxRows)
          return controller.error(new Error(`export stopped at ${maxRows} rows; narrow the time range`));
        after = { ts: last.ts, requestId: last.request_id };
      },
    },
    // One page at a time: the next D1 read waits until the client has taken this one.
    { highWaterMark: 0 },
  );
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');
  return {
    body,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `switchyard-requests-${stamp(filters.from)}-${stamp(filters.to)}.${format}`,
  };
}
