// Sign-in: email and password (session cookie + CSRF cookie from POST /auth/login), or a
// management token for operators (kept in this tab's sessionStorage and sent as Bearer).
import { type FormEvent, useState } from 'react';
import { useSearch } from 'wouter';
import { api, ok, token } from '../api/client';
import { useI18n } from '../i18n';

export function SignInPage({
  expired,
  onSignedIn,
}: {
  expired: boolean;
  onSignedIn: (next: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const search = new URLSearchParams(useSearch());
  const nextParam = search.get('next');
  // Only a path of this console: never an open redirect.
  const next = nextParam?.startsWith('/') && !nextParam.startsWith('//') ? nextParam : '/';
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError('');
    setBusy(true);
    try {
      if (mode === 'password') {
        token.clear();
        await ok(
          api.POST('/admin/v1/auth/login', {
            body: { email: String(form.get('email')), password: String(form.get('password')) },
          }),
        );
      } else {
        const value = String(form.get('token')).trim();
        token.set(value);
        try {
          await ok(api.GET('/admin/v1/auth/me'));
        } catch (err) {
          token.clear();
          throw err;
        }
      }
      await onSignedIn(next);
    } catch (err) {
      setError(err instanceof Error ? err.message : t('signIn.unreachable'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in card">
      <h1>{t('signIn.title')}</h1>
      {expired && (
        <p className="notice" role="status">
          {t('signIn.expired')}
        </p>
      )}
      <div className="tabs" role="tablist" aria-label={t('signIn.method')}>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'password'}
          className={mode === 'password' ? 'active' : ''}
          onClick={() => setMode('password')}
        >
          {t('signIn.withPassword')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'token'}
          className={mode === 'token' ? 'active' : ''}
          onClick={() => setMode('token')}
        >
          {t('signIn.withToken')}
        </button>
      </div>
      <form onSubmit={submit} id="sign-in-form">
        {mode === 'password' ? (
          <>
            <label>
              {t('signIn.email')}
              <input name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              {t('signIn.password')}
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
          </>
        ) : (
          <label>
            {t('signIn.token')}
            <input name="token" type="password" autoComplete="off" placeholder="sym_… / sya_…" required />
            <span className="hint">{t('signIn.tokenHint')}</span>
          </label>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
        <p className="form-error" role="alert">
          {error}
        </p>
      </form>
    </div>
  );
}
