// Users and management tokens of one account (account tree and identity): invite a user with a role and a first password,
// change a role, disable or re-enable, set a new password; create a scoped, expiring token (shown
// once) and revoke one. The API refuses what the caller's role or scopes do not allow; its message
// is shown where the action was taken.
import { type FormEvent, useState } from 'react';
import { tokenScopes, userRoles } from '../../../src/tenancy/permissions';
import { api, ok, type Schemas } from '../api/client';
import { Section, Show } from '../components/states';
import { type MessageKey, useI18n } from '../i18n';
import { useFormat, useSession } from '../session';
import { useKeptLoad } from './kept-load';

type Account = Schemas['Account'];
type User = Schemas['User'];
const roles = userRoles;
const scopes = tokenScopes;
type Scope = (typeof scopes)[number];

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function UserRow({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const { me } = useSession();
  const [error, setError] = useState('');
  const [resetting, setResetting] = useState(false);
  const [done, setDone] = useState('');
  const self = me.type === 'user' && me.id === user.id;
  async function patch(body: Schemas['UserUpdate'], note = '') {
    setError('');
    setDone('');
    try {
      await ok(api.PATCH('/admin/v1/users/{id}', { params: { path: { id: user.id } }, body }));
      setDone(note);
      onChanged();
    } catch (err) {
      setError(message(err));
    }
  }
  return (
    <tr data-user={user.email}>
      <td>{user.email}</td>
      <td>
        <select
          aria-label={t('people.roleOf', { email: user.email })}
          value={user.role}
          disabled={self}
          onChange={(e) => void patch({ role: e.target.value as User['role'] })}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <span className={`badge status-${user.status}`}>
          {t(`people.status.${user.status}` as MessageKey)}
        </span>
      </td>
      <td>{fmt.dateTime(user.last_login_at)}</td>
      <td>
        <div className="actions">
          {!self && (
            <button
              type="button"
              className="small"
              onClick={() => void patch({ status: user.status === 'active' ? 'disabled' : 'active' })}
            >
              {user.status === 'active' ? t('people.disable') : t('people.enable')}
            </button>
          )}
          {!self &&
            (resetting ? (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  const password = String(new FormData(e.currentTarget).get('password') ?? '');
                  void patch({ password }, t('people.passwordSet')).then(() => setResetting(false));
                }}
              >
                <input
                  name="password"
                  type="password"
                  minLength={12}
                  required
                  autoComplete="new-password"
                  aria-label={t('people.newPassword')}
                  placeholder={t('people.newPassword')}
                />
                <button type="submit" className="small">
                  {t('action.save')}
                </button>
              </form>
            ) : (
              <button type="button" className="small" onClick={() => setResetting(true)}>
                {t('people.resetPassword')}
              </button>
            ))}
        </div>
        {done && <span className="notice">{done}</span>}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

function Users({ account }: { account: Account }) {
  const { t } = useI18n();
  const [users, reload] = useKeptLoad(
    () => ok(api.GET('/admin/v1/accounts/{id}/users', { params: { path: { id: account.id } } })),
    [account.id],
  );
  const [error, setError] = useState('');
  const [role, setRole] = useState<User['role']>('member');
  async function invite(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    setError('');
    try {
      await ok(
        api.POST('/admin/v1/accounts/{id}/users', {
          params: { path: { id: account.id } },
          body: {
            email: String(form.get('email') ?? '').trim(),
            password: String(form.get('password') ?? ''),
            role: String(form.get('role')) as User['role'],
          },
        }),
      );
      el.reset();
      setRole('member');
      reload();
    } catch (err) {
      setError(message(err));
    }
  }
  return (
    <Section title={t('people.users')} id="users" wide>
      <form id="invite-form" className="row" onSubmit={invite}>
        <label>
          {t('people.email')}
          <input name="email" type="email" required maxLength={254} autoComplete="off" />
        </label>
        <label>
          {t('people.firstPassword')}
          <input name="password" type="password" required minLength={12} autoComplete="new-password" />
        </label>
        <label>
          {t('people.role')}
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as User['role'])}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary">
            {t('people.invite')}
          </button>
        </div>
      </form>
      <p className="hint">{t('people.inviteHint')}</p>
      <p className="form-error" role="alert">
        {error}
      </p>
      <Show loaded={users} retry={reload}>
        {(u) =>
          u.data.length === 0 ? (
            <p className="state empty">{t('state.empty')}</p>
          ) : (
            <div className="scroll">
              <table aria-label={t('people.users')} id="users-table">
                <thead>
                  <tr>
                    <th>{t('people.email')}</th>
                    <th>{t('people.role')}</th>
                    <th>{t('tree.status')}</th>
                    <th>{t('people.lastLogin')}</th>
                    <th>{t('people.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {u.data.map((x) => (
                    <UserRow key={x.id} user={x} onChanged={reload} />
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

function Tokens({ account }: { account: Account }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const [tokens, reload] = useKeptLoad(
    () => ok(api.GET('/admin/v1/accounts/{id}/tokens', { params: { path: { id: account.id } } })),
    [account.id],
  );
  const [error, setError] = useState('');
  const [rowError, setRowError] = useState('');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    setError('');
    const day = String(form.get('expires') ?? '');
    try {
      const r = await ok(
        api.POST('/admin/v1/accounts/{id}/tokens', {
          params: { path: { id: account.id } },
          body: {
            name: String(form.get('name') ?? '').trim(),
            scopes: form.getAll('scopes').map(String) as Scope[],
            ...(day && { expires_at: `${day}T23:59:59Z` }),
          },
        }),
      );
      setSecret({ name: r.name, token: r.token });
      el.reset();
      reload();
    } catch (err) {
      setError(message(err));
    }
  }
  async function revoke(id: string) {
    setRowError('');
    try {
      await ok(api.POST('/admin/v1/tokens/{id}/revoke', { params: { path: { id } } }));
      reload();
    } catch (err) {
      setRowError(message(err));
    }
  }
  return (
    <Section title={t('people.tokens')} id="tokens" wide>
      {secret && (
        <div className="secret-block" id="new-token">
          <p className="notice">{t('people.tokenShownOnce', { name: secret.name })}</p>
          <div className="secret">
            <code id="new-token-secret">{secret.token}</code>
          </div>
          <button type="button" className="small" onClick={() => setSecret(null)}>
            {t('keys.savedIt')}
          </button>
        </div>
      )}
      <form id="token-form" className="stack" onSubmit={create}>
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
        <fieldset>
          <legend>{t('people.scopes')}</legend>
          <div className="checks">
            {scopes.map((s) => (
              <label key={s} className="inline">
                <input type="checkbox" name="scopes" value={s} defaultChecked={s === 'read'} />{' '}
                <code>{s}</code>
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="primary">
          {t('people.createToken')}
        </button>
        <p className="form-error" role="alert">
          {error}
        </p>
      </form>
      <p className="form-error" role="alert">
        {rowError}
      </p>
      <Show loaded={tokens} retry={reload}>
        {(list) =>
          list.data.length === 0 ? (
            <p className="state empty">{t('state.empty')}</p>
          ) : (
            <div className="scroll">
              <table aria-label={t('people.tokens')} id="tokens-table">
                <thead>
                  <tr>
                    <th>{t('keys.name')}</th>
                    <th>{t('people.prefix')}</th>
                    <th>{t('people.scopes')}</th>
                    <th>{t('keys.expires')}</th>
                    <th>{t('tree.status')}</th>
                    <th>{t('people.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.map((x) => (
                    <tr key={x.id} data-token={x.name}>
                      <td>{x.name}</td>
                      <td>
                        <code>{x.prefix}</code>
                      </td>
                      <td>{x.scopes.join(', ')}</td>
                      <td>{fmt.dateTime(x.expires_at)}</td>
                      <td>
                        <span className="badge">
                          {x.revoked ? t('people.revoked') : t('people.status.active')}
                        </span>
                      </td>
                      <td>
                        {!x.revoked && (
                          <button type="button" className="small" onClick={() => void revoke(x.id)}>
                            {t('keys.revoke')}
                          </button>
                        )}
                      </td>
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

export function PeoplePanel({ account }: { account: Account }) {
  return (
    <div className="page">
      <Users account={account} />
      <Tokens account={account} />
    </div>
  );
}
