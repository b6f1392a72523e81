// Who may call the API when no external issuer is configured: one Cognito user pool for machines and people.
//  - machines: one client-credentials app client per role (the ticket tool gets `ticketing` and nothing else);
//  - people: the hosted sign-in on the pool's domain, the console's public app client (authorization code with PKCE,
//    no secret), and the groups `reviewer` and `auditor`. A pre-token-generation trigger turns a person's groups
//    into the `disputes/<role>` scopes the API's routes require and puts their verified email in the access token
//    (lib/api/scopes.ts), so the API records the person, not an opaque id.
// The pool and its clients are created in the stack itself: their logical ids predate this file.
import { CfnOutput, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClientIdentityProvider,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Role } from '../../lib/api/routes';
import { PERSON_ROLES, SCOPE_PREFIX, roleScope } from '../../lib/api/scopes';
import { acknowledge } from './nag';

/**
 * One client-credentials app client per role. `billing`: the billing system reads approved adjustments and
 * acknowledges them posted (machine client only).
 */
export const ROLES: readonly Role[] = ['ticketing', 'reviewer', 'auditor', 'billing'];

/** What the console asks for at sign-in; the trigger keeps only the role scopes of the person's groups. */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile', ...PERSON_ROLES.map(roleScope)];

export interface CognitoIdentityProps {
  domainPrefix: string;
  /** The console's address (its CloudFront URL with `/`): where sign-in and sign-out return, named in invitations. */
  consoleUrl: string;
  /** Further callback and sign-out URLs (context consoleExtraUrls). */
  extraUrls: string[];
  /** The pre-token-generation trigger (functions/cognito-pre-token). */
  preTokenTrigger: IFunction;
}

export interface CognitoIdentity {
  /** What the API's JWT authoriser trusts. */
  jwt: { issuer: string; audience: string[] };
  pool: UserPool;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  signInBaseUrl: string;
  consoleClientId: string;
}

/** The Cognito domain's address, from the prefix alone (the CSP needs it before the domain exists). */
export const cognitoBaseUrl = (prefix: string, region: string) => `https://${prefix}.auth.${region}.amazoncognito.com`;

export function cognitoIdentity(stack: Stack, props: CognitoIdentityProps): CognitoIdentity {
  const pool = new UserPool(stack, 'UserPool', {
    userPoolName: `${stack.stackName}-users`,
    // People are added by an administrator (docs/deploying-to-aws.md), never by themselves.
    selfSignUpEnabled: false,
    // Essentials: access-token customization (the V2_0 trigger event) needs it.
    featurePlan: FeaturePlan.ESSENTIALS,
    passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
    // Every person confirms a sign-in with an authenticator app (set up at the first sign-in); no SMS.
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: AccountRecovery.EMAIL_ONLY,
    autoVerify: { email: true },
    userInvitation: {
      emailSubject: 'Your access to the dispute console',
      emailBody: `Your user name is {username} and your temporary password is {####}. Sign in at ${props.consoleUrl} and choose a new password; you will set up an authenticator app for the second factor.`,
    },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  pool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, props.preTokenTrigger, LambdaVersion.V2_0);
  acknowledge(pool, {
    'AwsSolutions-COG8': 'Essentials, not Plus: people sign in with a 12-character password and a required authenticator-app code, and the client-credentials clients are machines; Plus threat protection (adaptive authentication, compromised credentials) is a per-user cost the operator can add in the Cognito console without a change here.',
  });

  const scopes = Object.fromEntries(ROLES.map((role) => [role, new ResourceServerScope({ scopeName: role, scopeDescription: `Act as ${role}` })])) as Record<Role, ResourceServerScope>;
  const server = pool.addResourceServer('ResourceServer', { identifier: SCOPE_PREFIX, scopes: Object.values(scopes) });
  // The hosted sign-in and the token endpoint live on the user pool's domain.
  const domain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
  const signInBaseUrl = domain.baseUrl();
  new CfnOutput(stack, 'TokenEndpoint', { value: `${signInBaseUrl}/oauth2/token` });
  new CfnOutput(stack, 'SignInDomain', { value: signInBaseUrl, description: 'The hosted sign-in of people (the console sends them there)' });
  new CfnOutput(stack, 'UserPoolId', { value: pool.userPoolId, description: 'Read an app client\'s secret with: aws cognito-idp describe-user-pool-client' });

  // One machine client per role, so e.g. the ticketing system can never obtain an auditor token.
  const machineClientIds = ROLES.map((role) => {
    const client = pool.addClient(`${role}Client`, {
      userPoolClientName: `${stack.stackName}-${role}`,
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(server, scopes[role])],
      },
    });
    new CfnOutput(stack, `${role}ClientId`, { value: client.userPoolClientId });
    return client.userPoolClientId;
  });

  // People: a public client (a browser keeps no secret), authorization code with PKCE through the hosted sign-in.
  const returnUrls = [props.consoleUrl, `${props.consoleUrl}index.html`, ...props.extraUrls];
  const consoleClient = pool.addClient('ConsoleClient', {
    userPoolClientName: `${stack.stackName}-console`,
    generateSecret: false,
    authFlows: { userSrp: true },
    preventUserExistenceErrors: true,
    supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
    oAuth: {
      flows: { authorizationCodeGrant: true },
      scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE, ...PERSON_ROLES.map((role) => OAuthScope.resourceServer(server, scopes[role]))],
      callbackUrls: returnUrls,
      logoutUrls: [props.consoleUrl, ...props.extraUrls],
    },
  });
  new CfnOutput(stack, 'UserPoolClientId', { value: consoleClient.userPoolClientId, description: 'The reviewer console\'s app client (public, authorization code with PKCE)' });

  // A person's roles: membership of the group named after the role (the trigger maps it to the scope).
  PERSON_ROLES.forEach((role, i) => {
    pool.addGroup(`${role}Group`, {
      groupName: role,
      description: `People who act as ${role}: their access tokens get the scope ${roleScope(role)}`,
      precedence: i,
    });
  });

  // Cognito access tokens carry no `aud`; API Gateway then checks `client_id` against the audience list instead.
  return {
    jwt: { issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${pool.userPoolId}`, audience: [...machineClientIds, consoleClient.userPoolClientId] },
    pool,
    signInBaseUrl,
    consoleClientId: consoleClient.userPoolClientId,
  };
}
