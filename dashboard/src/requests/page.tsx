// The request log explorer: every filter of GET /admin/v1/requests in the URL (shareable, kept on
// reload and across sign-in), newest first with cursor paging, server-side CSV / NDJSON export of
// the whole filter, and a detail drawer per request (?id=…, shareable too).
import { type FormEvent, useEffect, useState } from 'react';
import { useSearch } from 'wouter';
import { navigate } from 'wouter/use-browser-location';
import { download } from '../api/client';
import { Drawer } from '../components/drawer';
import { ErrorBox, Loading, Section } from '../components/states';
import { type Column, DataTable } from '../components/table';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat, useSession } from '../session';
import {
  filterNames,
  listRequests,
  queryFrom,
  type RequestDetail,
  type RequestEvent,
  readRequest,
} from './api';

function statusClass(status: number): string {
  return status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'good';
}

type Price = NonNullable<RequestDetail['price']>;

function Detail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [detail, reload] = useLoad(() => readRequest(id), [id]);
  /** The price row that applied, per million tokens (and per unit for the rest), in the root's currency. */
  const priceText = (p: Price) =>
    [
      `${t('requests.priceIn')} ${fmt.moneyDecimal(p.input)}`,
      `${t('requests.priceOut')} ${fmt.moneyDecimal(p.output)}`,
      p.cached_read !== null && `${t('requests.priceCached')} ${fmt.moneyDecimal(p.cached_read)}`,
      p.markup_bps ? `+${p.markup_bps / 100}%` : false,
      `(${t('requests.perMillion')}, ${t('requests.since')} ${p.effective_from.slice(0, 10)})`,
    ]
      .filter(Boolean)
      .join(' · ');
  return (
    <Drawer title={t('requests.detail')} onClose={onClose}>
      {detail.state === 'loading' && <Loading />}
      {detail.state === 'error' && <ErrorBox error={detail.error} retry={reload} />}
      {detail.state === 'done' &&
        (() => {
          const d = detail.data;
          const rows: [string, string][] = [
            [t('requests.requestId'), d.request_id],
            [t('requests.time'), fmt.dateTime(d.ts)],
            [t('col.account'), `${d.account_name} (${d.account_id})`],
            [t('requests.key'), d.key_id ? `${d.key_name ?? ''} ${d.key_prefix ?? ''}…` : '—'],
            [t('requests.endpoint'), d.endpoint],
            [t('requests.protocols'), `${d.client_protocol} → ${d.upstream_protocol ?? '—'}`],
            [t('requests.provider'), d.provider ?? '—'],
            [
              t('requests.model'),
              d.model_requested === d.model ? d.model : `${d.model_requested} → ${d.model}`,
            ],
            [t('requests.level'), d.level === null ? '—' : String(d.level)],
            [
              t('requests.upstreamKey'),
              d.upstream_key_id ? `${d.upstream_key_id} ···${d.upstream_key_last4 ?? ''}` : '—',
            ],
            [t('requests.status'), `${d.status}${d.error_code ? ` · ${d.error_code}` : ''}`],
            [t('requests.stream'), d.stream ? t('common.yes') : t('common.no')],
            [t('totals.promptTokens'), fmt.num(d.prompt_tokens)],
            [t('totals.completionTokens'), fmt.num(d.completion_tokens)],
            [t('totals.cachedReadTokens'), fmt.num(d.cached_read_tokens)],
            [t('totals.cacheWriteTokens'), fmt.num(d.cache_write_tokens)],
            [t('totals.reasoningTokens'), fmt.num(d.reasoning_tokens)],
            [t('totals.images'), fmt.num(d.images)],
            [t('totals.webSearchCalls'), fmt.num(d.web_search_calls)],
            [
              t('col.cost'),
              `${fmt.money(d.cost_micros)}${d.estimated ? ` · ${t('requests.estimated')}` : ''}${d.unpriced ? ` · ${t('requests.unpriced')}` : ''}`,
            ],
            [t('requests.price'), d.price ? priceText(d.price) : t('requests.noPrice')],
            [t('requests.latency'), fmt.ms(d.latency_ms)],
            [t('requests.ttft'), fmt.ms(d.ttft_ms)],
            [t('requests.retries'), fmt.num(d.retries)],
            [t('requests.switchedOver'), d.switched_over ? t('common.yes') : t('common.no')],
          ];
          return (
            <>
              <dl className="detail" id="request-detail">
                {rows.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
              <p className="notice">{t('requests.noText', { days: d.retention_days })}</p>
            </>
          );
        })()}
    </Drawer>
  );
}

