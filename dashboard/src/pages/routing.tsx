// The routing map (root): for an account of the tree, every model its policy chain names (and any
// model typed in) as one sentence — "model X from account Y goes to level N, then M" — with the
// mapper and level_mapper layer that decided, resolved by the API the way requests are.
import { type FormEvent, useMemo } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useSession } from '../session';
import './operator.css';
import { useQueryState } from './operator-url';

type Route = Schemas['ModelRoute'];

function LevelName({ id, names }: { id: number; names: Map<number, string> }) {
  return (
    <span className="level-chip" data-level={id}>
      {id}
      {names.get(id) ? ` · ${names.get(id)}` : ''}
    </span>
  );
}

function RouteLine({ r, account, names }: { r: Route; account: string; names: Map<number, string> }) {
  const { t } = useI18n();
  const head = (
    <>
      <code>{r.requested}</code> {t('routing.from')} <strong>{account}</strong>
    </>
  );
  if (r.refused)
    return (
      <li className="route refused" data-model={r.requested}>
        {head} <span className="badge bad">{t('routing.refused')}</span> <code>{r.refused}</code>
        {r.model !== r.requested && (
          <span className="muted"> {t('routing.mappedTo', { model: r.model })}</span>
        )}
      </li>
    );
  return (
    <li className="route" data-model={r.requested}>
      {head}
      {r.model !== r.requested && (
        <>
          {' '}
          {t('routing.becomes')} <code>{r.model}</code>
          <span className="muted"> ({r.mapped_by})</span>
        </>
      )}{' '}
      {t('routing.goesTo')} {r.level !== null && <LevelName id={r.level} names={names} />}
      <span className="muted"> ({r.level_by ?? t('routing.defaultLevel')})</span>
      {r.switch_over.map((l) => (
        <span key={l}>
          {', '}
          {t('routing.then')} <LevelName id={l} names={names} />
        </span>
      ))}
    </li>
  );
}

export default function RoutingPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [account, setAccount] = useQueryState('account', me.account_id ?? '');
  const [models, setModels] = useQueryState('model', '');
  const [accounts] = useLoad(
    () => ok(api.GET('/admin/v1/accounts', { params: { query: { limit: 1000 } } })).then((r) => r.data),
    [],
  );
  const [levels] = useLoad(() => ok(api.GET('/admin/v1/levels')).then((r) => r.data), []);
  const [map, reload] = useLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/routes', {
          params: { path: { id: account }, query: models ? { model: models } : {} },
        }),
      ),
    [account, models],
  );
  const names = useMemo(
    () => new Map(levels.state === 'done' ? levels.data.map((l) => [l.id, l.name] as const) : []),
    [levels],
  );
  const accountName =
    accounts.state === 'done' ? (accounts.data.find((a) => a.id === account)?.name ?? account) : account;
  const tryModels = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setModels(String(new FormData(e.currentTarget).get('model') ?? '').trim());
  };
  return (
    <div className="page" id="routing">
      <header className="page-head">
        <h1>{t('routing.title')}</h1>
        <p className="muted">{t('routing.intro')}</p>
      </header>
      <Section title={t('routing.mapTitle')} id="routing-map" wide>
        <div className="filters">
          <label>
            {t('routing.account')}
            <select name="account" value={account} onChange={(e) => setAccount(e.currentTarget.value)}>
              {accounts.state === 'done' &&
                accounts.data.map((a) => (
                  <option key={a.id} value={a.id}>
                    {`${'  '.repeat(a.depth - 1)}${a.name} (${a.id})`}
                  </option>
                ))}
            </select>
          </label>
          <form className="filters" onSubmit={tryModels}>
            <label>
              {t('routing.tryModel')}
              <input name="model" defaultValue={models} placeholder="gpt-4o, claude-sonnet-4-5" />
            </label>
            <button type="submit">{t('routing.resolve')}</button>
          </form>
        </div>
        <Show loaded={map} retry={reload} empty={(m) => m.data.length === 0}>
          {(m) => (
            <>
              <p className="muted">
                {m.default_level
                  ? t('routing.defaultIs', { level: m.default_level.value, source: m.default_level.source })
                  : t('routing.noDefault')}
              </p>
              <ul className="routes">
                {m.data.map((r) => (
                  <RouteLine key={r.requested} r={r} account={accountName} names={names} />
                ))}
              </ul>
            </>
          )}
        </Show>
      </Section>
    </div>
  );
}
