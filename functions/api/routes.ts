// The HTTP API's routes: the CDK stack, the local HTTP server and the handler's router all read this list.
export type Role = 'ticketing' | 'reviewer' | 'auditor';

export interface ApiRoute {
  method: 'GET' | 'POST';
  path: string;
  /** Who may call it; empty means public (no credentials). */
  roles: Role[];
}

export const API_ROUTES: ApiRoute[] = [
  { method: 'POST', path: '/v1/disputes', roles: ['ticketing'] },
  { method: 'GET', path: '/v1/disputes', roles: ['reviewer', 'auditor'] },
  { method: 'GET', path: '/v1/disputes/{disputeId}', roles: ['ticketing', 'reviewer', 'auditor'] },
  { method: 'POST', path: '/v1/disputes/{disputeId}/decision', roles: ['reviewer'] },
  { method: 'POST', path: '/v1/disputes/{disputeId}/reinvestigate', roles: ['reviewer'] },
  { method: 'GET', path: '/v1/accounts/{accountId}/disputes', roles: ['ticketing', 'reviewer', 'auditor'] },
  { method: 'GET', path: '/v1/numbers/{e164}/stats', roles: ['reviewer', 'auditor'] },
  { method: 'POST', path: '/v1/audits', roles: ['auditor'] },
  { method: 'GET', path: '/v1/audits', roles: ['auditor'] },
  { method: 'GET', path: '/v1/audits/{auditId}', roles: ['auditor'] },
  { method: 'GET', path: '/v1/openapi.json', roles: [] },
];

export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The stage's throttling (token bucket over all callers): deployed by CDK and played by the local HTTP server. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };
