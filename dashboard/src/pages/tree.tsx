// Accounts: the caller's subtree one level at a time (GET /accounts/{id}/tree pages the children,
// or searches the subtree, with status, today's spend and quota use), breadcrumbs back up, and the
// selected account's screens — its status and lifecycle, policy, money, people and keys. The
// account, the search and the tab are in the URL, so a place in the tree can be shared.
import './tree.css';
import { type FormEvent, Fragment, type ReactNode, useState } from 'react';
import { useSearch } from 'wouter';
import { navigate } from 'wouter/use-browser-location';
import { api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type MessageKey, useI18n } from '../i18n';
import { useFormat, useSession } from '../session';
import { PolicyEditor } from './account-policy';
import { useKeptLoad } from './kept-load';
import { KeysPage } from './keys';
import { MoneyPanel } from './money';
import { PeoplePanel } from './people';

type Node = Schemas['TreeNode'];
type Account = Schemas['Account'];

const tabs = ['policy', 'money', 'people', 'keys'] as const;
type Tab = (typeof tabs)[number];
const PAGE = 50;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "2 of 10 requests today (20%)" for each limit the account itself sets. */
function QuotaCell({ node }: { node: Node }) {
  const { t } = useI18n();
  const fmt = useFormat();
  if (node.quota.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="quota-list">
      {node.quota.map((q) => {
        const money = q.item === 'daily_budget' || q.item === 'monthly_budget';
        const shown = (n: number) => (money ? fmt.money(n) : fmt.num(n));
        return (
          <li key={q.item} data-quota={q.item}>
            <span className="meter" aria-hidden="true">
              <span
                style={{ width: `${Math.min(100, q.percent)}%` }}
                className={q.percent >= 100 ? 'full' : ''}
              />
            </span>
            {t('tree.quotaOf', {
              item: t(`limit.${q.item}` as MessageKey),
              used: shown(q.used),
              limit: shown(q.limit),
              percent: q.percent,
            })}
          </li>
        );
      })}
    </ul>
  );
}

const kinds = ['org', 'department', 'team', 'user', 'customer', 'project'];
/** An account kind in the reader's language; a kind the console does not know, as written. */
function useKindLabel() {
  const { t } = useI18n();
  return (kind: string) => (kinds.includes(kind) ? t(`tree.kind.${kind}` as MessageKey) : kind);
}

function StatusBadge({ status }: { status: Account['status'] }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`tree.status.${status}` as MessageKey)}</span>;
}

