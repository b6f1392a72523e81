// Who is calling and in which roles: JWT claims from the API Gateway authoriser in AWS, bearer tokens from
// configuration locally (API_TOKENS, a JSON map of token → { subject, roles }).
import { timingSafeEqual } from 'node:crypto';
import type { Role } from './routes';
import { Problem } from './problem';
import { setting } from '../config';

export interface Caller {
  subject: string;
  roles: Role[];
}

const ROLES: Role[] = ['ticketing', 'reviewer', 'auditor', 'billing'];

export interface AuthInput {
  authorization?: string;
  /** As API Gateway's JWT authoriser passes them. */
  jwtClaims?: Record<string, string | number | boolean | string[]>;
}

function fromJwt(claims: NonNullable<AuthInput['jwtClaims']>): Caller {
  // Scopes arrive as "disputes/reviewer disputes/ticketing" (OAuth resource-server scopes).
  const scopes = String(claims.scope ?? claims.scp ?? '').split(/\s+/);
  const roles = ROLES.filter((role) => scopes.includes(`disputes/${role}`) || scopes.includes(role));
  return { subject: subjectOf(claims), roles };
}

/**
 * Who is recorded on decisions, leases and history: a person by email or user name (Cognito access tokens carry
 * `username`, and `email` once the pre-token trigger adds it; other issuers often `preferred_username`), never the
 * opaque `sub` when a name is there. A machine client keeps its `sub`, which for Cognito client credentials is the
 * client id.
 */
function subjectOf(claims: NonNullable<AuthInput['jwtClaims']>): string {
  for (const claim of ['email', 'username', 'cognito:username', 'preferred_username', 'sub', 'client_id']) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return 'unknown';
}

function fromToken(authorization: string | undefined): Caller {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new Problem(401, 'unauthenticated', 'a bearer token is required');
  const tokens = setting('API_TOKENS');
  const given = Buffer.from(match[1]!);
  for (const [token, caller] of Object.entries(tokens)) {
    const known = Buffer.from(token);
    if (known.length === given.length && timingSafeEqual(known, given)) return caller;
  }
  throw new Problem(401, 'unauthenticated', 'the bearer token is not valid');
}

export function authenticate(input: AuthInput): Caller {
  if (setting('AUTH_MODE') === 'jwt') {
    if (!input.jwtClaims) throw new Problem(401, 'unauthenticated', 'a valid JWT is required');
    return fromJwt(input.jwtClaims);
  }
  return fromToken(input.authorization);
}

export function authorize(caller: Caller, allowed: Role[]): void {
  if (!caller.roles.some((role) => allowed.includes(role))) {
    throw new Problem(403, 'forbidden', `this operation needs one of the roles: ${allowed.join(', ')}`);
  }
}
