// The HTTP API: one JWT-authorized route per API_ROUTES entry (lib/api/routes.ts), a throttled stage of our own and
// JSON access logs that say who called which route how it went, and never what the path or query held.
import { Duration, type Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { API_ROUTES, API_THROTTLE } from '../../lib/api/routes';
import { SCOPE_PREFIX } from '../../lib/api/scopes';
import { acknowledge } from './nag';

/** The OAuth resource server whose scopes (`disputes/<role>`) the API's routes require (lib/api/scopes.ts). */
export { SCOPE_PREFIX };

/** The request headers a browser client (the reviewer console) sends beyond the CORS-safelisted ones. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
/** Response headers the console reads: how long to wait before retrying a throttled or busy request. */
export const CORS_EXPOSE_HEADERS = ['retry-after'];

/**
 * One JSON object per request. The route key is the template (`GET /v1/numbers/{e164}/stats`), never the path:
 * paths and query strings carry phone numbers, which stay out of the logs. The caller is the token's `client_id`
 * (the machine client, or the console's client for a person) and `sub` (the machine client again, or the person's
 * Cognito or external-issuer id; the API records the person's email or user name on what they do).
 */
export const API_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  clientId: '$context.authorizer.claims.client_id',
  sub: '$context.authorizer.claims.sub',
  sourceIp: '$context.identity.sourceIp',
  protocol: '$context.protocol',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
} as const;

export interface PipelineApiProps {
  handler: IFunction;
  jwt: { issuer: string; audience: string[] };
  key?: IKey;
  /** Browser origins allowed to call the API (CORS), e.g. the console's CloudFront URL; none: no CORS. */
  corsOrigins?: string[];
}

/** The API, its stage and its access log group, created in the stack itself (their logical ids predate this file). */
export function pipelineApi(stack: Stack, props: PipelineApiProps): { httpApi: HttpApi; stage: HttpStage; accessLogs: LogGroup } {
  const authorizer = new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: props.jwt.audience });
  const integration = new HttpLambdaIntegration('ApiIntegration', props.handler);
  const methods = [...new Set(API_ROUTES.map((route) => route.method))].sort();
  const httpApi = new HttpApi(stack, 'HttpApi', {
    apiName: `${stack.stackName}-api`,
    createDefaultStage: false,
    // API Gateway answers the preflight itself (before the JWT authoriser) and adds the CORS headers to every
    // response, the authoriser's 401 and 403 included. Bearer tokens, no cookies: credentials stay disallowed.
    corsPreflight: props.corsOrigins?.length
      ? {
          allowOrigins: props.corsOrigins,
          allowMethods: methods.map((method) => CorsHttpMethod[method]),
          allowHeaders: CORS_ALLOW_HEADERS,
          exposeHeaders: CORS_EXPOSE_HEADERS,
          maxAge: Duration.hours(1),
        }
      : undefined,
  });
  const accessLogs = new LogGroup(stack, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH, encryptionKey: props.key });
  // A stage of our own, because the default stage offers no throttling settings.
  const stage = new HttpStage(stack, 'DefaultStage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    throttle: API_THROTTLE,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG_FIELDS)),
    },
  });
  for (const route of API_ROUTES) {
    const open = route.roles.length === 0; // the OpenAPI document
    const [created] = httpApi.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration,
      authorizer: open ? new HttpNoneAuthorizer() : authorizer,
      // API Gateway lets a token through if it carries any one of these scopes.
      authorizationScopes: open ? undefined : route.roles.map((role) => `${SCOPE_PREFIX}/${role}`),
    });
    if (open && created) acknowledge(created, { 'AwsSolutions-APIG4': 'The OpenAPI document is the public contract: it is served without credentials on purpose and holds no data.' });
  }
  return { httpApi, stage, accessLogs };
}
