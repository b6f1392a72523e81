// Who is calling and in which roles: JWT claims from the API Gateway authoriser in AWS, bearer tokens from
// configuration locally (API_TOKENS, a JSON map of token → { subject, roles }).
import { timingSafeEqual } from 'node:crypto';
import type { Role } from '../../functions/api/routes';
import { Problem } from './problem';

export interface Caller {
  subject: string;
  roles: Role[];
}

const ROLES: Role[] = ['ticketing', 'reviewer', 'auditor'];

export interface AuthInput {
  authorization?: string;
  jwtClaims?: Record<string, unknown>;
}

function fromJwt(claims: Record<string, unknown>): Caller {
  // Scopes arrive as "disputes/reviewer disputes/ticketing" (OAuth resource-server scopes).
  const scopes = String(claims.scope ?? claims.scp ?? '').split(/\s+/);
  const roles = ROLES.filter((role) => scopes.includes(`disputes/${role}`) || scopes.includes(role));
  return { subject: String(claims.sub ?? claims.client_id ?? 'unknown'), roles };
}

function fromToken(authorization: string | undefined): Caller {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new Problem(401, 'unauthenticated', 'a bearer token is required');
  const tokens = JSON.parse(process.env.API_TOKENS ?? '{}') as Record<string, Caller>;
  const given = Buffer.from(match[1]!);
  for (const [token, caller] of Object.entries(tokens)) {
    const known = Buffer.from(token);
    if (known.length === given.length && timingSafeEqual(known, given)) return caller;
  }
  throw new Problem(401, 'unauthenticated', 'the bearer token is not valid');
}

export function authenticate(input: AuthInput): Caller {
  if (process.env.AUTH_MODE === 'jwt') {
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
