// The audit log of the caller's subtree: filters (actor, action, target, time) in the URL, newest
// first, paged; a row opens its before and after side by side, field by field, the changed ones
// marked. Secrets were redacted when the row was written (the API never had them to show).
import { type FormEvent, useEffect, useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat } from '../session';
import './operator.css';
import { useQuery } from './operator-url';

type Entry = Schemas['AuditEntry'];
const filterNames = ['actor', 'action', 'target', 'since', 'until'] as const;
const REDACTED = '[redacted]';

function show(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 1);
}

/** Field-by-field rows of two JSON images (top-level keys; anything else as one value). */
function fieldsOf(before: unknown, after: unknown): { field: string; before: unknown; after: unknown }[] {
  const obj = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  const b = obj(before);
  const a = obj(after);
  if ((before !== null && !b) || (after !== null && !a)) return [{ field: '', before, after }];
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  return keys.map((k) => ({ field: k, before: b?.[k], after: a?.[k] }));
}

function Value({ v }: { v: unknown }) {
  if (v === REDACTED) return <span className="badge redacted">{v}</span>;
  if (v === undefined) return <span className="muted">—</span>;
  return <code className="json">{show(v)}</code>;
}

export function BeforeAfter({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const rows = fieldsOf(entry.before ?? null, entry.after ?? null);
  // A creation or deletion changes every field: only an update's differences are marked.
  const update = entry.before != null && entry.after != null;
  return (
    <table className="before-after" aria-label={t('audit.beforeAfter')}>
      <thead>
        <tr>
          <th>{t('audit.field')}</th>
          <th>{t('audit.before')}</th>
          <th>{t('audit.after')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const changed = update && JSON.stringify(r.before) !== JSON.stringify(r.after);
          return (
            <tr key={r.field} className={changed ? 'changed-row' : undefined} data-field={r.field}>
              <th scope="row">
                <code>{r.field}</code>
              </th>
              <td>
                <Value v={r.before} />
              </td>
              <td>
                <Value v={r.after} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** datetime-local (the browser's zone) ↔ the ISO instant in the URL. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : '');

export default function AuditPage() {
  const { t } = useI18n();
  const fmt = useFormat();
  const [params, setParams] = useQuery();
  const query = Object.fromEntries(
    filterNames.flatMap((n) => (params.get(n) ? [[n, params.get(n) as string]] : [])),
  );
  const key = JSON.stringify(query);
  const [open, setOpen] = useState<string | null>(null);
  const [more, setMore] = useState<{ rows: Entry[]; cursor: string | null }>({ rows: [], cursor: null });
  const [page, reload] = useLoad(
    () => ok(api.GET('/admin/v1/audit', { params: { query: { ...query, limit: 50 } } })),
    [key],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new first page starts the list afresh
  useEffect(() => setMore({ rows: [], cursor: null }), [page]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const v = (n: string) => String(f.get(n) ?? '').trim();
    setParams({
      actor: v('actor'),
      action: v('action'),
      target: v('target'),
      since: fromLocalInput(v('since')),
      until: fromLocalInput(v('until')),
    });
  };
  const loadMore = async (cursor: string) => {
    const next = await ok(api.GET('/admin/v1/audit', { params: { query: { ...query, limit: 50, cursor } } }));
    setMore((m) => ({ rows: [...m.rows, ...next.data], cursor: next.next_cursor }));
  };
  return (
    <div className="page" id="audit">
      <header className="page-head">
        <h1>{t('audit.title')}</h1>
        <p className="muted">{t('audit.intro')}</p>
      </header>
      <Section title={t('audit.filters')} id="audit-filters" wide>
        <form id="audit-filters-form" className="filters grid" onSubmit={submit} key={key}>
          <label>
            {t('audit.actor')}
            <input name="actor" defaultValue={query['actor'] ?? ''} placeholder="bootstrap, usr_…" />
          </label>
          <label>
            {t('audit.action')}
            <input
              name="action"
              defaultValue={query['action'] ?? ''}
              placeholder="price.import, upstream_key."
            />
          </label>
          <label>
            {t('audit.target')}
            <input name="target" defaultValue={query['target'] ?? ''} placeholder="price, key-a" />
          </label>
          <label>
            {t('audit.since')}
            <input name="since" type="datetime-local" defaultValue={toLocalInput(query['since'] ?? null)} />
          </label>
          <label>
            {t('audit.until')}
            <input name="until" type="datetime-local" defaultValue={toLocalInput(query['until'] ?? null)} />
          </label>
          <div className="filter-actions">
            <button type="submit" className="primary">
              {t('action.apply')}
            </button>
            <button
              type="button"
              onClick={() => setParams(Object.fromEntries(filterNames.map((n) => [n, ''])))}
            >
              {t('action.clear')}
            </button>
          </div>
        </form>
      </Section>
      <Section title={t('audit.entries')} id="audit-entries" wide>
        <Show loaded={page} retry={reload} empty={(p) => p.data.length === 0}>
          {(p) => {
            const rows = [...p.data, ...more.rows];
            const cursor = more.rows.length ? more.cursor : p.next_cursor;
            return (
              <>
                <div className="scroll">
                  <table aria-label={t('audit.entries')} id="audit-results">
                    <thead>
                      <tr>
                        <th>{t('audit.time')}</th>
                        <th>{t('audit.actor')}</th>
                        <th>{t('audit.action')}</th>
                        <th>{t('audit.target')}</th>
                        <th>{t('audit.account')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => [
                        <tr
                          key={r.id}
                          className="clickable"
                          data-action={r.action}
                          aria-expanded={open === r.id}
                          onClick={() => setOpen(open === r.id ? null : r.id)}
                        >
                          <td>{fmt.dateTime(r.ts)}</td>
                          <td>
                            {r.actor_type}
                            {r.actor_id ? <code> {r.actor_id}</code> : null}
                          </td>
                          <td>
                            <code>{r.action}</code>
                          </td>
                          <td>
                            {r.target_type}
                            {r.target_id ? <code> {r.target_id}</code> : null}
                          </td>
                          <td className="muted">{r.account_path}</td>
                        </tr>,
                        open === r.id ? (
                          <tr key={`${r.id}-detail`} className="audit-detail">
                            <td colSpan={5}>
                              <BeforeAfter entry={r} />
                              <p className="muted">
                                {t('audit.requestMeta', { request: r.request_id ?? '—', ip: r.ip ?? '—' })}
                              </p>
                            </td>
                          </tr>
                        ) : null,
                      ])}
                    </tbody>
                  </table>
                </div>
                {cursor && (
                  <button type="button" onClick={() => void loadMore(cursor)}>
                    {t('audit.more')}
                  </button>
                )}
              </>
            );
          }}
        </Show>
      </Section>
    </div>
  );
}
