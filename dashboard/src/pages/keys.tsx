// My keys: create (name, expiry, a narrower policy), the secret shown once with copy and ready
// snippets per protocol, the list by prefix with last use, rename / re-scope / revoke.
import { type FormEvent, useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Drawer } from '../components/drawer';
import { Section, Show } from '../components/states';
import { type Column, DataTable } from '../components/table';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { LastUse } from '../requests/last-use';
import { useFormat, useSession } from '../session';
import { snippets } from './snippets';

type Key = Schemas['GatewayKey'];
type Created = Schemas['GatewayKeyCreated'];
type Policy = NonNullable<Key['policy']>;

/** The form's fields → a key policy (only what was filled in); null when nothing narrows. */
function policyFrom(form: FormData): Policy | null {
  const policy: Policy = {};
  const models = String(form.get('allow_models') ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (models.length) policy.allow_models = models;
  const limits: NonNullable<Policy['limits']> = {};
  for (const f of ['rpm', 'rpd', 'tpd'] as const) {
    const v = String(form.get(f) ?? '').trim();
    if (v) limits[f] = Number(v);
  }
  for (const f of ['daily_budget', 'monthly_budget'] as const) {
    const v = String(form.get(f) ?? '').trim();
    if (v) limits[f] = v;
  }
  if (Object.keys(limits).length) policy.limits = limits;
  return Object.keys(policy).length ? policy : null;
}

/** A date input's day → the end of that day as an ISO instant in UTC (the API takes ISO with offset). */
function expiryFrom(form: FormData): string | null {
  const day = String(form.get('expires') ?? '');
  return day ? `${day}T23:59:59Z` : null;
}

function PolicyFields({ policy }: { policy?: Policy | null }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('keys.policy')}</legend>
      <p className="hint">{t('keys.policyHint')}</p>
      <label>
        {t('keys.allowModels')}
        <input
          name="allow_models"
          defaultValue={policy?.allow_models?.join(', ') ?? ''}
          placeholder="mock-small, gpt-4o*"
        />
      </label>
      <div className="row">
        {(['rpm', 'rpd', 'tpd'] as const).map((f) => (
          <label key={f}>
            {t(`limit.${f}`)}
            <input name={f} type="number" min={0} step={1} defaultValue={policy?.limits?.[f] ?? ''} />
          </label>
        ))}
        {(['daily_budget', 'monthly_budget'] as const).map((f) => (
          <label key={f}>
            {t(`limit.${f}`)}
            <input
              name={f}
              inputMode="decimal"
              pattern="\d{1,12}(\.\d{1,6})?"
              defaultValue={policy?.limits?.[f] ?? ''}
            />
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function SecretPanel({ created, onDone }: { created: Created; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const [tab, setTab] = useState('openai-curl');
  const model = created.policy?.allow_models?.find((m) => !m.includes('*')) ?? 'mock-small';
  const list = snippets(location.origin, created.key, model);
  const current = list.find((s) => s.id === tab) ?? list[0];
  return (
    <Section title={t('keys.createdTitle', { name: created.name })} id="secret" wide>
      <p className="notice">{t('keys.shownOnce')}</p>
      <div className="secret">
        <code id="new-key-secret">{created.key}</code>
        <button
          type="button"
          className="small"
          onClick={() =>
            void navigator.clipboard.writeText(created.key).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? t('action.copied') : t('action.copy')}
        </button>
      </div>
      <div className="tabs" role="tablist" aria-label={t('keys.snippets')}>
        {list.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            aria-selected={s.id === tab}
            className={s.id === tab ? 'active' : ''}
            onClick={() => setTab(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      {current && (
        <pre className="snippet">
          <code>{current.code}</code>
        </pre>
      )}
      <button type="button" onClick={onDone}>
        {t('keys.savedIt')}
      </button>
    </Section>
  );
}

function EditKey({ k, onClose, onSaved }: { k: Key; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError('');
    try {
      await ok(
        api.PATCH('/admin/v1/keys/{id}', {
          params: { path: { id: k.id } },
          body: { name: String(form.get('name')), policy: policyFrom(form), expires_at: expiryFrom(form) },
        }),
      );
      onSaved();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <Drawer title={t('keys.edit', { name: k.name })} onClose={onClose}>
      <form onSubmit={save} className="stack" id="edit-key-form">
        <label>
          {t('keys.name')}
          <input name="name" required maxLength={100} defaultValue={k.name} />
        </label>
        <label>
          {t('keys.expires')}
          <input name="expires" type="date" defaultValue={k.expires_at?.slice(0, 10) ?? ''} />
        </label>
        <PolicyFields policy={k.policy} />
        <button type="submit" className="primary">
          {t('action.save')}
        </button>
        <p className="form-error" role="alert">
          {error}
        </p>
      </form>
    </Drawer>
  );
}

/** The signed-in account's keys, or (`accountId`, inside the account tree) another account's. */
export function KeysPage({ accountId: forAccount }: { accountId?: string } = {}) {
  const { t } = useI18n();
  const { me } = useSession();
  const fmt = useFormat();
  const accountId = forAccount ?? me.account_id ?? '';
  const [keys, reload] = useLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/keys', {
          params: { path: { id: accountId }, query: { limit: 1000 } },
        }),
      ),
    [accountId],
  );
  const [created, setCreated] = useState<Created | null>(null);
  const [createError, setCreateError] = useState('');
  const [editing, setEditing] = useState<Key | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState('');

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setCreateError('');
    try {
      const key = await ok(
        api.POST('/admin/v1/accounts/{id}/keys', {
          params: { path: { id: accountId } },
          body: { name: String(form.get('name')), expires_at: expiryFrom(form), policy: policyFrom(form) },
        }),
      );
      setCreated(key);
      formEl.reset();
      reload();
    } catch (err) {
      setCreateError(
        err instanceof ApiError && err.param
          ? `${err.param}: ${err.message}`
          : String((err as Error).message),
      );
    }
  }

  async function revoke(k: Key) {
    setRowError('');
    try {
      await ok(api.POST('/admin/v1/keys/{id}/revoke', { params: { path: { id: k.id } } }));
      setConfirming(null);
      reload();
    } catch (err) {
      setRowError((err as Error).message);
    }
  }

  const columns: Column<Key>[] = [
    { id: 'name', accessorKey: 'name', header: t('keys.name') },
    {
      id: 'prefix',
      accessorKey: 'prefix',
      header: t('keys.prefix'),
      cell: (c) => <code>{c.getValue() as string}…</code>,
    },
    {
      id: 'created_at',
      accessorKey: 'created_at',
      header: t('keys.created'),
      cell: (c) => fmt.dateTime(c.getValue() as string),
    },
    {
      id: 'expires_at',
      accessorKey: 'expires_at',
      header: t('keys.expires'),
      cell: (c) => fmt.dateTime(c.getValue() as string | null),
    },
    {
      id: 'status',
      accessorFn: (k) =>
        k.revoked ? 'revoked' : k.expires_at && Date.parse(k.expires_at) < Date.now() ? 'expired' : 'active',
      header: t('keys.status'),
      cell: (c) => (
        <span className={`badge ${c.getValue() as string}`}>
          {t(`keys.${c.getValue() as 'active' | 'revoked' | 'expired'}`)}
        </span>
      ),
    },
    {
      id: 'last_use',
      header: t('keys.lastUse'),
      enableSorting: false,
      cell: (c) => <LastUse keyId={c.row.original.id} />,
    },
    {
      id: 'policy',
      accessorFn: (k) => (k.policy ? JSON.stringify(k.policy) : ''),
      header: t('keys.scope'),
      enableSorting: false,
      cell: (c) => {
        const p = c.row.original.policy;
        if (!p) return <span className="muted">{t('keys.inherits')}</span>;
        return (
          <span className="scope">
            {p.allow_models && `${t('keys.models')}: ${p.allow_models.join(', ')} `}
            {p.limits &&
              Object.entries(p.limits)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}
          </span>
        );
      },
    },
    {
      id: 'actions',
      header: t('keys.actions'),
      enableSorting: false,
      cell: (c) => {
        const k = c.row.original;
        if (k.revoked) return null;
        return (
          <span className="actions">
            <button
              type="button"
              className="small"
              onClick={() => setEditing(k)}
              aria-label={t('keys.editAria', { name: k.name })}
            >
              {t('action.edit')}
            </button>
            {confirming === k.id ? (
              <>
                <button type="button" className="small danger" onClick={() => void revoke(k)}>
                  {t('keys.confirmRevoke')}
                </button>
                <button type="button" className="small" onClick={() => setConfirming(null)}>
                  {t('action.cancel')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="small danger"
                onClick={() => setConfirming(k.id)}
                aria-label={t('keys.revokeAria', { name: k.name })}
              >
                {t('keys.revoke')}
              </button>
            )}
          </span>
        );
      },
    },
  ];

  return (
    <div className="page">
      {!forAccount && (
        <div className="page-head">
          <h1>{t('keys.title')}</h1>
          <p className="hint">{t('keys.intro', { account: me.account_path })}</p>
        </div>
      )}
      {created && <SecretPanel created={created} onDone={() => setCreated(null)} />}
      <Section title={t('keys.create')} id="create-key" wide>
        <form onSubmit={create} className="stack" id="create-key-form">
          <div className="row">
            <label>
              {t('keys.name')}
              <input name="name" required maxLength={100} />
            </label>
            <label>
              {t('keys.expires')}
              <input name="expires" type="date" />
            </label>
          </div>
          <PolicyFields />
          <button type="submit" className="primary">
            {t('keys.createButton')}
          </button>
          <p className="form-error" role="alert">
            {createError}
          </p>
        </form>
      </Section>
      <Section title={t('keys.list')} id="keys" wide>
        {rowError && (
          <p className="form-error" role="alert">
            {rowError}
          </p>
        )}
        <Show loaded={keys} retry={reload}>
          {({ data }) => (
            <DataTable<Key>
              label={t('keys.list')}
              csvName="switchyard-keys"
              data={data}
              columns={columns}
              initialSort={[{ id: 'created_at', desc: true }]}
              rowClass={(k) => (k.revoked ? 'revoked' : undefined)}
            />
          )}
        </Show>
      </Section>
      {editing && (
        <EditKey
          k={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </div>
  );
}
