// The policy editor (inherited policy): every field of an account's (or one of its keys') own layer, next to the
// value it inherits and the layer that sets it, and what is effective now. The draft is checked as
// it is typed with the API's own functions (the schema, then policyRefusals — the check every
// policy write runs), so a widening is refused on its field before anything is sent; the API's
// 422 lands on the field too. "What changes" previews the effective policy of the account and its
// descendants (POST /accounts/{id}/policy/preview; for a key, the same diff computed here).
import { type FormEvent, useMemo, useState } from 'react';
import { type PolicyLayer, resolveEffectivePolicy } from '../../../src/policy/effective';
import { type Policy, policySchema } from '../../../src/policy/schema';
import { effectivePolicyView } from '../../../src/tenancy/effective-view';
import { policyRefusals } from '../../../src/tenancy/policy-check';
import { diffViews, type FieldChange, flattenView } from '../../../src/tenancy/policy-diff';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type MessageKey, useI18n } from '../i18n';
import { useFormat, useSession } from '../session';
import { useKeptLoad } from './kept-load';

type Account = Schemas['Account'];

type Kind = 'list' | 'count' | 'money' | 'map' | 'mapNum' | 'modelLimits' | 'alerts';
interface FieldDef {
  /** The field's dotted name, as refusals and the API's `param` name it (after `policy.`). */
  name: string;
  kind: Kind;
}

const fields: FieldDef[] = [
  { name: 'allow_models', kind: 'list' },
  { name: 'model_mapper', kind: 'map' },
  { name: 'level_mapper', kind: 'mapNum' },
  { name: 'switch_over', kind: 'mapNum' },
  { name: 'resources', kind: 'list' },
  { name: 'ip_allow', kind: 'list' },
  { name: 'model_limits', kind: 'modelLimits' },
  { name: 'limits.rpm', kind: 'count' },
  { name: 'limits.tpm', kind: 'count' },
  { name: 'limits.rpd', kind: 'count' },
  { name: 'limits.tpd', kind: 'count' },
  { name: 'limits.concurrency', kind: 'count' },
  { name: 'limits.daily_budget', kind: 'money' },
  { name: 'limits.monthly_budget', kind: 'money' },
  { name: 'budget_alerts', kind: 'alerts' },
];
const limitNames = ['rpm', 'tpm', 'rpd', 'tpd', 'concurrency', 'daily_budget', 'monthly_budget'] as const;

type Draft = Record<string, string>;

/** An own layer → the editor's text for each field. */
function draftOf(p: Policy): Draft {
  const d: Draft = {};
  const lines = (o: Record<string, string | number> | undefined) =>
    Object.entries(o ?? {})
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n');
  d['allow_models'] = (p.allow_models ?? []).join(', ');
  d['resources'] = (p.resources ?? []).join(', ');
  d['ip_allow'] = (p.ip_allow ?? []).join(', ');
  d['model_mapper'] = lines(p.model_mapper);
  d['level_mapper'] = lines(p.level_mapper);
  d['switch_over'] = lines(p.switch_over);
  d['model_limits'] = Object.entries(p.model_limits ?? {})
    .map(([m, l]) =>
      [m, l.rpm !== undefined && `rpm=${l.rpm}`, l.tpm !== undefined && `tpm=${l.tpm}`]
        .filter(Boolean)
        .join(' '),
    )
    .join('\n');
  for (const n of limitNames) d[`limits.${n}`] = p.limits?.[n] === undefined ? '' : String(p.limits[n]);
  d['budget_alerts'] = (p.budget_alerts ?? []).join(', ');
  return d;
}

const items = (s: string) => s.split(/[\s,]+/).filter(Boolean);
const entries = (s: string) =>
  s
    .split(/\n|,/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.lastIndexOf('=');
      return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    });
const asNumber = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);

