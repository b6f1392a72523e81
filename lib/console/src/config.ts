// The console's runtime settings, read from config.json next to index.html: one build serves every environment.
// Locally the local server writes it (infra/local/console-server.ts); in AWS the deployment puts one beside the
// bundle. Without one the console talks to its own origin and asks for a bearer token.
//
//   { "apiBaseUrl": "",                                     // '' = same origin, else e.g. "https://api.example.com"
//     "environment": "local",                               // shown in the header
//     "auth": { "mode": "local", "usersUrl": "/local/users" }                // local: pick a user from tokens.json
//          or { "mode": "oidc", "authorizeUrl": "…/oauth2/authorize", "tokenUrl": "…/oauth2/token",
//               "clientId": "…", "scopes": ["openid", "disputes/reviewer"], "logoutUrl": "…/logout" }
//          or { "mode": "token" } }                                          // paste a bearer token

export type AuthConfig =
  | { mode: 'local'; usersUrl: string }
  | { mode: 'oidc'; authorizeUrl: string; tokenUrl: string; clientId: string; scopes: string[]; logoutUrl?: string }
  | { mode: 'token' };

export interface ConsoleConfig {
  apiBaseUrl: string;
  environment?: string;
  auth: AuthConfig;
}

const FALLBACK: ConsoleConfig = { apiBaseUrl: '', auth: { mode: 'token' } };

const isString = (v: unknown): v is string => typeof v === 'string';

function parseAuth(raw: unknown): AuthConfig {
  const a = (raw ?? {}) as Record<string, unknown>;
  if (a.mode === 'local' && isString(a.usersUrl)) return { mode: 'local', usersUrl: a.usersUrl };
  if (a.mode === 'oidc' && isString(a.authorizeUrl) && isString(a.tokenUrl) && isString(a.clientId)) {
    const scopes = Array.isArray(a.scopes) ? a.scopes.filter(isString) : ['openid'];
    return { mode: 'oidc', authorizeUrl: a.authorizeUrl, tokenUrl: a.tokenUrl, clientId: a.clientId, scopes, ...(isString(a.logoutUrl) ? { logoutUrl: a.logoutUrl } : {}) };
  }
  return { mode: 'token' };
}

/** Reads config.json; a missing or unreadable file gives the same-origin, bearer-token defaults. */
export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (!res.ok) return FALLBACK;
    const raw = (await res.json()) as Record<string, unknown>;
    return {
      apiBaseUrl: isString(raw.apiBaseUrl) ? raw.apiBaseUrl.replace(/\/+$/, '') : '',
      ...(isString(raw.environment) ? { environment: raw.environment } : {}),
      auth: parseAuth(raw.auth),
    };
  } catch {
    return FALLBACK;
  }
}
