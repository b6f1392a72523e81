// Signing in: locally, pick one of the local users (infra/local/tokens.json, listed by the local server only); with
// an identity provider, the OpenID Connect redirect; anywhere, a bearer token pasted in.
import { useState } from 'preact/hooks';
import { Field } from '../components';
import { useApp } from '../state';
import { type Role, type Session, sessionFromToken, startOidcSignIn } from '../session';

/** Which roles an opaque token has, by asking the API what it may read (a JWT says so itself). */
async function probeRoles(base: string, token: string): Promise<Role[] | 'invalid'> {
  const status = async (path: string) => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  const audits = await status('/v1/audits?limit=1');
  if (audits === 401) return 'invalid';
  if (audits === 200) return ['auditor'];
  return (await status('/v1/disputes?limit=1')) === 200 ? ['reviewer'] : ['ticketing'];
}

export function SignInPage({ message, returnTo }: { message: string | null; returnTo: string }) {
  const { config, localUsers, signIn } = useApp();
  const [token, setToken] = useState('');
  const [tokenError, setTokenError] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const auth = config.auth;

  const signInWithToken = async (e: Event) => {
    e.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, '');
    if (!value) return setTokenError(['paste a bearer token']);
    if (/\s/.test(value)) return setTokenError(['a bearer token has no spaces']);
    setBusy(true);
    try {
      let session: Session = sessionFromToken(value, 'token');
      if (session.roles.length === 0) {
        const roles = await probeRoles(config.apiBaseUrl, value);
        if (roles === 'invalid') return setTokenError(['the API does not accept this token (401)']);
        session = { ...session, roles };
      }
      setTokenError([]);
      signIn(session, returnTo);
    } catch {
      setTokenError(['the API cannot be reached to check the token; try again']);
    } finally {
      setBusy(false);
    }
  };

  const tokenForm = (
    <form onSubmit={(e) => void signInWithToken(e)} noValidate>
      <Field label="Bearer token" hint="The token is kept in this browser tab only." errors={tokenError}>
        {(p) => <input {...p} type="password" autoComplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in with the token'}
      </button>
    </form>
  );

  return (
    <div class="signin">
      <h1>Sign in to the dispute console</h1>
      {message && (
        <p class="problem" role="alert" data-testid="signin-message">
          {message}
        </p>
      )}
      {auth.mode === 'local' && (
        <section class="card" aria-labelledby="local-users">
          <h2 id="local-users">Local users</h2>
          <p class="hint">From infra/local/tokens.json; this list exists only on the local server.</p>
          {localUsers.length === 0 ? (
            <p class="loading" role="status">
              Reading the local users…
            </p>
          ) : (
            <ul class="users">
              {localUsers.map((u) => (
                <li key={u.subject}>
                  <button type="button" onClick={() => signIn({ token: u.token, subject: u.subject, roles: u.roles, via: 'local' }, returnTo)}>
                    Sign in as {u.subject}
                  </button>{' '}
                  <span class="muted">{u.roles.join(', ')}</span>
                </li>
              ))}
            </ul>
          )}
          <details>
            <summary>Use a bearer token instead</summary>
            {tokenForm}
          </details>
        </section>
      )}
      {auth.mode === 'oidc' && (
        <section class="card" aria-labelledby="oidc">
          <h2 id="oidc">Your organisation's sign-in</h2>
          <button type="button" onClick={() => void startOidcSignIn(auth, returnTo)}>
            Sign in
          </button>
          <details>
            <summary>Use a bearer token instead</summary>
            {tokenForm}
          </details>
        </section>
      )}
      {auth.mode === 'token' && (
        <section class="card" aria-labelledby="token">
          <h2 id="token">Bearer token</h2>
          {tokenForm}
        </section>
      )}
    </div>
  );
}
