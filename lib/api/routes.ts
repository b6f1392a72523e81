// The HTTP API's routes: the CDK stack, the local HTTP server and the handler's router all read this list.
export type Role = 'ticketing' | 'reviewer' | 'auditor' | 'billing';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** Who may call it; empty means public (no credentials). */
  roles: Role[];
}

/**
 * Who reviews and closes rejects: the auditor, who already sees them in every audit report (REJECTED_INPUT) and
 * already holds the one other power to correct stored data (`--repair` of connect statistics). Replacing a stored
 * CDR changes billing evidence, so it stays with that role rather than with reviewers of disputes or the ticket tool.
 */
const REJECT_ROLES: Role[] = ['auditor'];

export const API_ROUTES: ApiRoute[] = [
  { method: 'POST', path: '/v1/disputes', roles: ['ticketing'] },
  // The ticket tool polls it for changes (`updatedSince`); it reads every dispute by id already.
  { method: 'GET', path: '/v1/disputes', roles: ['ticketing', 'reviewer', 'auditor'] },
  { method: 'GET', path: '/v1/disputes/{disputeId}', roles: ['ticketing', 'reviewer', 'auditor'] },
  { method: 'POST', path: '/v1/disputes/{disputeId}/decision', roles: ['reviewer'] },
  { method: 'POST', path: '/v1/disputes/{disputeId}/reinvestigate', roles: ['reviewer'] },
  { method: 'POST', path: '/v1/disputes/{disputeId}/lease', roles: ['reviewer'] },
  { method: 'DELETE', path: '/v1/disputes/{disputeId}/lease', roles: ['reviewer'] },
  { method: 'GET', path: '/v1/accounts/{accountId}/disputes', roles: ['ticketing', 'reviewer', 'auditor'] },
  { method: 'GET', path: '/v1/numbers/{e164}/stats', roles: ['reviewer', 'auditor'] },
  { method: 'POST', path: '/v1/audits', roles: ['auditor'] },
  { method: 'GET', path: '/v1/audits', roles: ['auditor'] },
  { method: 'GET', path: '/v1/audits/{auditId}', roles: ['auditor'] },
  // Rejected and conflicting CDRs: the auditor reviews and closes them (see REJECT_ROLES).
  { method: 'GET', path: '/v1/rejects', roles: REJECT_ROLES },
  { method: 'GET', path: '/v1/rejects/{rejectId}', roles: REJECT_ROLES },
  { method: 'POST', path: '/v1/rejects/{rejectId}/resolve', roles: REJECT_ROLES },
  { method: 'POST', path: '/v1/rejects/{rejectId}/dismiss', roles: REJECT_ROLES },
  { method: 'POST', path: '/v1/rejects/{rejectId}/keep', roles: REJECT_ROLES },
  { method: 'POST', path: '/v1/rejects/{rejectId}/replace', roles: REJECT_ROLES },
  // A ticket tool's own webhook endpoints (each answers only its owner), their delivery log and re-sends.
  { method: 'POST', path: '/v1/webhook-endpoints', roles: ['ticketing'] },
  { method: 'GET', path: '/v1/webhook-endpoints', roles: ['ticketing'] },
  { method: 'GET', path: '/v1/webhook-endpoints/{endpointId}', roles: ['ticketing'] },
  { method: 'PATCH', path: '/v1/webhook-endpoints/{endpointId}', roles: ['ticketing'] },
  { method: 'DELETE', path: '/v1/webhook-endpoints/{endpointId}', roles: ['ticketing'] },
  { method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/roll-secret', roles: ['ticketing'] },
  { method: 'GET', path: '/v1/webhook-endpoints/{endpointId}/deliveries', roles: ['ticketing'] },
  { method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver', roles: ['ticketing'] },
  // Adjustments to billing: the billing system reads and acknowledges them, a second reviewer approves large ones.
  { method: 'GET', path: '/v1/adjustments', roles: ['billing', 'reviewer', 'auditor'] },
  { method: 'GET', path: '/v1/adjustments/{adjustmentId}', roles: ['billing', 'reviewer', 'auditor'] },
  { method: 'POST', path: '/v1/adjustments/{adjustmentId}/approve', roles: ['reviewer'] },
  { method: 'POST', path: '/v1/adjustments/{adjustmentId}/posted', roles: ['billing'] },
  { method: 'GET', path: '/v1/openapi.json', roles: [] },
];

export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The stage's throttling (token bucket over all callers): deployed by CDK and played by the local HTTP server. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };
