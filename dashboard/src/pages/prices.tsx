// Prices (root): the price table with effective dates and per-account overrides, a form to set one,
// and the import of a price catalogue (price-import.tsx).
import { type FormEvent, useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type Column, DataTable } from '../components/table';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat } from '../session';
import './operator.css';
import { amountFields } from './price-fields';
import { ImportCatalogue } from './price-import';

type Price = Schemas['Price'];

/** The row in force today for each (model, account): the latest effective_from not after today. */
function inForce(prices: Price[], today: string): Set<string> {
  const best = new Map<string, Price>();
  for (const p of prices) {
    if (p.effective_from > today) continue;
    const k = `${p.model}|${p.account_id ?? ''}`;
    const b = best.get(k);
    if (!b || p.effective_from > b.effective_from) best.set(k, p);
  }
  return new Set([...best.values()].map((p) => p.id));
}

function PriceTable({ prices }: { prices: Price[] }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const current = inForce(prices, fmt.today());
  const amount = (v: string | null) => (v === null ? '—' : fmt.moneyDecimal(v));
  const columns: Column<Price>[] = [
    {
      id: 'model',
      accessorKey: 'model',
      header: t('prices.model'),
      cell: (c) => <code>{c.row.original.model}</code>,
    },
    {
      id: 'account_id',
      accessorFn: (p) => p.account_id ?? '',
      header: t('prices.account'),
      cell: (c) =>
        c.row.original.account_id ? (
          <span className="badge warn">{t('prices.override', { account: c.row.original.account_id })}</span>
        ) : (
          <span className="muted">{t('prices.global')}</span>
        ),
    },
    {
      id: 'effective_from',
      accessorKey: 'effective_from',
      header: t('prices.effectiveFrom'),
      cell: (c) => {
        const p = c.row.original;
        const state = current.has(p.id)
          ? 'inForce'
          : p.effective_from > fmt.today()
            ? 'scheduled'
            : 'superseded';
        return (
          <span>
            {p.effective_from}{' '}
            <span className={`badge ${state === 'inForce' ? 'good' : ''}`}>{t(`prices.${state}`)}</span>
          </span>
        );
      },
    },
    ...amountFields.map<Column<Price>>((f) => ({
      id: f,
      accessorFn: (p) => p[f] ?? '',
      header: t(`prices.${f}`),
      numeric: true,
      cell: (c) => amount(c.row.original[f]),
    })),
    { id: 'markup_bps', accessorKey: 'markup_bps', header: t('prices.markup'), numeric: true },
  ];
  return (
    <DataTable
      columns={columns}
      data={prices}
      label={t('prices.table')}
      csvName="prices"
      pageSize={20}
      initialSort={[{ id: 'model', desc: false }]}
    />
  );
}

function SetPrice({ onSaved }: { onSaved: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [error, setError] = useState('');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const v = (n: string) => String(f.get(n) ?? '').trim();
    setError('');
    try {
      await ok(
        api.PUT('/admin/v1/prices', {
          body: {
            model: v('model'),
            effective_from: v('effective_from'),
            input: v('input'),
            output: v('output'),
            markup_bps: Number(v('markup_bps') || '0'),
            ...(v('account') ? { account: v('account') } : {}),
            ...(v('cached_read') ? { cached_read: v('cached_read') } : {}),
          },
        }),
      );
      form.reset();
      onSaved();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  const money = '\\d{1,12}(\\.\\d{1,6})?';
  return (
    <Section title={t('prices.setTitle')} id="set-price">
      <form id="set-price-form" className="stack" onSubmit={(e) => void submit(e)}>
        <div className="row">
          <label>
            {t('prices.model')}
            <input name="model" required />
          </label>
          <label>
            {t('prices.accountOptional')}
            <input name="account" placeholder={t('prices.global')} />
          </label>
          <label>
            {t('prices.effectiveFrom')}
            <input name="effective_from" type="date" required defaultValue={fmt.today()} />
          </label>
        </div>
        <div className="row">
          {(['input', 'output', 'cached_read'] as const).map((n) => (
            <label key={n}>
              {t(`prices.${n}`)}
              <input name={n} inputMode="decimal" pattern={money} required={n !== 'cached_read'} />
            </label>
          ))}
          <label>
            {t('prices.markup')}
            <input name="markup_bps" type="number" min={0} max={100000} defaultValue={0} />
          </label>
        </div>
        <p className="hint">{t('prices.perMillion')}</p>
        <p className="form-error" role="alert">
          {error}
        </p>
        <button type="submit">{t('action.save')}</button>
      </form>
    </Section>
  );
}

export default function PricesPage() {
  const { t } = useI18n();
  const [prices, reload] = useLoad(() => ok(api.GET('/admin/v1/prices')).then((r) => r.data), []);
  return (
    <div className="page" id="prices">
      <header className="page-head">
        <h1>{t('prices.title')}</h1>
        <p className="muted">{t('prices.intro')}</p>
      </header>
      <Section title={t('prices.tableTitle')} id="price-table" wide>
        <Show loaded={prices} retry={reload}>
          {(data) => <PriceTable prices={data} />}
        </Show>
      </Section>
      <ImportCatalogue onApplied={reload} />
      <SetPrice onSaved={reload} />
    </div>
  );
}
