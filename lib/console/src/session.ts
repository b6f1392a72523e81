// Who is signed in: a bearer token with its subject and roles, kept in this tab's sessionStorage. Roles only shape
// the interface (which pages and actions are offered); the API authorises every request itself.
import type { Role } from '../../api/routes';
import type { AuthConfig, ConsoleConfig } from './config';

export type { Role };
export const ROLES: Role[] = ['ticketing', 'reviewer', 'auditor'];

export interface Session {
  token: string;
  subject: string;
  roles: Role[];
  via: 'local' | 'oidc' | 'token';
  /** Epoch ms, when the token says. */
  expiresAt?: number;
}

export interface LocalUser {
  subject: string;
  roles: Role[];
  token: string;
}

const KEY = 'disputes-console.session';
const OIDC_KEY = 'disputes-console.oidc';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Session) : null;
    if (!s || typeof s.token !== 'string' || !Array.isArray(s.roles)) return null;
    if (s.expiresAt && s.expiresAt < Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

export const hasRole = (session: Session | null, ...roles: Role[]) => !!session && session.roles.some((r) => roles.includes(r));

/** The claims of a JWT, unverified (the API verifies it; the console only reads the subject, scopes and expiry). */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A claim as text, when it is text (or a number). */
const claimText = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/** Roles from OAuth scopes ("disputes/reviewer"), as the API's JWT authoriser reads them, or Cognito groups. */
export function rolesFromClaims(claims: Record<string, unknown>): Role[] {
  const scopes = (claimText(claims.scope) ?? (Array.isArray(claims.scp) ? claims.scp.join(' ') : claimText(claims.scp)) ?? '').split(/\s+/);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
  return ROLES.filter((role) => scopes.includes(`disputes/${role}`) || scopes.includes(role) || groups.includes(role));
}

/** A session from a token: its claims when it is a JWT, else nothing known yet (the app probes the API for roles). */
export function sessionFromToken(token: string, via: Session['via']): Session {
  const claims = jwtClaims(token);
  if (!claims) return { token, subject: 'bearer token', roles: [], via };
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  return {
    token,
    subject: claimText(claims.username) ?? claimText(claims['cognito:username']) ?? claimText(claims.email) ?? claimText(claims.sub) ?? claimText(claims.client_id) ?? 'signed in',
    roles: rolesFromClaims(claims),
    via,
    ...(exp ? { expiresAt: exp } : {}),
  };
}

/** The local users (infra/local/tokens.json), from the local server's local-only endpoint. */
export async function localUsers(config: ConsoleConfig): Promise<LocalUser[]> {
  if (config.auth.mode !== 'local') return [];
  const res = await fetch(new URL(config.auth.usersUrl, document.baseURI), { cache: 'no-store' });
  if (!res.ok) throw new Error(`the local users list answered ${res.status}`);
  const body = (await res.json()) as { users?: LocalUser[] };
  return body.users ?? [];
}

/** `?as=` picks a local user: by subject, else the first with that role. */
export function pickLocalUser(users: LocalUser[], as: string): LocalUser | undefined {
  return users.find((u) => u.subject === as) ?? users.find((u) => u.roles.includes(as as Role));
}

// --- OpenID Connect: authorization code with PKCE (a public client; no secret in the browser) ---

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}${location.pathname}`;

export async function startOidcSignIn(auth: Extract<AuthConfig, { mode: 'oidc' }>, returnTo: string): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(OIDC_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(auth.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the way back from the identity provider: trades the code for tokens. Returns the session and where to go. */
export async function completeOidcSignIn(auth: Extract<AuthConfig, { mode: 'oidc' }>): Promise<{ session: Session; returnTo: string } | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return null;
  const pending = JSON.parse(sessionStorage.getItem(OIDC_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(OIDC_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('the sign-in answer does not match the request; sign in again');
  const res = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), client_id: auth.clientId, code_verifier: pending.verifier }),
  });
  if (!res.ok) throw new Error(`the identity provider refused the sign-in (${res.status})`);
  const tokens = (await res.json()) as { access_token?: string };
  if (!tokens.access_token) throw new Error('the identity provider sent no access token');
  return { session: sessionFromToken(tokens.access_token, 'oidc'), returnTo: pending.returnTo };
}