/** Rename and the lifecycle actions, each refusal from the API shown next to the buttons. */
function AccountActions({
  node,
  onChanged,
  onDeleted,
}: {
  node: Node;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const a = node.account;
  const [error, setError] = useState('');
  const [renaming, setRenaming] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const own = a.id === me.account_id;
  async function run(fn: () => Promise<unknown>, after = onChanged) {
    setError('');
    try {
      await fn();
      after();
    } catch (err) {
      setError(errorText(err));
    }
  }
  const status = (action: 'suspend' | 'reactivate' | 'disable') =>
    run(() =>
      ok(
        api.POST(`/admin/v1/accounts/{id}/${action}`, {
          params: { path: { id: a.id } },
        }),
      ),
    );
  async function rename(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '').trim();
    await run(async () => {
      await ok(api.PATCH('/admin/v1/accounts/{id}', { params: { path: { id: a.id } }, body: { name } }));
      setRenaming(false);
    });
  }
  return (
    <div className="stack" id="account-actions">
      {renaming ? (
        <form className="row" onSubmit={rename} id="rename-form">
          <label>
            {t('tree.name')}
            <input name="name" required maxLength={200} defaultValue={a.name} />
          </label>
          <div className="filter-actions">
            <button type="submit" className="primary">
              {t('action.save')}
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              {t('action.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" className="small" onClick={() => setRenaming(true)}>
            {t('tree.rename')}
          </button>
          {a.status === 'active' ? (
            <button type="button" className="small" onClick={() => void status('suspend')}>
              {t('tree.suspend')}
            </button>
          ) : (
            <button type="button" className="small" onClick={() => void status('reactivate')}>
              {t('tree.reactivate')}
            </button>
          )}
          {a.status !== 'disabled' && (
            <button type="button" className="small" onClick={() => void status('disable')}>
              {t('tree.disable')}
            </button>
          )}
          {confirmDelete ? (
            <button
              type="button"
              className="small danger"
              onClick={() =>
                void run(
                  () => ok(api.DELETE('/admin/v1/accounts/{id}', { params: { path: { id: a.id } } })),
                  onDeleted,
                ).then(() => setConfirmDelete(false))
              }
            >
              {t('tree.confirmDelete')}
            </button>
          ) : (
            <button type="button" className="small" onClick={() => setConfirmDelete(true)}>
              {t('tree.delete')}
            </button>
          )}
        </div>
      )}
      {own && <p className="hint">{t(a.parent_id === null ? 'tree.rootAccount' : 'tree.ownAccount')}</p>}
      <p className="form-error" role="alert">
        {error}
      </p>
    </div>
  );
}

function CreateChild({ parent, onCreated }: { parent: Account; onCreated: (a: Account) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState('');
  const [kind, setKind] = useState('team');
  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    setError('');
    const id = String(form.get('id') ?? '').trim();
    try {
      const a = await ok(
        api.POST('/admin/v1/accounts', {
          body: {
            parent_id: parent.id,
            name: String(form.get('name') ?? '').trim(),
            kind: String(form.get('kind') ?? 'team'),
            ...(id && { id }),
          },
        }),
      );
      el.reset();
      setKind('team');
      onCreated(a);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <form className="stack" id="create-account-form" onSubmit={create}>
      <div className="row">
        <label>
          {t('tree.name')}
          <input name="name" required maxLength={200} />
        </label>
        <label>
          {t('tree.id')}
          <input name="id" pattern="[a-z0-9][a-z0-9_\-]{0,63}" placeholder={t('tree.idHint')} />
        </label>
        <label>
          {t('tree.kind')}
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {kinds.slice(1).map((k) => (
              <option key={k} value={k}>
                {t(`tree.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" className="primary">
        {t('tree.create', { parent: parent.name })}
      </button>
      <p className="form-error" role="alert">
        {error}
      </p>
    </form>
  );
}

/** One row per node; an expanded node's first page of children follows it, indented. */
function TreeRows({ nodes, depth, open }: { nodes: Node[]; depth: number; open: (id: string) => void }) {
  const { t } = useI18n();
  const kindLabel = useKindLabel();
  const fmt = useFormat();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((was) => {
      const next = new Set(was);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <>
      {nodes.map((n) => (
        <Fragment key={n.account.id}>
          <tr data-account={n.account.id} data-depth={depth}>
            <td>
              <div className="tree-name" style={{ paddingLeft: `${depth * 1.25}rem` }}>
                {n.children > 0 ? (
                  <button
                    type="button"
                    className="expand small"
                    aria-expanded={expanded.has(n.account.id)}
                    aria-label={t(expanded.has(n.account.id) ? 'tree.collapse' : 'tree.expand', {
                      name: n.account.name,
                    })}
                    onClick={() => toggle(n.account.id)}
                  >
                    {expanded.has(n.account.id) ? '▾' : '▸'}
                  </button>
                ) : (
                  <span className="expand-spacer" aria-hidden="true" />
                )}
                <div>
                  <button type="button" className="link" onClick={() => open(n.account.id)}>
                    {n.account.name}
                  </button>
                  <div className="muted small-text">
                    {n.account.path} · {kindLabel(n.account.kind)}
                  </div>
                </div>
              </div>
            </td>
            <td>
              <StatusBadge status={n.account.status} />
            </td>
            <td className="num">{fmt.num(n.children)}</td>
            <td className="num">{fmt.num(n.today_requests)}</td>
            <td className="num">{fmt.money(n.today_cost_micros)}</td>
            <td>
              <QuotaCell node={n} />
            </td>
          </tr>
          {expanded.has(n.account.id) && <ChildRows node={n} depth={depth + 1} open={open} />}
        </Fragment>
      ))}
    </>
  );
}

/** The first page of an expanded node's children; the rest are one click away on its own page. */
function ChildRows({ node, depth, open }: { node: Node; depth: number; open: (id: string) => void }) {
  const { t } = useI18n();
  const [page] = useKeptLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/tree', {
          params: { path: { id: node.account.id }, query: { limit: PAGE } },
        }),
      ),
    [node.account.id],
  );
  const cell = (content: ReactNode) => (
    <tr>
      <td colSpan={6} style={{ paddingLeft: `${depth * 1.25 + 0.5}rem` }}>
        {content}
      </td>
    </tr>
  );
  if (page.state === 'loading') return cell(<span className="muted">{t('state.loading')}</span>);
  if (page.state === 'error') return cell(<span className="form-error">{page.error.message}</span>);
  return (
    <>
      <TreeRows nodes={page.data.data} depth={depth} open={open} />
      {page.data.next_cursor &&
        cell(
          <button type="button" className="link" onClick={() => open(node.account.id)}>
            {t('tree.moreIn', { name: node.account.name })}
          </button>,
        )}
    </>
  );
}

function ChildrenTable({ nodes, open }: { nodes: Node[]; open: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="scroll">
      <table aria-label={t('tree.children')} id="children">
        <thead>
          <tr>
            <th>{t('tree.name')}</th>
            <th>{t('tree.status')}</th>
            <th className="num">{t('tree.subAccounts')}</th>
            <th className="num">{t('tree.todayRequests')}</th>
            <th className="num">{t('tree.todaySpend')}</th>
            <th>{t('tree.quota')}</th>
          </tr>
        </thead>
        <tbody>
          <TreeRows nodes={nodes} depth={0} open={open} />
        </tbody>
      </table>
    </div>
  );
}

export default function TreePage() {
  const { t } = useI18n();
  const kindLabel = useKindLabel();
  const { me } = useSession();
  const fmt = useFormat();
  const params = new URLSearchParams(useSearch());
  const id = params.get('id') ?? me.account_id ?? '';
  const q = params.get('q') ?? '';
  const tab = (tabs as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as Tab)
    : 'policy';
  // The cursors of the pages before the current one: "previous" pops, "next" pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const go = (next: { id?: string; q?: string; tab?: Tab }) => {
    const p = new URLSearchParams();
    const nid = next.id ?? id;
    if (nid && nid !== me.account_id) p.set('id', nid);
    const nq = next.q ?? (next.id ? '' : q);
    if (nq) p.set('q', nq);
    const ntab = next.tab ?? tab;
    if (ntab !== 'policy') p.set('tab', ntab);
    setCursors([]);
    navigate(`/accounts${p.size ? `?${p}` : ''}`);
  };
  const [page, reload] = useKeptLoad(
    () =>
      ok(
        api.GET('/admin/v1/accounts/{id}/tree', {
          params: { path: { id }, query: { limit: PAGE, ...(q && { q }), ...(cursor && { cursor }) } },
        }),
      ),
    [id, q, cursor],
  );

  return (
    <div className="page tree-page">
      <div className="page-head">
        <h1>{t('tree.title')}</h1>
        <p className="hint">{t('tree.intro')}</p>
      </div>
      <Show loaded={page} retry={reload}>
        {(p) => (
          <>
            <nav aria-label={t('tree.breadcrumbs')} className="breadcrumbs card wide" id="breadcrumbs">
              <ol>
                {p.ancestors.map((a) => (
                  <li key={a.id}>
                    <button type="button" className="link" onClick={() => go({ id: a.id })}>
                      {a.name}
                    </button>
                  </li>
                ))}
                <li aria-current="page">
                  <strong>{p.node.account.name}</strong>
                </li>
              </ol>
            </nav>
            <Section
              title={t('tree.accountTitle', { name: p.node.account.name })}
              id="account"
              wide
              actions={<StatusBadge status={p.node.account.status} />}
            >
              <dl className="facts">
                <div>
                  <dt>{t('tree.id')}</dt>
                  <dd>
                    <code>{p.node.account.id}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t('tree.kind')}</dt>
                  <dd>{kindLabel(p.node.account.kind)}</dd>
                </div>
                <div>
                  <dt>{t('tree.todayRequests')}</dt>
                  <dd data-figure="node.requests">{fmt.num(p.node.today_requests)}</dd>
                </div>
                <div>
                  <dt>{t('tree.todaySpend')}</dt>
                  <dd data-figure="node.spend">{fmt.money(p.node.today_cost_micros)}</dd>
                </div>
                <div>
                  <dt>{t('limit.daily_budget')}</dt>
                  <dd>
                    {p.node.daily_budget
                      ? `${fmt.moneyDecimal(p.node.daily_budget.value)} · ${p.node.daily_budget.source}`
                      : '—'}
                  </dd>
                </div>
              </dl>
              {p.node.quota.length > 0 && <QuotaCell node={p.node} />}
              <AccountActions
                key={p.node.account.id}
                node={p.node}
                onChanged={reload}
                onDeleted={() => go({ id: p.node.account.parent_id ?? me.account_id ?? '' })}
              />
            </Section>
            <Section
              title={q ? t('tree.searchResults', { q }) : t('tree.children')}
              id="children-section"
              wide
              actions={
                <form
                  className="row search"
                  onSubmit={(e) => {
                    e.preventDefault();
                    go({ q: String(new FormData(e.currentTarget).get('q') ?? '').trim() });
                  }}
                >
                  <label>
                    <span className="visually-hidden">{t('tree.search')}</span>
                    <input name="q" type="search" defaultValue={q} placeholder={t('tree.search')} key={q} />
                  </label>
                  <button type="submit" className="small">
                    {t('tree.searchButton')}
                  </button>
                </form>
              }
            >
              {p.data.length === 0 ? (
                <p className="state empty">{q ? t('tree.noMatch') : t('tree.noChildren')}</p>
              ) : (
                <ChildrenTable nodes={p.data} open={(child) => go({ id: child })} />
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
              <details className="create-child">
                <summary>{t('tree.newChild')}</summary>
                <CreateChild key={p.node.account.id} parent={p.node.account} onCreated={() => reload()} />
              </details>
            </Section>
            <div className="card wide account-tabs">
              <div className="tabs" role="tablist" aria-label={t('tree.screens')}>
                {tabs.map((name) => (
                  <button
                    key={name}
                    type="button"
                    role="tab"
                    aria-selected={name === tab}
                    className={name === tab ? 'active' : ''}
                    onClick={() => go({ tab: name })}
                  >
                    {t(`tree.tab.${name}` as MessageKey)}
                  </button>
                ))}
              </div>
            </div>
            <div className="wide-block" role="tabpanel">
              {tab === 'policy' && <PolicyEditor account={p.node.account} />}
              {tab === 'money' && <MoneyPanel account={p.node.account} onChanged={reload} />}
              {tab === 'people' && <PeoplePanel account={p.node.account} />}
              {tab === 'keys' && <KeysPage accountId={p.node.account.id} key={p.node.account.id} />}
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
