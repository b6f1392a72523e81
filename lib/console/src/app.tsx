// The console's shell: sign-in state, the header with navigation and the user switcher, the outage banner, and the
// page for the current route, offered by role (the API still authorises every request).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, type Outage } from './api';
import type { ConsoleConfig } from './config';
import { humanize } from './format';
import { AuditsPage } from './pages/audits/list';
import { AuditPage } from './pages/audits/report';
import { DisputePage } from './pages/dispute/page';
import { AccountPage, FindPage } from './pages/find';
import { NumberPage } from './pages/number';
import { QueuePage } from './pages/queue';
import { SignInPage } from './pages/signin';
import { type Route, currentRoute, href, navigate, useRoute } from './router';
import { type LocalUser, type Role, type Session, completeOidcSignIn, loadSession, localUsers, pickLocalUser, saveSession } from './session';
import { AppContext, type AppState, type Features, detectFeatures, hasRole, useApp } from './state';

const NAV: { label: string; path: string; roles: Role[] }[] = [
  { label: 'Queue', path: 'queue', roles: ['reviewer', 'auditor'] },
  { label: 'Numbers', path: 'numbers', roles: ['reviewer', 'auditor'] },
  { label: 'Audits', path: 'audits', roles: ['auditor'] },
  { label: 'Find', path: 'find', roles: ['ticketing', 'reviewer', 'auditor'] },
];

/** Where a user lands: reviewers on the queue, auditors on the audits, a ticketing identity on Find. */
const home = (session: Session) => (hasRole(session, 'reviewer') ? 'queue' : hasRole(session, 'auditor') ? 'audits' : 'find');

export function App({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [outage, setOutage] = useState<Outage | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [features, setFeatures] = useState<Features>({ lease: false, goodwill: false });
  const [users, setUsers] = useState<LocalUser[]>([]);
  const [starting, setStarting] = useState(config.auth.mode !== 'token');
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const route = useRoute();

  const signIn = (next: Session, returnTo?: string) => {
    saveSession(next);
    setSession(next);
    setMessage(null);
    const target = returnTo && !returnTo.startsWith('/sign-in') && returnTo !== '/' ? `#${returnTo}` : href([home(next)]);
    navigate(target, { replace: true });
  };
  const signOut = (why?: string) => {
    saveSession(null);
    setSession(null);
    setMessage(why ?? null);
  };
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;

  const api = useMemo(
    () =>
      new Api(config.apiBaseUrl, () => sessionRef.current?.token ?? null, {
        unauthenticated: (error) => {
          if (!sessionRef.current) return;
          signOutRef.current(`Your session has ended: the API answered 401 (${error.detail || error.title}). Sign in again.`);
        },
        outage: setOutage,
      }),
    [config.apiBaseUrl],
  );

  // Start-up: the local users list and ?as= (local), or the way back from the identity provider (OIDC).
  useEffect(() => {
    void (async () => {
      try {
        if (config.auth.mode === 'local') {
          const list = await localUsers(config);
          setUsers(list);
          const as = new URLSearchParams(location.search).get('as');
          if (as) {
            history.replaceState(null, '', `${location.pathname}${location.hash}`);
            const user = pickLocalUser(list, as);
            if (user) signIn({ token: user.token, subject: user.subject, roles: user.roles, via: 'local' }, currentRoute().raw);
            else setMessage(`There is no local user "${as}".`);
          }
        } else if (config.auth.mode === 'oidc') {
          const done = await completeOidcSignIn(config.auth);
          if (done) signIn(done.session, done.returnTo);
        }
      } catch (error) {
        setMessage(error instanceof Error ? error.message : String(error));
      } finally {
        setStarting(false);
      }
    })();
  }, []);

  useEffect(() => {
    if (session) void detectFeatures(api).then(setFeatures);
  }, [session?.token]);

  // Each page gets a title, and focus moves to the main content so keyboard and screen-reader users start there.
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    document.title = `${pageTitle(route, session)} · Dispute console`;
    if (firstRender.current) firstRender.current = false;
    else main.current?.focus({ preventScroll: false });
  }, [route.raw, session?.token]);

  const state: AppState = { config, session, api, features, localUsers: users, signIn, signOut };
  const returnTo = route.parts[0] === 'sign-in' ? (route.query.get('next') ?? '/') : route.raw;

  return (
    <AppContext.Provider value={state}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <Header route={route} />
      {outage && <OutageBanner outage={outage} onRetry={() => api.retryNow()} />}
      <main id="main" ref={main} tabIndex={-1}>
        {starting ? (
          <p class="loading" role="status">
            Signing in…
          </p>
        ) : session ? (
          <Page route={route} session={session} key={session.token} />
        ) : (
          <SignInPage message={message} returnTo={returnTo} />
        )}
      </main>
    </AppContext.Provider>
  );
}