/** The editor's text → a policy candidate (what the schema then validates), keeping fields it does not edit. */
function candidateOf(own: Policy, d: Draft): Record<string, unknown> {
  const {
    allow_models,
    resources,
    ip_allow,
    model_mapper,
    level_mapper,
    switch_over,
    model_limits,
    limits,
    budget_alerts,
    ...rest
  } = own;
  const out: Record<string, unknown> = { ...rest };
  for (const f of ['allow_models', 'resources', 'ip_allow'] as const) if (d[f]?.trim()) out[f] = items(d[f]);
  if (d['model_mapper']?.trim()) out['model_mapper'] = Object.fromEntries(entries(d['model_mapper']));
  for (const f of ['level_mapper', 'switch_over'] as const)
    if (d[f]?.trim()) out[f] = Object.fromEntries(entries(d[f]).map(([k, v]) => [k, asNumber(v ?? '')]));
  if (d['model_limits']?.trim()) {
    const ml: Record<string, Record<string, number | string>> = {};
    for (const line of d['model_limits']
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const [pattern = '', ...parts] = line.split(/\s+/);
      ml[pattern] = Object.fromEntries(
        parts.map((p) => {
          const [k = '', v = ''] = p.split('=');
          return [k, asNumber(v)];
        }),
      );
    }
    out['model_limits'] = ml;
  }
  const l: Record<string, unknown> = {};
  for (const n of limitNames) {
    const v = d[`limits.${n}`]?.trim();
    if (!v) continue;
    l[n] = n === 'daily_budget' || n === 'monthly_budget' ? v : asNumber(v);
  }
  if (Object.keys(l).length) out['limits'] = l;
  if (d['budget_alerts']?.trim()) out['budget_alerts'] = items(d['budget_alerts']).map(asNumber);
  return out;
}

/** The editor field a refusal or schema issue belongs to: `policy.model_mapper.fast` → model_mapper. */
function fieldOf(path: string): string {
  const p = path.replace(/^policy\./, '');
  return fields.find((f) => p === f.name || p.startsWith(`${f.name}.`))?.name ?? '_';
}

function check(
  own: Policy,
  parent: PolicyLayer[],
  d: Draft,
): { policy: Policy | null; errors: Record<string, string> } {
  const parsed = policySchema.safeParse(candidateOf(own, d));
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const f = fieldOf(issue.path.join('.'));
      errors[f] ??= `${issue.path.join('.')}: ${issue.message}`;
    }
    return { policy: null, errors };
  }
  for (const r of policyRefusals(resolveEffectivePolicy(parent), parsed.data)) {
    const f = fieldOf(r.field);
    errors[f] = errors[f] ? `${errors[f]} ${r.message}` : `${r.field}: ${r.message}`;
  }
  return { policy: parsed.data, errors };
}

