// Money of one account (credits and plans): its balance and ledger (filter by kind and source, paged by the API's
// cursor, CSV of every matching entry), top-up (the root), allocation from the parent and debit,
// the plans granted (subscriptions, cards with their expiry, add-ons) with today's remaining
// allowance, and redemption codes (minted by the root and shown once; redeemed by anyone). Amounts
// come as integer micro-units or exact decimal strings and are formatted without a float.
import { type FormEvent, useState } from 'react';
import { CHARGE_SOURCES, LEDGER_KINDS } from '../../../src/billing/ledger-kinds';
import { api, ok, type Schemas, saveBlob } from '../api/client';
import { Section, Show } from '../components/states';
import { toCsv } from '../format';
import { type MessageKey, useI18n } from '../i18n';
import { useFormat, useSession } from '../session';
import { useKeptLoad } from './kept-load';

type Account = Schemas['Account'];
type Entry = Schemas['LedgerEntry'];
const kinds = LEDGER_KINDS;
const sources = CHARGE_SOURCES;
type Kind = (typeof kinds)[number];
type Source = (typeof sources)[number];
const PAGE = 25;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function MoneyForm({
  id,
  title,
  submit,
  onDone,
}: {
  id: string;
  title: string;
  submit: (amount: string, memo: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    setError('');
    try {
      await submit(String(form.get('amount') ?? '').trim(), String(form.get('memo') ?? '').trim());
      el.reset();
      onDone();
    } catch (err) {
      setError(message(err));
    }
  }
  return (
    <form id={id} onSubmit={onSubmit} className="stack money-form">
      <div className="row">
        <label>
          {t('money.amount')}
          <input name="amount" required inputMode="decimal" pattern="\d{1,12}(\.\d{1,6})?" />
        </label>
        <label>
          {t('money.memo')}
          <input name="memo" maxLength={500} />
        </label>
      </div>
      <button type="submit" className="primary">
        {title}
      </button>
      <p className="form-error" role="alert">
        {error}
      </p>
    </form>
  );
}

function Ledger({ account, round }: { account: Account; round: number }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [kind, setKind] = useState<Kind | ''>('');
  const [source, setSource] = useState<Source | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query = { ...(kind && { kind }), ...(source && { source }) };
  const [page, reload] = useKeptLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/ledger', {
          params: { path: { id: account.id }, query: { limit: PAGE, ...query, ...(cursor && { cursor }) } },
        }),
      ),
    [account.id, kind, source, cursor],
    round,
  );
  async function csv() {
    const all: Entry[] = [];
    let next: string | undefined;
    do {
      const p = await ok(
        api.GET('/admin/v1/accounts/{id}/ledger', {
          params: {
            path: { id: account.id },
            query: { limit: 1000, ...query, ...(next && { cursor: next }) },
          },
        }),
      );
      all.push(...p.data);
      next = p.next_cursor ?? undefined;
    } while (next);
    const header = [
      'created_at',
      'kind',
      'amount_micros',
      'source',
      'counterparty_account_id',
      'memo',
      'created_by',
      'id',
    ] as const;
    saveBlob(
      new Blob(
        [
          toCsv(
            header,
            all.map((e) => header.map((h) => e[h])),
          ),
        ],
        { type: 'text/csv' },
      ),
      `switchyard-ledger-${account.id}.csv`,
    );
  }
  return (
    <Section
      title={t('money.ledger')}
      id="ledger"
      wide
      actions={
        <button type="button" className="small" onClick={() => void csv()}>
          {t('action.csv')}
        </button>
      }
    >
      <form className="filters" onSubmit={(e) => e.preventDefault()} id="ledger-filters">
        <label>
          {t('money.kind')}
          <select
            name="kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as Kind | '');
              setCursors([]);
            }}
          >
            <option value="">{t('money.any')}</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`money.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('money.source')}
          <select
            name="source"
            value={source}
            onChange={(e) => {
              setSource(e.target.value as Source | '');
              setCursors([]);
            }}
          >
            <option value="">{t('money.any')}</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {t(`money.source.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Show loaded={page} retry={reload}>
        {(p) => (
          <>
            {p.data.length === 0 ? (
              <p className="state empty">{t('state.empty')}</p>
            ) : (
              <div className="scroll">
                <table aria-label={t('money.ledger')}>
                  <thead>
                    <tr>
                      <th>{t('money.when')}</th>
                      <th>{t('money.kind')}</th>
                      <th className="num">{t('money.amount')}</th>
                      <th>{t('money.source')}</th>
                      <th>{t('money.counterparty')}</th>
                      <th>{t('money.memo')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.data.map((e) => (
                      <tr key={e.id} data-kind={e.kind}>
                        <td>{fmt.dateTime(e.created_at)}</td>
                        <td>
                          <span className="badge">{t(`money.kind.${e.kind}` as MessageKey)}</span>
                        </td>
                        <td className={`num ${e.amount_micros < 0 ? 'negative' : ''}`}>
                          {fmt.money(e.amount_micros)}
                        </td>
                        <td>{e.source ? t(`money.source.${e.source}` as MessageKey) : '—'}</td>
                        <td>{e.counterparty_account_id ?? '—'}</td>
                        <td>{e.memo ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {(cursors.length > 0 || p.next_cursor) && (
              <nav className="pager" aria-label={t('table.pages')}>
                <button
                  type="button"
                  className="small"
                  disabled={cursors.length === 0}
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                >
                  {t('table.previous')}
                </button>
                <span>{t('tree.pageNo', { page: cursors.length + 1 })}</span>
                <button
                  type="button"
                  className="small"
                  disabled={!p.next_cursor}
                  onClick={() => p.next_cursor && setCursors((c) => [...c, p.next_cursor as string])}
                >
                  {t('table.next')}
                </button>
              </nav>
            )}
          </>
        )}
      </Show>
    </Section>
  );
}

function Grants({ account, round }: { account: Account; round: number }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [grants, reload] = useKeptLoad(
    () => ok(api.GET('/admin/v1/accounts/{id}/grants', { params: { path: { id: account.id } } })),
    [account.id],
    round,
  );
  const [quota] = useKeptLoad(
    () => ok(api.GET('/admin/v1/analytics/quota', { params: { query: { account: account.id } } })),
    [account.id],
    round,
  );
  const today =
    quota.state === 'done' ? quota.data.data.filter((r) => r.item === 'allowance' || r.item === 'addon') : [];
  return (
    <Section title={t('money.plans')} id="grants" wide>
      {today.length > 0 && (
        <ul className="quota-list" id="allowance-today">
          {today.map((r) => (
            <li key={r.item}>
              {t('money.allowanceToday', {
                item: t(`money.kind.${r.item === 'allowance' ? 'subscription' : 'addon'}` as MessageKey),
                remaining: fmt.money(Number(r.remaining ?? 0)),
                limit: fmt.money(Number(r.limit ?? 0)),
              })}
            </li>
          ))}
        </ul>
      )}
      <Show loaded={grants} retry={reload}>
        {(g) =>
          g.data.length === 0 ? (
            <p className="state empty">{t('money.noPlans')}</p>
          ) : (
            <div className="scroll">
              <table aria-label={t('money.plans')}>
                <thead>
                  <tr>
                    <th>{t('money.plan')}</th>
                    <th>{t('money.kind')}</th>
                    <th className="num">{t('money.dailyAllowance')}</th>
                    <th className="num">{t('money.remaining')}</th>
                    <th>{t('money.expires')}</th>
                    <th>{t('tree.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.data.map((x) => (
                    <tr key={x.id}>
                      <td>{x.plan_id}</td>
                      <td>
                        <span className="badge">{t(`money.kind.${x.kind}` as MessageKey)}</span>
                      </td>
                      <td className="num">{x.daily_allowance ? fmt.moneyDecimal(x.daily_allowance) : '—'}</td>
                      <td className="num">{x.remaining ? fmt.moneyDecimal(x.remaining) : '—'}</td>
                      <td>{fmt.dateTime(x.expires_at)}</td>
                      <td>{x.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </Section>
  );
}

function Codes({ account, onRedeemed }: { account: Account; onRedeemed: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const root = account.parent_id === null;
  const [shown, setShown] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [redeemError, setRedeemError] = useState('');
  const [redeemed, setRedeemed] = useState('');
  const [plans] = useKeptLoad(
    () => (root ? ok(api.GET('/admin/v1/plans')) : Promise.resolve({ data: [] })),
    [root],
  );
  const [codes, reload] = useKeptLoad(
    () => (root ? ok(api.GET('/admin/v1/redemption-codes')) : Promise.resolve({ data: [] })),
    [root],
  );
  async function mint(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError('');
    try {
      const r = await ok(
        api.POST('/admin/v1/redemption-codes', {
          body: { plan_id: String(form.get('plan')), count: Number(form.get('count') ?? 1) },
        }),
      );
      setShown(r.codes);
      reload();
    } catch (err) {
      setError(message(err));
    }
  }
  async function redeem(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const code = String(new FormData(el).get('code') ?? '').trim();
    setRedeemError('');
    setRedeemed('');
    try {
      const g = await ok(api.POST('/admin/v1/redeem', { body: { code, account_id: account.id } }));
      setRedeemed(t('money.redeemed', { plan: g.plan_id }));
      el.reset();
      onRedeemed();
    } catch (err) {
      setRedeemError(message(err));
    }
  }
  return (
    <Section title={t('money.codes')} id="codes" wide>
      <form id="redeem-form" className="row" onSubmit={redeem}>
        <label>
          {t('money.code')}
          <input name="code" required maxLength={200} autoComplete="off" />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary">
            {t('money.redeem', { name: account.name })}
          </button>
        </div>
      </form>
      {redeemed && <p className="notice">{redeemed}</p>}
      <p className="form-error" role="alert">
        {redeemError}
      </p>
      {root && (
        <>
          <form id="mint-form" className="row" onSubmit={mint}>
            <label>
              {t('money.plan')}
              <select name="plan" required>
                {plans.state === 'done' &&
                  plans.data.data
                    .filter((p) => p.status === 'active')
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name} ({t(`money.kind.${p.kind}` as MessageKey)})
                      </option>
                    ))}
              </select>
            </label>
            <label>
              {t('money.count')}
              <input name="count" type="number" min={1} max={100} defaultValue={1} />
            </label>
            <div className="filter-actions">
              <button type="submit">{t('money.mint')}</button>
            </div>
          </form>
          <p className="form-error" role="alert">
            {error}
          </p>
          {shown.length > 0 && (
            <div className="secret-block" id="new-codes">
              <p className="notice">{t('money.codesShownOnce')}</p>
              <ul>
                {shown.map((c) => (
                  <li key={c}>
                    <code>{c}</code>
                  </li>
                ))}
              </ul>
              <button type="button" className="small" onClick={() => setShown([])}>
                {t('keys.savedIt')}
              </button>
            </div>
          )}
          <Show loaded={codes} retry={reload}>
            {(c) =>
              c.data.length === 0 ? (
                <p className="state empty">{t('state.empty')}</p>
              ) : (
                <div className="scroll">
                  <table aria-label={t('money.codes')} id="codes-table">
                    <thead>
                      <tr>
                        <th>{t('money.codeId')}</th>
                        <th>{t('money.plan')}</th>
                        <th>{t('money.created')}</th>
                        <th>{t('money.redeemedBy')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.data.map((x) => (
                        <tr key={x.id}>
                          <td>
                            <code>{x.id}</code>
                          </td>
                          <td>{x.plan_id}</td>
                          <td>{fmt.dateTime(x.created_at)}</td>
                          <td>
                            {x.redeemed_by_account_id
                              ? `${x.redeemed_by_account_id} · ${fmt.dateTime(x.redeemed_at)}`
                              : '—'}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </Show>
        </>
      )}
    </Section>
  );
}

export function MoneyPanel({ account, onChanged }: { account: Account; onChanged: () => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const fmt = useFormat();
  const [round, setRound] = useState(0);
  const [balance, reload] = useKeptLoad(
    () => ok(api.GET('/admin/v1/accounts/{id}/balance', { params: { path: { id: account.id } } })),
    [account.id],
    round,
  );
  const changed = () => {
    setRound((r) => r + 1);
    onChanged();
  };
  const root = account.parent_id === null;
  const below = account.id !== me.account_id;
  const post = (action: 'topup' | 'allocate' | 'debit') => (amount: string, memo: string) =>
    ok(
      api.POST(`/admin/v1/accounts/{id}/ledger/${action}`, {
        params: { path: { id: account.id } },
        body: { amount, ...(memo && { memo }) },
      }),
    );
  return (
    <div className="page">
      <Section title={t('money.balance')} id="balance">
        <Show loaded={balance} retry={reload}>
          {(b) => (
            <p className="figure-big" data-figure="balance">
              {fmt.money(b.balance_micros)}
            </p>
          )}
        </Show>
        {root && (
          <MoneyForm id="topup-form" title={t('money.topup')} submit={post('topup')} onDone={changed} />
        )}
      </Section>
      {below && (
        <Section title={t('money.moveTitle')} id="move">
          <p className="hint">{t('money.allocateHint', { name: account.name })}</p>
          <MoneyForm
            id="allocate-form"
            title={t('money.allocate')}
            submit={post('allocate')}
            onDone={changed}
          />
          <MoneyForm id="debit-form" title={t('money.debit')} submit={post('debit')} onDone={changed} />
        </Section>
      )}
      <Ledger account={account} round={round} />
      <Grants account={account} round={round} />
      <Codes account={account} onRedeemed={changed} />
    </div>
  );
}
