// Overview of the signed-in account's subtree (or of an account in it): today's quota as gauges,
// totals with every token class, cost and requests over time stacked by model or sub-account,
// model distributions, sub-account ranking, daily billing with cache share, anomalies, latency.
// Range, account and stacking live in the URL, so a view can be shared and survives a reload.
import { useMemo } from 'react';
import { useSearch } from 'wouter';
import { navigate } from 'wouter/use-browser-location';
import { api, download, ok, type Schemas } from '../api/client';
import { Gauge, ShareBars, StackedBars } from '../components/charts';
import { Section, Show } from '../components/states';
import { DataTable } from '../components/table';
import { addDays } from '../format';
import { type MessageKey, useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat, useSession } from '../session';

type Range = 'today' | '7d' | '30d' | 'custom';

function useFilters() {
  const params = new URLSearchParams(useSearch());
  const { today } = useFormat();
  const range = (
    ['today', '7d', '30d', 'custom'].includes(params.get('range') ?? '') ? params.get('range') : '7d'
  ) as Range;
  const to = range === 'custom' ? (params.get('to') ?? today()) : today();
  const span = range === 'today' ? 0 : range === '7d' ? 6 : 29;
  const from = range === 'custom' ? (params.get('from') ?? addDays(to, -6)) : addDays(to, -span);
  const by = params.get('by') === 'account' ? 'account' : 'model';
  const account = params.get('account') ?? '';
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    navigate(`/?${next}`, { replace: true });
  };
  return { range, from, to, by, account, set } as const;
}

const analyticsPath = (view: string) => `/admin/v1/analytics/${view}`;

