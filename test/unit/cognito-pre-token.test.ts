// The Cognito pre-token-generation trigger: a person's groups become the API's role scopes, every other role scope is
// removed (whatever the console asked for), Cognito's self-service scope is removed, and a verified email goes into
// the access token; the API then records that email (or the user name) as who acted.
import { afterEach, describe, expect, it } from 'vitest';
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { handler } from '../../functions/cognito-pre-token/index';
import { authenticate } from '../../lib/api/auth';
import { COGNITO_SELF_SERVICE_SCOPE, PERSON_ROLES, accessTokenChanges } from '../../lib/api/scopes';

const verified = { email: 'rita@example.com', email_verified: 'true' };

describe('accessTokenChanges', () => {
  it('a reviewer gets disputes/reviewer and loses every other role scope and the self-service scope', () => {
    expect(accessTokenChanges({ groups: ['reviewer'], userAttributes: verified })).toEqual({
      scopesToAdd: ['disputes/reviewer'],
      // Machine-only roles (the ticket tool, billing) are never a person's.
      scopesToSuppress: ['disputes/ticketing', 'disputes/billing', 'disputes/auditor', COGNITO_SELF_SERVICE_SCOPE],
      claimsToAddOrOverride: { email: 'rita@example.com' },
    });
  });

  it('someone in both groups gets both; someone in neither gets none, even when the console asked for them', () => {
    expect(accessTokenChanges({ groups: ['auditor', 'reviewer'], userAttributes: {} }).scopesToAdd).toEqual(['disputes/reviewer', 'disputes/auditor']);
    const none = accessTokenChanges({ groups: [], userAttributes: {} });
    expect(none.scopesToAdd).toEqual([]);
    expect(none.scopesToSuppress).toEqual(['disputes/ticketing', 'disputes/billing', 'disputes/reviewer', 'disputes/auditor', COGNITO_SELF_SERVICE_SCOPE]);
  });

  it('no group makes a person the ticket tool, and unknown groups grant nothing', () => {
    const changes = accessTokenChanges({ groups: ['ticketing', 'admins', 'Reviewer'], userAttributes: {} });
    expect(changes.scopesToAdd).toEqual([]);
    expect(changes.scopesToSuppress).toContain('disputes/ticketing');
  });

  it('adds and removes no scope at once', () => {
    for (const groups of [[], ['reviewer'], ['auditor'], [...PERSON_ROLES]]) {
      const { scopesToAdd, scopesToSuppress } = accessTokenChanges({ groups, userAttributes: {} });
      expect(scopesToAdd.filter((scope) => scopesToSuppress.includes(scope))).toEqual([]);
    }
  });

  it('adds the email only when it is verified', () => {
    expect(accessTokenChanges({ groups: [], userAttributes: { email: 'rita@example.com', email_verified: 'false' } }).claimsToAddOrOverride).toEqual({});
    expect(accessTokenChanges({ groups: [], userAttributes: { email: 'rita@example.com' } }).claimsToAddOrOverride).toEqual({});
    expect(accessTokenChanges({ groups: [], userAttributes: { email: ' ', email_verified: 'true' } }).claimsToAddOrOverride).toEqual({});
  });
});

describe('the trigger handler (V2_0 event)', () => {
  const event = (groups: string[] | undefined): PreTokenGenerationV2TriggerEvent => ({
    version: '2',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_pool',
    triggerSource: 'TokenGeneration_HostedAuth',
    userName: 'rita',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'console-client' },
    request: {
      userAttributes: { sub: '7f1c', ...verified },
      groupConfiguration: groups ? { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined } : {},
      scopes: ['openid', 'email', 'profile', 'disputes/reviewer', 'disputes/auditor'],
    },
    response: { claimsAndScopeOverrideDetails: {} },
  });

  it('answers with the access token changes and hands the groups back unchanged', async () => {
    const answer = await handler(event(['reviewer']));
    expect(answer.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual(accessTokenChanges({ groups: ['reviewer'], userAttributes: verified }));
    expect(answer.response.claimsAndScopeOverrideDetails.groupOverrideDetails).toEqual({ groupsToOverride: ['reviewer'], iamRolesToOverride: [], preferredRole: undefined });
    expect(answer.response.claimsAndScopeOverrideDetails.idTokenGeneration).toBeUndefined();
  });

  it('a user without groups gets no role', async () => {
    const answer = await handler(event(undefined));
    expect(answer.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.scopesToAdd).toEqual([]);
  });
});

describe('who the API records (JWT claims from API Gateway)', () => {
  afterEach(() => {
    process.env.AUTH_MODE = 'tokens';
  });
  const caller = (claims: Record<string, string>) => {
    process.env.AUTH_MODE = 'jwt';
    return authenticate({ jwtClaims: claims });
  };

  it('a person signed in through Cognito: the email the trigger added, else the user name, never the opaque sub', () => {
    expect(caller({ sub: '7f1c-…', username: 'rita', email: 'rita@example.com', client_id: 'console', scope: 'openid disputes/reviewer' })).toEqual({ subject: 'rita@example.com', roles: ['reviewer'] });
    expect(caller({ sub: '7f1c-…', username: 'rita', client_id: 'console', scope: 'disputes/auditor' })).toEqual({ subject: 'rita', roles: ['auditor'] });
  });

  it('a machine client keeps its client id (Cognito client credentials: sub = client_id); another issuer\'s person, preferred_username', () => {
    expect(caller({ sub: '5ticket', client_id: '5ticket', scope: 'disputes/ticketing' }).subject).toBe('5ticket');
    expect(caller({ sub: 'abc', preferred_username: 'rita@corp.example', scp: 'disputes/reviewer' }).subject).toBe('rita@corp.example');
    expect(caller({ sub: 'abc', scope: 'disputes/reviewer' }).subject).toBe('abc');
  });
});
