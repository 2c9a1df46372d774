// Prices (root): the price table with effective dates and per-account overrides, a form to set one,
// and the import of a price catalogue (LiteLLM's model_prices_and_context_window.json), previewed
// as a diff (added / changed / unchanged, exact amounts per million tokens) before it is applied.
import { type FormEvent, useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type Column, DataTable } from '../components/table';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat } from '../session';
import './operator.css';

type Price = Schemas['Price'];
type Result = Schemas['PriceImportResult'];
type Change = Schemas['PriceChange'];
type Amounts = Schemas['PriceAmounts'];

const amountFields = ['input', 'output', 'cached_read', 'cache_write', 'reasoning'] as const;
const unitFields = ['per_image', 'per_audio_second', 'per_million_chars', 'per_web_search'] as const;

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

function Amount({ before, after }: { before: string | null | undefined; after: string | null }) {
  const fmt = useFormat();
  const show = (v: string | null | undefined) => (v === null || v === undefined ? '—' : fmt.moneyDecimal(v));
  if (before === undefined || before === after) return <span>{show(after)}</span>;
  return (
    <span className="changed">
      <del>{show(before)}</del> → <ins>{show(after)}</ins>
    </span>
  );
}

function DiffRows({ kind, changes }: { kind: 'added' | 'changed'; changes: Change[] }) {
  const fields = [...amountFields, ...unitFields].filter((f) =>
    changes.some((c) => c.after[f] !== null || (c.before && c.before[f] !== null)),
  );
  const { t } = useI18n();
  return (
    <div className="scroll">
      <table aria-label={t(`prices.${kind}`)} id={`diff-${kind}`}>
        <thead>
          <tr>
            <th>{t('prices.model')}</th>
            <th>{t('prices.provider')}</th>
            {fields.map((f) => (
              <th key={f} className="num">
                {t(`prices.${f}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.model} data-model={c.model}>
              <td>
                <code>{c.model}</code>
                {c.inexact.length > 0 && (
                  <span className="badge warn" title={c.inexact.join(', ')}>
                    {t('prices.rounded')}
                  </span>
                )}
              </td>
              <td className="muted">{c.provider ?? '—'}</td>
              {fields.map((f) => (
                <td key={f} className="num">
                  <Amount before={c.before ? (c.before as Amounts)[f] : undefined} after={c.after[f]} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Catalogue = Record<string, unknown>;
const providerOf = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { litellm_provider?: unknown }).litellm_provider === 'string'
    ? (v as { litellm_provider: string }).litellm_provider
    : '';

function ImportCatalogue({ onApplied }: { onApplied: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [file, setFile] = useState<{ name: string; catalogue: Catalogue } | null>(null);
  const [provider, setProvider] = useState('');
  const [match, setMatch] = useState('');
  const [day, setDay] = useState(fmt.today());
  const [preview, setPreview] = useState<Result | null>(null);
  const [applied, setApplied] = useState<Result | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const providers = file
    ? [
        ...new Set(
          // The file's first entry, sample_spec, documents the format: its provider is prose.
          Object.entries(file.catalogue).flatMap(([m, v]) => (m === 'sample_spec' ? [] : [providerOf(v)])),
        ),
      ]
        .filter(Boolean)
        .sort()
    : [];
  const chosen = (): Catalogue => {
    if (!file) return {};
    return Object.fromEntries(
      Object.entries(file.catalogue).filter(
        ([model, v]) => (!provider || providerOf(v) === provider) && (!match || model.includes(match)),
      ),
    );
  };
  const send = async (dryRun: boolean) => {
    setError('');
    setBusy(true);
    try {
      const body = {
        format: 'litellm' as const,
        catalogue: chosen(),
        effective_from: day,
        dry_run: dryRun,
        ...(dryRun || !preview ? {} : { models: [...preview.added, ...preview.changed].map((c) => c.model) }),
      };
      const r = await ok(api.POST('/admin/v1/prices/import', { body }));
      if (dryRun) {
        setPreview(r);
        setApplied(null);
      } else {
        setApplied(r);
        setPreview(null);
        onApplied();
      }
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const readFile = async (f: File | undefined) => {
    setPreview(null);
    setApplied(null);
    setError('');
    if (!f) return setFile(null);
    try {
      const parsed: unknown = JSON.parse(await f.text());
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      setFile({ name: f.name, catalogue: parsed as Catalogue });
    } catch {
      setFile(null);
      setError(t('prices.notACatalogue'));
    }
  };
  const count = file ? Object.keys(chosen()).length : 0;
  return (
    <Section title={t('prices.importTitle')} id="import" wide>
      <p className="hint">{t('prices.importHint')}</p>
      <div className="filters">
        <label>
          {t('prices.file')}
          <input
            type="file"
            name="catalogue"
            accept="application/json,.json"
            onChange={(e) => void readFile(e.currentTarget.files?.[0])}
          />
        </label>
        <label>
          {t('prices.provider')}
          <select name="provider" value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
            <option value="">{t('prices.allProviders')}</option>
            {providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          {t('prices.modelContains')}
          <input name="match" value={match} onChange={(e) => setMatch(e.currentTarget.value)} />
        </label>
        <label>
          {t('prices.effectiveFrom')}
          <input
            name="import_effective_from"
            type="date"
            value={day}
            onChange={(e) => setDay(e.currentTarget.value)}
          />
        </label>
        <button type="button" disabled={!file || busy || count === 0} onClick={() => void send(true)}>
          {t('prices.preview', { count })}
        </button>
      </div>
      <p className="form-error" role="alert">
        {error}
      </p>
      {preview && (
        <div id="import-preview">
          <p className="diff-summary">
            <span className="badge good">{t('prices.addedCount', { count: preview.added.length })}</span>{' '}
            <span className="badge warn">{t('prices.changedCount', { count: preview.changed.length })}</span>{' '}
            <span className="badge">{t('prices.unchangedCount', { count: preview.unchanged.length })}</span>{' '}
            <span className="badge">{t('prices.skippedCount', { count: preview.skipped.length })}</span>{' '}
            <span className="muted">{t('prices.effectiveOn', { day: preview.effective_from })}</span>{' '}
            <span className="muted">{t('prices.perMillionShort')}</span>
          </p>
          {preview.changed.length > 0 && (
            <>
              <h3>{t('prices.changed')}</h3>
              <DiffRows kind="changed" changes={preview.changed} />
            </>
          )}
          {preview.added.length > 0 && (
            <>
              <h3>{t('prices.added')}</h3>
              <DiffRows kind="added" changes={preview.added} />
            </>
          )}
          {preview.unchanged.length > 0 && (
            <p className="muted">
              {t('prices.unchangedList', { models: preview.unchanged.map((c) => c.model).join(', ') })}
            </p>
          )}
          <button
            type="button"
            className="primary"
            disabled={busy || preview.added.length + preview.changed.length === 0}
            onClick={() => void send(false)}
          >
            {t('prices.apply', { count: preview.added.length + preview.changed.length })}
          </button>
        </div>
      )}
      {applied && (
        <p className="notice" id="import-applied">
          {t('prices.appliedNotice', { count: applied.written.length, day: applied.effective_from })}
        </p>
      )}
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