export function OverviewPage({ theme }: { theme: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const fmt = useFormat();
  const f = useFilters();
  const account = f.account || me.account_id || undefined;
  const query = { account, from: f.from, to: f.to };
  const deps = [account, f.from, f.to];

  const [accounts] = useLoad(
    () => ok(api.GET('/admin/v1/accounts', { params: { query: { limit: 1000 } } })),
    [],
  );
  const [quota, reloadQuota] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/quota', { params: { query: { account } } })),
    [account],
  );
  const [totals, reloadTotals] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/totals', { params: { query } })),
    deps,
  );
  const [series, reloadSeries] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/series', { params: { query: { ...query, by: f.by } } })),
    [...deps, f.by],
  );
  const [models, reloadModels] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/models', { params: { query } })),
    deps,
  );
  const [ranking, reloadRanking] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/ranking', { params: { query } })),
    deps,
  );
  const [billing, reloadBilling] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/billing', { params: { query } })),
    deps,
  );
  const [anomalies, reloadAnomalies] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/anomalies', { params: { query } })),
    deps,
  );
  const [latency, reloadLatency] = useLoad(
    () => ok(api.GET('/admin/v1/analytics/latency', { params: { query } })),
    deps,
  );

  const csv = (view: string, extra: Record<string, string> = {}) => (
    <button
      type="button"
      className="small"
      onClick={() =>
        void download(
          analyticsPath(view),
          { account: account ?? '', from: f.from, to: f.to, format: 'csv', ...extra },
          `switchyard-${view}-${f.from}-${f.to}.csv`,
        )
      }
    >
      {t('action.csv')}
    </button>
  );

  const anomalous = useMemo(
    () => new Set(anomalies.state === 'done' ? anomalies.data.data.map((a) => a.accountId) : []),
    [anomalies],
  );

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('overview.title')}</h1>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('overview.filters')}>
          <label>
            {t('overview.range')}
            <select value={f.range} onChange={(e) => f.set({ range: e.target.value, from: '', to: '' })}>
              <option value="today">{t('range.today')}</option>
              <option value="7d">{t('range.7d')}</option>
              <option value="30d">{t('range.30d')}</option>
              <option value="custom">{t('range.custom')}</option>
            </select>
          </label>
          {f.range === 'custom' && (
            <>
              <label>
                {t('range.from')}
                <input
                  type="date"
                  value={f.from}
                  max={f.to}
                  onChange={(e) => f.set({ from: e.target.value })}
                />
              </label>
              <label>
                {t('range.to')}
                <input
                  type="date"
                  value={f.to}
                  min={f.from}
                  onChange={(e) => f.set({ to: e.target.value })}
                />
              </label>
            </>
          )}
          <label>
            {t('overview.account')}
            <select value={account ?? ''} onChange={(e) => f.set({ account: e.target.value })} name="account">
              {accounts.state === 'done' ? (
                accounts.data.data.map((a) => (
                  <option key={a.id} value={a.id}>
                    {`${'\u2003'.repeat(Math.max(0, a.depth - (accounts.data.data[0]?.depth ?? 0)))}${a.name} (${a.id})`}
                  </option>
                ))
              ) : (
                <option value={account ?? ''}>{account}</option>
              )}
            </select>
          </label>
        </form>
        <p className="hint">
          {t('overview.period', { from: f.from, to: f.to, tz: me.timezone, currency: me.currency })}
        </p>
      </div>

      <Section title={t('overview.quota')} id="quota" wide actions={csv('quota')}>
        <Show loaded={quota} retry={reloadQuota} empty={(d) => d.data.length === 0}>
          {({ data }) => (
            <div className="gauges">
              {data.map((q) =>
                q.item === 'cards' || q.item === 'balance' ? (
                  <div className="figure" key={`${q.item}-${q.account_id}`}>
                    <span>{t(`quota.${q.item}` as MessageKey)}</span>
                    <strong className={(q.remaining ?? 0) < 0 ? 'negative' : undefined}>
                      {fmt.money(q.remaining ?? 0)}
                    </strong>
                  </div>
                ) : (
                  <Gauge
                    key={`${q.item}-${q.account_id}`}
                    percent={q.percent}
                    title={`${t(`quota.${q.item}` as MessageKey)} · ${q.account_id}`}
                    detail={
                      q.used === null
                        ? t('quota.limitOnly', { limit: unit(q.unit, q.limit ?? 0) })
                        : t('quota.usedOf', { used: unit(q.unit, q.used), limit: unit(q.unit, q.limit ?? 0) })
                    }
                  />
                ),
              )}
            </div>
          )}
        </Show>
      </Section>

      <Section title={t('overview.totals')} id="totals" wide actions={csv('totals')}>
        <Show loaded={totals} retry={reloadTotals}>
          {({ data }) => {
            const x = data[0];
            if (!x) return null;
            const items: [MessageKey, string][] = [
              ['totals.cost', fmt.money(x.costMicros)],
              ['totals.requests', fmt.num(x.requests)],
              ['totals.errors', fmt.num(x.errors)],
              ['totals.promptTokens', fmt.num(x.promptTokens)],
              ['totals.completionTokens', fmt.num(x.completionTokens)],
              ['totals.cachedReadTokens', fmt.num(x.cachedReadTokens)],
              ['totals.cacheWriteTokens', fmt.num(x.cacheWriteTokens)],
              ['totals.reasoningTokens', fmt.num(x.reasoningTokens)],
              ['totals.images', fmt.num(x.images)],
              ['totals.webSearchCalls', fmt.num(x.webSearchCalls)],
            ];
            return (
              <dl className="figures">
                {items.map(([k, v]) => (
                  <div className="figure" key={k} data-figure={k}>
                    <dt>{t(k)}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            );
          }}
        </Show>
      </Section>

      <Section
        title={t('overview.overTime')}
        id="over-time"
        wide
        actions={
          <>
            <label className="inline">
              {t('overview.stackBy')}
              <select value={f.by} onChange={(e) => f.set({ by: e.target.value })}>
                <option value="model">{t('overview.byModel')}</option>
                <option value="account">{t('overview.byAccount')}</option>
              </select>
            </label>
            {csv('series', { by: f.by })}
          </>
        }
      >
        <Show loaded={series} retry={reloadSeries} empty={(d) => d.data.length === 0}>
          {({ data }) => <OverTime rows={data} theme={theme} />}
        </Show>
      </Section>

      <Section title={t('overview.models')} id="models" actions={csv('models')}>
        <Show loaded={models} retry={reloadModels} empty={(d) => d.data.length === 0}>
          {({ data }) => (
            <>
              <h3>{t('models.costShare')}</h3>
              <ShareBars
                label={t('models.costShare')}
                rows={data.map((m) => ({
                  key: m.model,
                  share: m.costShare,
                  text: `${fmt.money(m.costMicros)} · ${fmt.percent(m.costShare)}`,
                }))}
              />
              <h3>{t('models.callShare')}</h3>
              <ShareBars
                label={t('models.callShare')}
                rows={data.map((m) => ({
                  key: m.model,
                  share: m.requestShare,
                  text: `${fmt.num(m.requests)} · ${fmt.percent(m.requestShare)}`,
                }))}
              />
            </>
          )}
        </Show>
      </Section>

      <Section title={t('overview.latency')} id="latency">
        <Show loaded={latency} retry={reloadLatency}>
          {({ data }) => (
            <DataTable<Schemas['LatencyRow']>
              label={t('overview.latency')}
              csvName={`switchyard-latency-${f.from}-${f.to}`}
              data={data}
              columns={[
                { id: 'model', accessorKey: 'model', header: t('col.model') },
                {
                  id: 'requests',
                  accessorKey: 'requests',
                  header: t('col.requests'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'errorRate',
                  accessorKey: 'errorRate',
                  header: t('col.errorRate'),
                  numeric: true,
                  cell: (c) => fmt.percent(c.getValue() as number),
                },
                {
                  id: 'latencyP50',
                  accessorKey: 'latencyP50',
                  header: t('col.latencyP50'),
                  numeric: true,
                  cell: (c) => fmt.ms(c.getValue() as number | null),
                },
                {
                  id: 'latencyP95',
                  accessorKey: 'latencyP95',
                  header: t('col.latencyP95'),
                  numeric: true,
                  cell: (c) => fmt.ms(c.getValue() as number | null),
                },
                {
                  id: 'ttftP50',
                  accessorKey: 'ttftP50',
                  header: t('col.ttftP50'),
                  numeric: true,
                  cell: (c) => fmt.ms(c.getValue() as number | null),
                },
                {
                  id: 'ttftP95',
                  accessorKey: 'ttftP95',
                  header: t('col.ttftP95'),
                  numeric: true,
                  cell: (c) => fmt.ms(c.getValue() as number | null),
                },
              ]}
            />
          )}
        </Show>
      </Section>

      <Section title={t('overview.ranking')} id="ranking">
        <Show loaded={ranking} retry={reloadRanking}>
          {({ data }) => (
            <DataTable<Schemas['RankingRow']>
              label={t('overview.ranking')}
              csvName={`switchyard-ranking-${f.from}-${f.to}`}
              data={data}
              rowClass={(r) => (anomalous.has(r.accountId) ? 'anomalous' : undefined)}
              columns={[
                { id: 'accountId', accessorKey: 'accountId', header: t('col.account') },
                {
                  id: 'requests',
                  accessorKey: 'requests',
                  header: t('col.requests'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'costMicros',
                  accessorKey: 'costMicros',
                  header: t('col.cost'),
                  numeric: true,
                  cell: (c) => fmt.money(c.getValue() as number),
                },
                {
                  id: 'share',
                  accessorKey: 'share',
                  header: t('col.share'),
                  numeric: true,
                  cell: (c) => fmt.percent(c.getValue() as number),
                },
                { id: 'dominantModel', accessorKey: 'dominantModel', header: t('col.dominantModel') },
              ]}
            />
          )}
        </Show>
      </Section>

      <Section title={t('overview.anomalies')} id="anomalies">
        <Show loaded={anomalies} retry={reloadAnomalies}>
          {({ data }) =>
            data.length === 0 ? (
              <p className="state empty">{t('anomalies.none', { day: f.to })}</p>
            ) : (
              <DataTable<Schemas['AnomalyRow']>
                label={t('overview.anomalies')}
                csvName={`switchyard-anomalies-${f.to}`}
                data={data}
                rowClass={() => 'anomalous'}
                columns={[
                  { id: 'accountId', accessorKey: 'accountId', header: t('col.account') },
                  {
                    id: 'metric',
                    accessorKey: 'metric',
                    header: t('col.metric'),
                    cell: (c) => t(c.getValue() === 'costMicros' ? 'col.cost' : 'col.requests'),
                  },
                  {
                    id: 'today',
                    accessorKey: 'today',
                    header: t('col.today'),
                    numeric: true,
                    cell: (c) =>
                      c.row.original.metric === 'costMicros'
                        ? fmt.money(c.getValue() as number)
                        : fmt.num(c.getValue() as number),
                  },
                  {
                    id: 'baselineMean',
                    accessorKey: 'baselineMean',
                    header: t('col.baseline'),
                    numeric: true,
                    cell: (c) =>
                      c.row.original.metric === 'costMicros'
                        ? fmt.money(Math.round(c.getValue() as number))
                        : fmt.num(c.getValue() as number),
                  },
                  {
                    id: 'zScore',
                    accessorKey: 'zScore',
                    header: t('col.zScore'),
                    numeric: true,
                    cell: (c) => (c.getValue() === null ? '∞' : fmt.num(c.getValue() as number)),
                  },
                ]}
              />
            )
          }
        </Show>
      </Section>

      <Section title={t('overview.billing')} id="billing" wide>
        <Show loaded={billing} retry={reloadBilling}>
          {({ data }) => (
            <DataTable<Schemas['BillingRow']>
              label={t('overview.billing')}
              csvName={`switchyard-billing-${f.from}-${f.to}`}
              data={data}
              initialSort={[{ id: 'day', desc: true }]}
              columns={[
                { id: 'day', accessorKey: 'day', header: t('col.day') },
                {
                  id: 'promptTokens',
                  accessorKey: 'promptTokens',
                  header: t('totals.promptTokens'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'cachedReadTokens',
                  accessorKey: 'cachedReadTokens',
                  header: t('totals.cachedReadTokens'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'cacheWriteTokens',
                  accessorKey: 'cacheWriteTokens',
                  header: t('totals.cacheWriteTokens'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'completionTokens',
                  accessorKey: 'completionTokens',
                  header: t('totals.completionTokens'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'reasoningTokens',
                  accessorKey: 'reasoningTokens',
                  header: t('totals.reasoningTokens'),
                  numeric: true,
                  cell: (c) => fmt.num(c.getValue() as number),
                },
                {
                  id: 'costMicros',
                  accessorKey: 'costMicros',
                  header: t('col.cost'),
                  numeric: true,
                  cell: (c) => fmt.money(c.getValue() as number),
                },
                {
                  id: 'cacheShare',
                  accessorKey: 'cacheShare',
                  header: t('col.cacheShare'),
                  numeric: true,
                  cell: (c) => fmt.percent(c.getValue() as number),
                },
              ]}
            />
          )}
        </Show>
      </Section>
    </div>
  );

  function unit(u: 'requests' | 'tokens' | 'micros', v: number): string {
    return u === 'micros' ? fmt.money(v) : `${fmt.num(v)} ${t(`unit.${u}` as MessageKey)}`;
  }
}

function OverTime({ rows, theme }: { rows: Schemas['SeriesRow'][]; theme: string }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const { days, cost, requests } = useMemo(() => {
    const days = [...new Set(rows.map((r) => r.day))];
    const keys = [...new Set(rows.map((r) => r.key))];
    const index = new Map(days.map((d, i) => [d, i]));
    const make = (field: 'costMicros' | 'requests') =>
      keys.map((key) => {
        const values = days.map(() => 0);
        for (const r of rows) if (r.key === key) values[index.get(r.day) ?? 0] = r[field];
        return { label: key, values };
      });
    return { days, cost: make('costMicros'), requests: make('requests') };
  }, [rows]);
  return (
    <div className="charts">
      <div>
        <h3>{t('overview.costOverTime')}</h3>
        <StackedBars
          days={days}
          series={cost}
          format={fmt.money}
          label={t('overview.costOverTime')}
          dayLabel={t('col.day')}
          theme={theme}
        />
      </div>
      <div>
        <h3>{t('overview.requestsOverTime')}</h3>
        <StackedBars
          days={days}
          series={requests}
          format={fmt.num}
          label={t('overview.requestsOverTime')}
          dayLabel={t('col.day')}
          theme={theme}
        />
      </div>
    </div>
  );
}
