// Cognito pre-token-generation trigger (event version V2_0: user sign-ins and refreshes only; machine clients'
// client-credentials tokens never reach it). A person's groups become the `disputes/<role>` scopes the API's routes
// require, and their verified email goes into the access token so decisions, leases and history name them
// (lib/api/scopes.ts).
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { accessTokenChanges } from '../../lib/api/scopes';

export function handler(event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> {
  const groupConfiguration = event.request.groupConfiguration ?? {};
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: accessTokenChanges({ groups: groupConfiguration.groupsToOverride ?? [], userAttributes: event.request.userAttributes ?? {} }),
      // Handed back as received: a missing group configuration would take cognito:groups out of the tokens.
      groupOverrideDetails: groupConfiguration,
    },
  };
  return Promise.resolve(event);
}