function pageTitle(route: Route, session: Session | null): string {
  if (!session) return 'Sign in';
  const [first, second] = route.parts;
  if (first === 'disputes' && second) return `Dispute ${second}`;
  if (first === 'numbers') return second ? `Number ${second}` : 'Numbers';
  if (first === 'audits') return second ? `Audit ${second}` : 'Audits';
  if (first === 'accounts' && second) return `Account ${second}`;
  return humanize(first ?? home(session));
}

function Page({ route, session }: { route: Route; session: Session }) {
  const [first, second] = route.parts;
  const need = (roles: Role[], page: ComponentChildren) =>
    hasRole(session, ...roles) ? (
      page
    ) : (
      <div class="problem" role="alert">
        <p>
          <strong>Your role cannot open this page.</strong> It needs {roles.join(' or ')}; you are {session.subject} ({session.roles.join(', ') || 'no known role'}).
        </p>
      </div>
    );
  switch (first) {
    case undefined:
    case 'sign-in':
      navigate(href([home(session)]), { replace: true });
      return null;
    case 'queue':
      return need(['reviewer', 'auditor'], <QueuePage route={route} />);
    case 'disputes':
      return second ? <DisputePage id={second} key={second} /> : <FindPage />;
    case 'accounts':
      return second ? <AccountPage id={second} key={second} /> : <FindPage />;
    case 'numbers':
      return need(['reviewer', 'auditor'], <NumberPage route={route} />);
    case 'audits':
      return need(['auditor'], second ? <AuditPage id={second} key={second} /> : <AuditsPage />);
    case 'find':
      return <FindPage />;
    default:
      return (
        <div class="problem" role="alert">
          <p>
            <strong>There is no such page.</strong> <a href={href([home(session)])}>Go to the start page</a>.
          </p>
        </div>
      );
  }
}

function Header({ route }: { route: Route }) {
  const { config, session, localUsers, signIn, signOut } = useApp();
  return (
    <header class="top">
      <div class="top-inner">
        <a class="brand" href={session ? href([home(session)]) : '#/'}>
          Dispute console
        </a>
        {config.environment && <span class="env">{config.environment}</span>}
        {session && (
          <nav aria-label="Main">
            <ul>
              {NAV.filter((n) => hasRole(session, ...n.roles)).map((n) => (
                <li key={n.path}>
                  <a href={href([n.path])} aria-current={route.parts[0] === n.path || (n.path === 'find' && ['accounts'].includes(route.parts[0] ?? '')) ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {session && (
          <div class="user">
            {session.via === 'local' && localUsers.length > 1 ? (
              <label>
                <span class="visually-hidden">Signed in as (switch user)</span>
                <select
                  value={session.subject}
                  data-testid="switch-user"
                  onChange={(e) => {
                    const user = localUsers.find((u) => u.subject === e.currentTarget.value);
                    if (user) signIn({ token: user.token, subject: user.subject, roles: user.roles, via: 'local' }, currentRoute().raw);
                  }}
                >
                  {localUsers.map((u) => (
                    <option value={u.subject} key={u.subject}>
                      {u.subject} ({u.roles.join(', ')})
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <span>
                {session.subject} <span class="muted">({session.roles.join(', ') || 'no known role'})</span>
              </span>
            )}
            <button
              type="button"
              class="link"
              onClick={() => {
                signOut();
                if (config.auth.mode === 'oidc' && config.auth.logoutUrl) location.assign(config.auth.logoutUrl);
              }}
            >
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

function OutageBanner({ outage, onRetry }: { outage: Outage; onRetry: () => void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((outage.retryAt - now) / 1000));
  return (
    <div class="outage" role="alert" data-testid="outage">
      <p>
        <strong>The API is not answering.</strong> {outage.message} Retrying {left > 0 ? `in ${left} s` : 'now'} (attempt {outage.attempt}); what you see may be out of date.{' '}
        <button type="button" class="secondary small" onClick={onRetry}>
          Retry now
        </button>
      </p>
    </div>
  );
}
