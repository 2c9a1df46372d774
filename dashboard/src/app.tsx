// The console's shell: who is signed in, the routes, the header (navigation, language, theme,
// sign-out). Any 401 from the API sends the user to sign-in with the current place kept in `next`.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { api, ok, onUnauthorized, token } from './api/client';
import { Loading } from './components/states';
import { type Lang, languages, type MessageKey, useI18n } from './i18n';
import { KeysPage } from './pages/keys';
import { operatorNav, operatorRoutes } from './pages/operator-nav';
import { OverviewPage } from './pages/overview';
import { PolicyPage } from './pages/policy';
import { SignInPage } from './pages/sign-in';
import { type Me, type Session, SessionProvider } from './session';
import { useTheme } from './theme';

// The request log is its own module (and chunk): it is the one screen over GET /admin/v1/requests.
const RequestsPage = lazy(() => import('./requests/page'));
// The account tree and its screens (policy editor, money, people): one chunk, bundling the API's
// own policy check.
const TreePage = lazy(() => import('./pages/tree'));

const nav: { href: string; label: MessageKey }[] = [
  { href: '/', label: 'nav.overview' },
  { href: '/requests', label: 'nav.requests' },
  { href: '/keys', label: 'nav.keys' },
  { href: '/policy', label: 'nav.policy' },
  { href: '/accounts', label: 'nav.accounts' },
];

export function App() {
  const { t, lang, setLang } = useI18n();
  const [theme, setTheme] = useTheme();
  const [location, navigate] = useLocation();
  /** undefined while checking, null when signed out. */
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setMe(await ok(api.GET('/admin/v1/auth/me')));
    } catch {
      setMe(null);
    }
  }, []);

  useEffect(() => {
    onUnauthorized(() => {
      setMe((was) => {
        if (was) setExpired(true);
        return null;
      });
    });
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (me === null && location !== '/sign-in') {
      const next = `${location}${window.location.search}`;
      navigate(`/sign-in?next=${encodeURIComponent(next)}`, { replace: true });
    }
  }, [me, location, navigate]);

  const session = useMemo<Session | null>(
    () =>
      me
        ? {
            me,
            async signOut() {
              if (token.get()) token.clear();
              else await api.POST('/admin/v1/auth/logout').catch(() => undefined);
              setExpired(false);
              setMe(null);
              navigate('/sign-in', { replace: true });
            },
          }
        : null,
    [me, navigate],
  );

  const controls = (
    <div className="controls">
      <label className="inline">
        <span className="visually-hidden">{t('shell.language')}</span>
        <select
          value={lang}
          onChange={(e) => setLang(e.target.value as Lang)}
          aria-label={t('shell.language')}
        >
          {Object.entries(languages).map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="small"
        aria-pressed={theme === 'dark'}
        onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        {theme === 'dark' ? t('shell.light') : t('shell.dark')}
      </button>
    </div>
  );

  if (location === '/sign-in' || !session) {
    return (
      <div className="shell">
        <header className="top">
          <span className="brand">Switchyard</span>
          {controls}
        </header>
        <main id="main">
          {me === undefined ? (
            <Loading />
          ) : (
            <SignInPage
              expired={expired}
              onSignedIn={async (next) => {
                setExpired(false);
                await refresh();
                navigate(next, { replace: true });
              }}
            />
          )}
        </main>
      </div>
    );
  }

  return (
    <SessionProvider value={session}>
      <div className="shell">
        <a className="skip" href="#main">
          {t('shell.skip')}
        </a>
        <header className="top">
          <span className="brand">Switchyard</span>
          <nav aria-label={t('shell.nav')}>
            {[...nav, ...operatorNav(session.me)].map((n) => (
              <Link key={n.href} href={n.href} className={(active) => (active ? 'active' : '')}>
                {t(n.label)}
              </Link>
            ))}
          </nav>
          <div className="who">
            <span className="who-name" title={session.me.account_path}>
              {session.me.account_path}
              {session.me.role ? ` · ${t(`role.${session.me.role}` as MessageKey)}` : ` · ${t('role.token')}`}
            </span>
            {controls}
            <button type="button" className="small" onClick={() => void session.signOut()}>
              {t('shell.signOut')}
            </button>
          </div>
        </header>
        <main id="main">
          <Suspense fallback={<Loading />}>
            <Switch>
              <Route path="/">
                <OverviewPage theme={theme} />
              </Route>
              <Route path="/requests">
                <RequestsPage />
              </Route>
              <Route path="/keys">
                <KeysPage />
              </Route>
              <Route path="/policy">
                <PolicyPage />
              </Route>
              {operatorRoutes}
              <Route path="/accounts">
                <TreePage />
              </Route>
              <Route>
                <p className="state empty">{t('shell.notFound')}</p>
              </Route>
            </Switch>
          </Suspense>
        </main>
      </div>
    </SessionProvider>
  );
}