export default function RequestsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const fmt = useFormat();
  const search = useSearch();
  const params = new URLSearchParams(search);
  const query = queryFrom(params);
  const openId = params.get('id');
  const [rows, setRows] = useState<RequestEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: Error | null }>({ busy: false, error: null });
  const filterKey = JSON.stringify(query);
  const [first, reload] = useLoad(() => listRequests(query), [filterKey]);
  useEffect(() => {
    if (first.state === 'done') {
      setRows(first.data.data);
      setCursor(first.data.next_cursor);
    }
  }, [first]);

  const setParams = (next: URLSearchParams) =>
    navigate(`/requests${next.size ? `?${next}` : ''}`, { replace: false });
  const applyFilters = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const name of filterNames) {
      const v = String(form.get(name) ?? '').trim();
      if (v) next.set(name, v);
    }
    setParams(next);
  };
  const open = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('id', id);
    else next.delete('id');
    setParams(next);
  };
  async function loadMore() {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    try {
      const page = await listRequests(query, cursor);
      setRows((r) => [...r, ...page.data]);
      setCursor(page.next_cursor);
      setMore({ busy: false, error: null });
    } catch (err) {
      setMore({ busy: false, error: err as Error });
    }
  }
  const exportAs = (format: 'csv' | 'ndjson') =>
    void download(
      '/admin/v1/requests',
      { ...(query as Record<string, string>), format },
      `switchyard-requests.${format}`,
    );

  const columns: Column<RequestEvent>[] = [
    {
      id: 'ts',
      accessorKey: 'ts',
      header: t('requests.time'),
      cell: (c) => fmt.dateTime(c.getValue() as number),
    },
    { id: 'account_id', accessorKey: 'account_id', header: t('col.account') },
    { id: 'model', accessorKey: 'model', header: t('requests.model') },
    { id: 'client_protocol', accessorKey: 'client_protocol', header: t('requests.protocol') },
    {
      id: 'status',
      accessorKey: 'status',
      header: t('requests.status'),
      numeric: true,
      cell: (c) => (
        <span className={`badge ${statusClass(c.getValue() as number)}`}>{c.getValue() as number}</span>
      ),
    },
    {
      id: 'prompt_tokens',
      accessorKey: 'prompt_tokens',
      header: t('requests.in'),
      numeric: true,
      cell: (c) => fmt.num(c.getValue() as number),
    },
    {
      id: 'completion_tokens',
      accessorKey: 'completion_tokens',
      header: t('requests.out'),
      numeric: true,
      cell: (c) => fmt.num(c.getValue() as number),
    },
    {
      id: 'cost_micros',
      accessorKey: 'cost_micros',
      header: t('col.cost'),
      numeric: true,
      cell: (c) => fmt.money(c.getValue() as number),
    },
    {
      id: 'latency_ms',
      accessorKey: 'latency_ms',
      header: t('requests.latency'),
      numeric: true,
      cell: (c) => fmt.ms(c.getValue() as number),
    },
    {
      id: 'ttft_ms',
      accessorKey: 'ttft_ms',
      header: t('requests.ttft'),
      numeric: true,
      cell: (c) => fmt.ms(c.getValue() as number | null),
    },
    {
      id: 'request_id',
      accessorKey: 'request_id',
      header: t('requests.requestId'),
      enableSorting: false,
      cell: (c) => (
        <button type="button" className="link" onClick={() => open(c.getValue() as string)}>
          {(c.getValue() as string).slice(0, 12)}…
        </button>
      ),
    },
  ];

  const text = (name: (typeof filterNames)[number], label: string, type = 'text') => (
    <label key={`${name}-${search}`}>
      {label}
      <input name={name} type={type} defaultValue={params.get(name) ?? ''} />
    </label>
  );
  const choice = (name: (typeof filterNames)[number], label: string, options: [string, string][]) => (
    <label key={`${name}-${search}`}>
      {label}
      <select name={name} defaultValue={params.get(name) ?? ''}>
        <option value="">{t('requests.any')}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('requests.title')}</h1>
        <p className="notice" id="no-text-notice">
          {t('requests.noText', { days: me.usage_retention_days })}
        </p>
      </div>
      <Section title={t('requests.filters')} id="request-filters" wide>
        <form className="filters grid" onSubmit={applyFilters} id="request-filters-form">
          {text('from', t('range.from'), 'date')}
          {text('to', t('range.to'), 'date')}
          {text('account', t('col.account'))}
          {text('key', t('requests.key'))}
          {text('model', t('requests.model'))}
          {choice('status', t('requests.status'), [
            ['2xx', '2xx'],
            ['4xx', '4xx'],
            ['5xx', '5xx'],
            ['error', t('requests.anyError')],
          ])}
          {choice('protocol', t('requests.protocol'), [
            ['openai', 'OpenAI'],
            ['anthropic', 'Anthropic'],
            ['gemini', 'Gemini'],
          ])}
          {text('provider', t('requests.provider'))}
          {text('level', t('requests.level'), 'number')}
          {choice('estimated', t('requests.filterEstimated'), [
            ['true', t('common.yes')],
            ['false', t('common.no')],
          ])}
          {choice('unpriced', t('requests.filterUnpriced'), [
            ['true', t('common.yes')],
            ['false', t('common.no')],
          ])}
          {text('min_cost', t('requests.minCost'), 'number')}
          {text('min_latency', t('requests.minLatency'), 'number')}
          {text('request_id', t('requests.requestId'))}
          <div className="filter-actions">
            <button type="submit" className="primary">
              {t('action.apply')}
            </button>
            <button type="button" onClick={() => setParams(new URLSearchParams())}>
              {t('action.clear')}
            </button>
          </div>
        </form>
      </Section>
      <Section
        title={t('requests.results')}
        id="request-results"
        wide
        actions={
          <>
            <button type="button" className="small" onClick={() => exportAs('csv')}>
              {t('requests.exportCsv')}
            </button>
            <button type="button" className="small" onClick={() => exportAs('ndjson')}>
              {t('requests.exportNdjson')}
            </button>
          </>
        }
      >
        {first.state === 'loading' && <Loading />}
        {first.state === 'error' && <ErrorBox error={first.error} retry={reload} />}
        {first.state === 'done' && (
          <>
            <DataTable<RequestEvent>
              label={t('requests.results')}
              csvName="switchyard-requests-page"
              data={rows}
              columns={columns}
              pageSize={1000}
              onRowClick={(r) => open(r.request_id)}
              rowClass={(r) => (r.status >= 400 ? 'failed' : undefined)}
            />
            {more.error && <ErrorBox error={more.error} retry={() => void loadMore()} />}
            {cursor && (
              <button type="button" onClick={() => void loadMore()} disabled={more.busy}>
                {t('requests.more')}
              </button>
            )}
          </>
        )}
      </Section>
      {openId && <Detail id={openId} onClose={() => open(null)} />}
    </div>
  );
}
