// The playground: send a chat to any model the chosen gateway key may use, in the chosen client
// protocol, streamed — the way an operator checks a new upstream key. Shows the answer as it
// arrives, the usage the stream reported, the routing decision (level, upstream key, retries,
// switch-over: the gateway's x-switchyard-* headers) and, once the usage pipeline has written it,
// the request as metered (cost from the price table) from the request log.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api, ok, type Schemas } from '../api/client';
import { Section } from '../components/states';
import { useI18n } from '../i18n';
import { useFormat, useSession } from '../session';
import './operator.css';
import {
  chatRequest,
  errorMessage,
  listModels,
  type Protocol,
  protocols,
  type Routing,
  readStream,
  routingOf,
  type Usage,
} from './playground-wire';

type Detail = Schemas['RequestDetail'];
interface ChosenKey {
  label: string;
  secret: string;
}

const PLAYGROUND_KEY_HOURS = 1;
const METERED_WAIT_MS = 30_000;

/** The request as metered: the usage event appears once the Queue consumer wrote it. */
async function metered(requestId: string, live: () => boolean): Promise<Detail | null> {
  const deadline = Date.now() + METERED_WAIT_MS;
  while (live() && Date.now() < deadline) {
    const { data, response } = await api.GET('/admin/v1/requests/{request_id}', {
      params: { path: { request_id: requestId } },
    });
    if (response.ok && data) return data;
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

function useModels(key: string): string[] {
  const [models, setModels] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    setModels([]);
    if (!key) return;
    listModels(key).then(
      (ids) => live && setModels(ids),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [key]);
  return models;
}

function KeyChooser({ keys, onAdd }: { keys: ChosenKey[]; onAdd: (k: ChosenKey) => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const account = me.account_id ?? me.account_path.split('/').filter(Boolean).at(-1) ?? '';
  const [error, setError] = useState('');
  const create = async () => {
    setError('');
    try {
      const created = await ok(
        api.POST('/admin/v1/accounts/{id}/keys', {
          params: { path: { id: account } },
          body: {
            name: 'playground',
            expires_at: new Date(Date.now() + PLAYGROUND_KEY_HOURS * 3_600_000).toISOString(),
          },
        }),
      );
      onAdd({ label: `${created.prefix}… (${created.name}, ${account})`, secret: created.key });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const paste = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const secret = String(new FormData(form).get('pasted') ?? '').trim();
    if (!secret) return;
    onAdd({ label: `${secret.slice(0, 10)}…`, secret });
    form.reset();
  };
  return (
    <div className="stack">
      <div className="filters">
        <button type="button" onClick={() => void create()} id="playground-create-key">
          {t('playground.createKey', { hours: PLAYGROUND_KEY_HOURS })}
        </button>
        <form className="filters" onSubmit={paste} autoComplete="off">
          <label>
            {t('playground.pasteKey')}
            <input name="pasted" type="password" autoComplete="off" spellCheck={false} placeholder="sy_…" />
          </label>
          <button type="submit">{t('playground.useKey')}</button>
        </form>
      </div>
      {keys.length === 0 && <p className="hint">{t('playground.keyHint')}</p>}
      <p className="form-error">{error}</p>
    </div>
  );
}

export default function PlaygroundPage() {
  const { t } = useI18n();
  const fmt = useFormat();
  const [keys, setKeys] = useState<ChosenKey[]>([]);
  const [keyIndex, setKeyIndex] = useState(0);
  const key = keys[keyIndex]?.secret ?? '';
  const models = useModels(key);
  const [protocol, setProtocol] = useState<Protocol>('openai');
  const [answer, setAnswer] = useState('');
  const [usage, setUsage] = useState<Usage | null>(null);
  const [routing, setRouting] = useState<Routing | null>(null);
  const [timing, setTiming] = useState<{ ttft: number | null; total: number | null }>({
    ttft: null,
    total: null,
  });
  const [detail, setDetail] = useState<Detail | null | 'waiting'>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  async function send(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const model = String(f.get('model') ?? '').trim();
    const prompt = String(f.get('prompt') ?? '');
    setAnswer('');
    setUsage(null);
    setRouting(null);
    setDetail(null);
    setError('');
    setBusy(true);
    const started = performance.now();
    setTiming({ ttft: null, total: null });
    try {
      const { url, init } = chatRequest(protocol, model, prompt, key);
      const res = await fetch(url, init);
      setRouting(routingOf(res));
      if (!res.ok) throw new Error(await errorMessage(res));
      await readStream(protocol, res, {
        text: (d) => setAnswer((a) => a + d),
        usage: setUsage,
        firstToken: () => setTiming((x) => ({ ...x, ttft: Math.round(performance.now() - started) })),
      });
      setTiming((x) => ({ ...x, total: Math.round(performance.now() - started) }));
      const id = res.headers.get('x-request-id');
      if (id) {
        setDetail('waiting');
        setDetail(await metered(id, () => live.current));
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page" id="playground">
      <header className="page-head">
        <h1>{t('playground.title')}</h1>
        <p className="muted">{t('playground.intro')}</p>
      </header>
      <Section title={t('playground.request')} id="playground-request">
        <KeyChooser
          keys={keys}
          onAdd={(k) => {
            setKeys((ks) => [...ks, k]);
            setKeyIndex(keys.length);
          }}
        />
        <form id="playground-form" className="stack" onSubmit={(e) => void send(e)}>
          <div className="row">
            <label>
              {t('playground.key')}
              <select
                name="key"
                value={keyIndex}
                onChange={(e) => setKeyIndex(Number(e.currentTarget.value))}
              >
                {keys.map((k, i) => (
                  <option key={k.label} value={i}>
                    {k.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('playground.protocol')}
              <select
                name="protocol"
                value={protocol}
                onChange={(e) => setProtocol(e.currentTarget.value as Protocol)}
              >
                {protocols.map((p) => (
                  <option key={p} value={p}>
                    {t(`playground.protocol.${p}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('playground.model')}
              <input
                name="model"
                list="playground-models"
                required
                defaultValue={models[0] ?? ''}
                key={models[0]}
              />
              <datalist id="playground-models">
                {models.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </label>
          </div>
          <label>
            {t('playground.prompt')}
            <textarea name="prompt" rows={4} required defaultValue={t('playground.defaultPrompt')} />
          </label>
          <button type="submit" className="primary" disabled={busy || !key}>
            {busy ? t('playground.sending') : t('playground.send')}
          </button>
          <p className="form-error" role="alert">
            {error}
          </p>
        </form>
      </Section>
      <Section title={t('playground.answer')} id="playground-result">
        <pre id="playground-answer" className="answer" aria-live="polite">
          {answer || <span className="muted">{t('playground.noAnswer')}</span>}
        </pre>
        <dl className="detail" id="playground-facts">
          <div>
            <dt>{t('playground.usage')}</dt>
            <dd id="playground-usage">
              {usage
                ? t('playground.tokens', { input: fmt.num(usage.input), output: fmt.num(usage.output) })
                : '—'}
            </dd>
          </div>
          <div>
            <dt>{t('playground.routing')}</dt>
            <dd id="playground-routing">
              {routing?.level
                ? t('playground.routedTo', {
                    level: routing.level,
                    key: routing.upstreamKey ?? '—',
                    retries: routing.retries ?? '0',
                  }) + (routing.switchedOver === '1' ? ` · ${t('playground.switchedOver')}` : '')
                : '—'}
            </dd>
          </div>
          <div>
            <dt>{t('playground.timing')}</dt>
            <dd>{t('playground.timingValue', { ttft: fmt.ms(timing.ttft), total: fmt.ms(timing.total) })}</dd>
          </div>
          <div>
            <dt>{t('playground.requestId')}</dt>
            <dd>
              <code>{routing?.requestId ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>{t('playground.cost')}</dt>
            <dd id="playground-cost">
              {detail === 'waiting'
                ? t('playground.metering')
                : detail
                  ? `${fmt.money(detail.cost_micros)}${detail.unpriced ? ` · ${t('playground.unpriced')}` : ''}`
                  : '—'}
            </dd>
          </div>
          {detail && detail !== 'waiting' && (
            <div>
              <dt>{t('playground.metered')}</dt>
              <dd id="playground-metered">
                {t('playground.meteredValue', {
                  input: fmt.num(detail.prompt_tokens),
                  output: fmt.num(detail.completion_tokens),
                  model: detail.model,
                  provider: detail.provider ?? '—',
                })}
                {detail.upstream_key_last4 &&
                  ` ${t('playground.meteredKey', { last4: detail.upstream_key_last4 })}`}
              </dd>
            </div>
          )}
        </dl>
      </Section>
    </div>
  );
}
