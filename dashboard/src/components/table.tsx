// Sortable, paged tables (TanStack Table) with a CSV download of every row (not just the page).
// Each column says how to sort (its raw value) and how to export (raw too: micro-units stay
// integers in the CSV, so a spreadsheet sums them exactly).
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useState } from 'react';
import { saveBlob } from '../api/client';
import { toCsv } from '../format';
import { useI18n } from '../i18n';
import { Empty } from './states';

export type Column<T> = ColumnDef<T, unknown> & { id: string; numeric?: boolean };

export function DataTable<T>({
  columns,
  data,
  csvName,
  pageSize = 10,
  label,
  rowClass,
  onRowClick,
  initialSort,
}: {
  columns: Column<T>[];
  data: T[];
  csvName?: string;
  pageSize?: number;
  label: string;
  rowClass?: (row: T) => string | undefined;
  onRowClick?: (row: T) => void;
  initialSort?: SortingState;
}) {
  const { t } = useI18n();
  const [sorting, setSorting] = useState<SortingState>(initialSort ?? []);
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageSize } },
  });
  const exportCsv = () => {
    const cols = table.getAllLeafColumns().filter((c) => c.accessorFn);
    const rows = table.getSortedRowModel().rows.map((r) => cols.map((c) => r.getValue(c.id)));
    saveBlob(
      new Blob(
        [
          toCsv(
            cols.map((c) => c.id),
            rows,
          ),
        ],
        { type: 'text/csv' },
      ),
      `${csvName}.csv`,
    );
  };
  const pages = table.getPageCount();
  return (
    <div className="table-wrap">
      {csvName && (
        <div className="table-tools">
          <button type="button" className="small" onClick={exportCsv} disabled={data.length === 0}>
            {t('action.csv')}
          </button>
        </div>
      )}
      {data.length === 0 ? (
        <Empty />
      ) : (
        <div className="scroll">
          <table aria-label={label}>
            <thead>
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    const numeric = (h.column.columnDef as Column<T>).numeric;
                    return (
                      <th
                        key={h.id}
                        className={numeric ? 'num' : undefined}
                        aria-sort={
                          sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                        }
                      >
                        {h.column.getCanSort() ? (
                          <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>
                            {flexRender(h.column.columnDef.header, h.getContext())}
                            <span aria-hidden="true">
                              {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                            </span>
                          </button>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr
                  key={row.id}
                  className={[rowClass?.(row.original), onRowClick ? 'clickable' : '']
                    .filter(Boolean)
                    .join(' ')}
                  onClick={onRowClick ? () => onRowClick(row.original) : undefined}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td
                      key={cell.id}
                      className={(cell.column.columnDef as Column<T>).numeric ? 'num' : undefined}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label={t('table.pages')}>
          <button
            type="button"
            className="small"
            onClick={() => table.previousPage()}
            disabled={!table.getCanPreviousPage()}
          >
            {t('table.previous')}
          </button>
          <span>{t('table.page', { page: table.getState().pagination.pageIndex + 1, pages })}</span>
          <button
            type="button"
            className="small"
            onClick={() => table.nextPage()}
            disabled={!table.getCanNextPage()}
          >
            {t('table.next')}
          </button>
        </nav>
      )}
    </div>
  );
}
