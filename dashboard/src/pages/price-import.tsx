// The import of a price catalogue (LiteLLM's model_prices_and_context_window.json): narrowed by
// provider and model name, previewed as a diff against the prices in force on the chosen day
// (added / changed / unchanged / skipped, exact amounts), then applied.
import { useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section } from '../components/states';
import { useI18n } from '../i18n';
import { useFormat } from '../session';
import { amountFields, unitFields } from './price-fields';

type Result = Schemas['PriceImportResult'];
type Change = Schemas['PriceChange'];
type Amounts = Schemas['PriceAmounts'];

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

export function ImportCatalogue({ onApplied }: { onApplied: () => void }) {
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