function ChangesTable({ rows }: { rows: { account: string; change: FieldChange }[] }) {
  const { t } = useI18n();
  const shown = (v: FieldChange['before']) => (v ? `${v.value} · ${v.source}` : '—');
  if (rows.length === 0) return <p className="state empty">{t('pe.noChanges')}</p>;
  return (
    <div className="scroll">
      <table aria-label={t('pe.preview')} id="policy-preview">
        <thead>
          <tr>
            <th>{t('pe.account')}</th>
            <th>{t('policy.field')}</th>
            <th>{t('pe.before')}</th>
            <th>{t('pe.after')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.account}:${r.change.field}`}>
              <td>{r.account}</td>
              <td>
                <code>{r.change.field}</code>
              </td>
              <td>{shown(r.change.before)}</td>
              <td>{shown(r.change.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Editor({
  account,
  keyId,
  view,
  onSaved,
}: {
  account: Account;
  keyId: string;
  view: Schemas['EffectivePolicy'];
  onSaved: (saved: boolean) => void;
}) {
  const { me } = useSession();
  // An account's own layer is written by the accounts above it; its keys' layers by itself.
  const readOnly = !keyId && account.id === me.account_id;
  const { t } = useI18n();
  const fmt = useFormat();
  const ownSource = keyId ? `key:${keyId}` : `account:${account.id}`;
  const layers = view.layers as PolicyLayer[];
  const own = (layers.find((l) => l.source === ownSource)?.policy ?? {}) as Policy;
  const parent = layers.filter((l) => l.source !== ownSource);
  const [draft, setDraft] = useState<Draft>(() => draftOf(own));
  const [apiErrors, setApiErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const [preview, setPreview] = useState<{ account: string; change: FieldChange }[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const { policy, errors } = useMemo(() => check(own, parent, draft), [draft, own, parent]);
  const inherited = useMemo(
    () => flattenView(effectivePolicyView(resolveEffectivePolicy(parent), null)),
    [parent],
  );
  const current = useMemo(() => flattenView(view as Parameters<typeof flattenView>[0]), [view]);
  const blocked = Object.keys(errors).length > 0;

  const set = (name: string, value: string) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setApiErrors((e) => {
      const { [name]: _, ...rest } = e;
      return rest;
    });
    onSaved(false);
    setPreview(null);
  };

  async function showPreview() {
    if (!policy) return;
    setFormError('');
    try {
      if (keyId) {
        const next = [...parent, { source: ownSource, policy }];
        const before = effectivePolicyView(resolveEffectivePolicy(layers), view.level);
        const after = effectivePolicyView(resolveEffectivePolicy(next), view.level);
        setPreview(diffViews(before, after).map((change) => ({ account: ownSource, change })));
        setTruncated(false);
      } else {
        const p = await ok(
          api.POST('/admin/v1/accounts/{id}/policy/preview', {
            params: { path: { id: account.id } },
            body: policy,
          }),
        );
        const errs: Record<string, string> = {};
        for (const r of p.refusals) errs[fieldOf(r.field)] = `${r.field}: ${r.message}`;
        setApiErrors(errs);
        setPreview(
          p.accounts.flatMap((a) => a.changes.map((change) => ({ account: `${a.name} (${a.id})`, change }))),
        );
        setTruncated(p.truncated);
      }
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    }
  }

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!policy || blocked) return;
    setFormError('');
    try {
      if (keyId)
        await ok(api.PATCH('/admin/v1/keys/{id}', { params: { path: { id: keyId } }, body: { policy } }));
      else
        await ok(
          api.PUT('/admin/v1/accounts/{id}/policy', { params: { path: { id: account.id } }, body: policy }),
        );
      onSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.param) setApiErrors({ [fieldOf(err.param)]: err.message });
      else setFormError(err instanceof Error ? err.message : String(err));
    }
  }

  const origin = (map: Map<string, { value: string; source: string }>, name: string) =>
    [...map.entries()]
      .filter(([k]) => k === name || k.startsWith(`${name}.`))
      .map(([k, v]) => (
        <div key={k}>
          {k !== name && <code>{k.slice(name.length + 1)}</code>}{' '}
          {name.endsWith('_budget') ? fmt.moneyDecimal(v.value) : v.value}{' '}
          <span className="badge">{v.source}</span>
        </div>
      ));

  return (
    <form onSubmit={save} id="policy-form" className="stack">
      <div className="scroll">
        <table aria-label={t('pe.title')} className="policy-table">
          <thead>
            <tr>
              <th>{t('policy.field')}</th>
              <th>{t('pe.own')}</th>
              <th>{t('pe.inherited')}</th>
              <th>{t('pe.effective')}</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => {
              const error = errors[f.name] ?? apiErrors[f.name];
              const multi = f.kind === 'map' || f.kind === 'mapNum' || f.kind === 'modelLimits';
              const id = `pf-${f.name.replace('.', '-')}`;
              return (
                <tr key={f.name} data-field={f.name} className={error ? 'has-error' : undefined}>
                  <th scope="row">
                    <label htmlFor={id}>
                      <code>{f.name}</code>
                    </label>
                    <div className="hint">{t(`pe.hint.${f.kind}` as MessageKey)}</div>
                  </th>
                  <td>
                    {multi ? (
                      <textarea
                        id={id}
                        name={f.name}
                        rows={2}
                        readOnly={readOnly}
                        value={draft[f.name] ?? ''}
                        onChange={(e) => set(f.name, e.currentTarget.value)}
                        aria-invalid={error ? true : undefined}
                        aria-describedby={error ? `${id}-error` : undefined}
                      />
                    ) : (
                      <input
                        id={id}
                        name={f.name}
                        readOnly={readOnly}
                        value={draft[f.name] ?? ''}
                        inputMode={
                          f.kind === 'count' ? 'numeric' : f.kind === 'money' ? 'decimal' : undefined
                        }
                        onChange={(e) => set(f.name, e.currentTarget.value)}
                        aria-invalid={error ? true : undefined}
                        aria-describedby={error ? `${id}-error` : undefined}
                      />
                    )}
                    {error && (
                      <p className="field-error" id={`${id}-error`} role="alert">
                        {error}
                      </p>
                    )}
                  </td>
                  <td className="origin">{origin(inherited, f.name)}</td>
                  <td className="origin">{origin(current, f.name)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {errors['_'] && <p className="form-error">{errors['_']}</p>}
      {readOnly && (
        <p className="hint">{t(account.parent_id === null ? 'tree.rootAccount' : 'tree.ownAccount')}</p>
      )}
      {!readOnly && (
        <div className="actions">
          <button type="button" onClick={() => void showPreview()} disabled={!policy || blocked}>
            {t('pe.previewButton')}
          </button>
          <button type="submit" className="primary" disabled={!policy || blocked}>
            {t('pe.save')}
          </button>
        </div>
      )}
      <p className="form-error" role="alert">
        {formError}
      </p>
      {preview && (
        <Section title={t('pe.preview')} id="preview" wide>
          <p className="hint">{t('pe.previewIntro')}</p>
          <ChangesTable rows={preview} />
          {truncated && <p className="hint">{t('pe.truncated')}</p>}
        </Section>
      )}
    </form>
  );
}

export function PolicyEditor({ account }: { account: Account }) {
  const { t } = useI18n();
  const [keyId, setKeyId] = useState('');
  const [saved, setSaved] = useState(false);
  const [keys] = useKeptLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/keys', {
          params: { path: { id: account.id }, query: { limit: 1000 } },
        }),
      ),
    [account.id],
  );
  const [view, reload] = useKeptLoad(
    () =>
      keyId
        ? ok(api.GET('/admin/v1/keys/{id}/effective-policy', { params: { path: { id: keyId } } }))
        : ok(api.GET('/admin/v1/accounts/{id}/effective-policy', { params: { path: { id: account.id } } })),
    [account.id, keyId],
  );
  return (
    <Section
      title={t('pe.title')}
      id="policy-editor"
      wide
      actions={
        <label className="inline">
          {t('policy.of')}
          <select
            value={keyId}
            onChange={(e) => {
              setKeyId(e.target.value);
              setSaved(false);
            }}
            name="policy-of"
          >
            <option value="">{t('pe.thisAccount', { name: account.name })}</option>
            {keys.state === 'done' &&
              keys.data.data
                .filter((k) => !k.revoked)
                .map((k) => (
                  <option key={k.id} value={k.id}>
                    {t('policy.key', { name: k.name, prefix: k.prefix })}
                  </option>
                ))}
          </select>
        </label>
      }
    >
      <p className="hint">{t('pe.intro')}</p>
      <Show loaded={view} retry={reload}>
        {(v) => (
          <Editor
            key={`${account.id}:${keyId}`}
            account={account}
            keyId={keyId}
            view={v}
            onSaved={(done) => {
              setSaved(done);
              if (done) reload();
            }}
          />
        )}
      </Show>
      {saved && (
        <p className="notice" id="policy-saved">
          {t('pe.saved')}
        </p>
      )}
    </Section>
  );
}
