// The OAuth scopes behind the API's roles, and which of them a person gets from their Cognito groups. API Gateway's
// JWT authoriser admits a route on a scope `disputes/<role>` (infra/aws/http-api.ts); machine clients are granted
// theirs by their app client, people by the pre-token-generation trigger (functions/cognito-pre-token), which uses
// accessTokenChanges: a group's scope is added and every other role scope removed, even one the console asked for,
// so an app client's allowed scopes never make a person a reviewer by themselves.
import type { Role } from './routes';

/** The resource server's identifier: scopes read `disputes/reviewer`. */
export const SCOPE_PREFIX = 'disputes';

export const roleScope = (role: Role) => `${SCOPE_PREFIX}/${role}`;

/** The roles people hold, each through the Cognito group of the same name. `ticketing` and `billing` are machines' roles only. */
export const PERSON_ROLES = ['reviewer', 'auditor'] as const satisfies readonly Role[];
const ALL_ROLES: readonly Role[] = ['ticketing', 'billing', ...PERSON_ROLES];

/**
 * Lets an access token call Cognito's own user APIs (UpdateUserAttributes among them): removed, so nobody can
 * change the email the API records as who decided.
 */
export const COGNITO_SELF_SERVICE_SCOPE = 'aws.cognito.signin.user.admin';

export interface PersonAtSignIn {
  /** The user's groups (the trigger event's groupConfiguration.groupsToOverride). */
  groups: readonly string[];
  /** The user's attributes as Cognito passes them: strings, `email_verified` is "true" or "false". */
  userAttributes: Readonly<Record<string, string | undefined>>;
}

export interface AccessTokenChanges {
  scopesToAdd: string[];
  scopesToSuppress: string[];
  claimsToAddOrOverride: Record<string, string>;
}

/** What the trigger changes in a person's access token. */
export function accessTokenChanges(person: PersonAtSignIn): AccessTokenChanges {
  const held: Role[] = PERSON_ROLES.filter((role) => person.groups.includes(role));
  const email = person.userAttributes.email?.trim();
  return {
    scopesToAdd: held.map(roleScope),
    // Every role scope not held, `ticketing` and `billing` included: a person never acts as the ticket tool or billing.
    scopesToSuppress: [...ALL_ROLES.filter((role) => !held.includes(role)).map(roleScope), COGNITO_SELF_SERVICE_SCOPE],
    // Cognito access tokens carry the user name but no email: add it, once verified, so the API can name the person.
    claimsToAddOrOverride: email && person.userAttributes.email_verified === 'true' ? { email } : {},
  };
}
