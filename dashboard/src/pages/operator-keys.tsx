// Levels and upstream keys (root): each level's keys with weight, enabled switch and live health
// from the key pool (cooling until, disabled by the provider, last error, error counts, alerts),
// refreshed every few seconds while the page is open; add a level, add a key (the secret is
// write-only: sent once, never shown back, only its last four characters).
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { useI18n } from '../i18n';
import { useLoad } from '../load';
import { useFormat } from '../session';
import './operator.css';

type Level = Schemas['Level'];
type UpstreamKey = Schemas['UpstreamKey'];
type Health = Schemas['KeyHealth'];
type PoolHealth = { keys: Record<string, Health>; alerts: { keyId: string; at: number; reason: string }[] };

/** How often the health of every level is read while the page is open. */
export const HEALTH_REFRESH_MS = 2000;
const providers = ['openai', 'anthropic', 'gemini', 'azure-openai', 'openai-compatible', 'mock'] as const;

function useHealth(levels: Level[]): [Record<number, PoolHealth>, () => void] {
  const [health, setHealth] = useState<Record<number, PoolHealth>>({});
  const [round, setRound] = useState(0);
  const ids = levels.map((l) => l.id).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read when the level ids change or on demand
  useEffect(() => {
    let live = true;
    const read = async () => {
      const entries = await Promise.all(
        levels.map(async (l) => {
          const h = await ok(api.GET('/admin/v1/levels/{id}/health', { params: { path: { id: l.id } } }));
          return [l.id, h] as const;
        }),
      ).catch(() => null);
      if (live && entries) setHealth(Object.fromEntries(entries));
    };
    void read();
    const timer = setInterval(read, HEALTH_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [ids, round]);
  return [health, () => setRound((r) => r + 1)];
}

function HealthCell({ h }: { h: Health | undefined }) {
  const { t } = useI18n();
  const fmt = useFormat();
  if (!h || (!h.disabled && h.coolUntil <= Date.now()))
    return (
      <span className="badge good" data-health="healthy">
        {t('opkeys.healthy')}
      </span>
    );
  if (h.disabled)
    return (
      <span className="badge bad" data-health="disabled">
        {t('opkeys.disabledByProvider')}
      </span>
    );
  return (
    <span className="badge warn" data-health="cooling">
      {t('opkeys.coolingUntil', { at: fmt.dateTime(h.coolUntil) })}
    </span>
  );
}

function KeyRow({ k, h, onChanged }: { k: UpstreamKey; h: Health | undefined; onChanged: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [weight, setWeight] = useState(String(k.weight));
  const [error, setError] = useState('');
  const run = async (call: () => Promise<unknown>) => {
    setError('');
    try {
      await call();
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const patch = (body: Schemas['UpstreamKeyUpdate']) =>
    run(() => ok(api.PATCH('/admin/v1/upstream-keys/{id}', { params: { path: { id: k.id } }, body })));
  const sick = h !== undefined && (h.disabled || h.coolUntil > Date.now());
  return (
    <tr data-key={k.id} className={k.status === 'disabled' ? 'revoked' : undefined}>
      <td>
        <code>{k.id}</code>
        <div className="muted">
          {k.provider}
          {k.base_url ? ` · ${k.base_url}` : ''}
        </div>
      </td>
      <td>{k.has_secret ? <code>••••{k.last4 ?? ''}</code> : <span className="muted">—</span>}</td>
      <td>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void patch({ weight: Number(weight) });
          }}
        >
          <input
            aria-label={t('opkeys.weightOf', { id: k.id })}
            name="weight"
            type="number"
            min={1}
            max={1000}
            value={weight}
            onChange={(e) => setWeight(e.currentTarget.value)}
          />
          {weight !== String(k.weight) && (
            <button type="submit" className="small">
              {t('action.save')}
            </button>
          )}
        </form>
      </td>
      <td>
        <label className="inline">
          <input
            type="checkbox"
            checked={k.status === 'active'}
            aria-label={t('opkeys.enabledOf', { id: k.id })}
            onChange={(e) => void patch({ status: e.currentTarget.checked ? 'active' : 'disabled' })}
          />
          {k.status === 'active' ? t('opkeys.inRotation') : t('opkeys.outOfRotation')}
        </label>
      </td>
      <td>
        <HealthCell h={h} />
        {h?.lastError && (
          <div className="muted last-error">
            {t('opkeys.lastError', { error: h.lastError, at: fmt.dateTime(h.lastErrorAt ?? null) })}
          </div>
        )}
      </td>
      <td className="num">{h?.errorCount ?? 0}</td>
      <td className="num">{h?.failures ?? 0}</td>
      <td>
        {sick && (
          <button
            type="button"
            className="small primary"
            onClick={() =>
              void run(() =>
                ok(api.POST('/admin/v1/upstream-keys/{id}/enable', { params: { path: { id: k.id } } })),
              )
            }
          >
            {t('opkeys.reEnable')}
          </button>
        )}
        {error && <p className="form-error">{error}</p>}
      </td>
    </tr>
  );
}

function LevelCard({
  level,
  health,
  onChanged,
}: {
  level: Level;
  health?: PoolHealth;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const fmt = useFormat();
  const keys = level.upstream_keys ?? [];
  return (
    <Section
      title={t('opkeys.levelTitle', { id: level.id, name: level.name })}
      id={`level-${level.id}`}
      wide
      actions={
        <span className="muted">
          {t('opkeys.levelMeta', {
            retries: level.retries,
            firstByte: fmt.ms(level.timeouts.first_byte_ms),
          })}
        </span>
      }
    >
      <div className="scroll">
        <table aria-label={t('opkeys.keysOf', { name: level.name })}>
          <thead>
            <tr>
              <th>{t('opkeys.key')}</th>
              <th>{t('opkeys.secret')}</th>
              <th>{t('opkeys.weight')}</th>
              <th>{t('opkeys.enabled')}</th>
              <th>{t('opkeys.health')}</th>
              <th className="num">{t('opkeys.errors')}</th>
              <th className="num">{t('opkeys.failures')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <KeyRow key={`${k.id}:${k.updated_at}`} k={k} h={health?.keys[k.id]} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
      {keys.length === 0 && <p className="state empty">{t('opkeys.noKeys')}</p>}
      {(health?.alerts.length ?? 0) > 0 && (
        <div className="alerts" role="log" aria-label={t('opkeys.alerts')}>
          <h3>{t('opkeys.alerts')}</h3>
          <ul>
            {health?.alerts
              .slice(-5)
              .reverse()
              .map((a) => (
                <li key={`${a.keyId}-${a.at}`}>
                  <span className="muted">{fmt.dateTime(a.at)}</span> <code>{a.keyId}</code> {a.reason}
                </li>
              ))}
          </ul>
        </div>
      )}
    </Section>
  );
}

function AddKey({ levels, onAdded }: { levels: Level[]; onAdded: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const text = (name: string) => String(f.get(name) ?? '').trim();
    setError('');
    try {
      await ok(
        api.POST('/admin/v1/upstream-keys', {
          body: {
            id: text('id'),
            level_id: Number(text('level_id')),
            provider: text('provider') as (typeof providers)[number],
            weight: Number(text('weight') || '1'),
            ...(text('base_url') ? { base_url: text('base_url') } : {}),
            ...(text('secret') ? { secret: text('secret') } : {}),
          },
        }),
      );
      // The secret leaves the page with the request: nothing keeps it.
      form.reset();
      onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <Section title={t('opkeys.addKey')} id="add-key">
      <form id="add-key-form" className="stack" onSubmit={(e) => void submit(e)} autoComplete="off">
        <div className="row">
          <label>
            {t('opkeys.keyId')}
            <input name="id" required pattern="[a-z0-9][a-z0-9_\-]{0,63}" />
          </label>
          <label>
            {t('opkeys.level')}
            <select name="level_id">
              {levels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.id} · {l.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('opkeys.provider')}
            <select name="provider" defaultValue="openai">
              {providers.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label>
            {t('opkeys.weight')}
            <input name="weight" type="number" min={1} max={1000} defaultValue={1} />
          </label>
        </div>
        <label>
          {t('opkeys.baseUrl')}
          <input name="base_url" type="url" placeholder="https://api.openai.com/v1" />
        </label>
        <label>
          {t('opkeys.secret')}
          <input name="secret" type="password" autoComplete="new-password" spellCheck={false} />
          <span className="hint">{t('opkeys.secretHint')}</span>
        </label>
        <p className="form-error" role="alert">
          {error}
        </p>
        <button type="submit" className="primary">
          {t('opkeys.addKey')}
        </button>
      </form>
    </Section>
  );
}

function AddLevel({ onAdded }: { onAdded: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError('');
    try {
      await ok(
        api.POST('/admin/v1/levels', {
          body: {
            id: Number(f.get('id')),
            name: String(f.get('name') ?? ''),
            retries: Number(f.get('retries') ?? 1),
          },
        }),
      );
      form.reset();
      onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <Section title={t('opkeys.addLevel')} id="add-level">
      <form id="add-level-form" className="stack" onSubmit={(e) => void submit(e)}>
        <div className="row">
          <label>
            {t('opkeys.levelId')}
            <input name="id" type="number" min={1} required />
          </label>
          <label>
            {t('opkeys.levelName')}
            <input name="name" required />
          </label>
          <label>
            {t('opkeys.retries')}
            <input name="retries" type="number" min={0} max={10} defaultValue={1} />
          </label>
        </div>
        <p className="form-error" role="alert">
          {error}
        </p>
        <button type="submit">{t('opkeys.addLevel')}</button>
      </form>
    </Section>
  );
}

export default function OperatorKeysPage() {
  const { t } = useI18n();
  const [levels, reload] = useLoad(() => ok(api.GET('/admin/v1/levels')).then((r) => r.data), []);
  const list = levels.state === 'done' ? levels.data : [];
  const [health, rereadHealth] = useHealth(list);
  const changed = () => {
    reload();
    rereadHealth();
  };
  return (
    <div className="page" id="operator-keys">
      <header className="page-head">
        <h1>{t('opkeys.title')}</h1>
        <p className="muted">{t('opkeys.intro', { seconds: HEALTH_REFRESH_MS / 1000 })}</p>
      </header>
      <Show loaded={levels} retry={reload}>
        {(data) => (
          <>
            {data.map((l) => (
              <LevelCard key={l.id} level={l} health={health[l.id]} onChanged={changed} />
            ))}
            <AddKey levels={data} onAdded={changed} />
            <AddLevel onAdded={changed} />
          </>
        )}
      </Show>
    </div>
  );
}
