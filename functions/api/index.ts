// API Gateway HTTP API (payload v2) → the API: turn the event into a plain request and the answer back.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handleApiRequest } from '../../lib/api/handle';
import { logger } from '../../lib/logger';

type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer | (Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & { requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & { authorizer?: undefined } });

async function api(event: ApiEvent, context: Context): Promise<APIGatewayProxyResultV2> {
  // One correlation id per request in every log line; the middleware resets it after the invocation.
  logger.appendKeys({ correlationId: event.requestContext.requestId });
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
  return handleApiRequest({
    routeKey: event.routeKey,
    requestId: event.requestContext.requestId,
    pathParameters: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    headers,
    body: event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
    context,
    auth: { authorization: headers.authorization, jwtClaims: event.requestContext.authorizer?.jwt?.claims },
  });
}

export const handler = middy(api).use(injectLambdaContext(logger, { resetKeys: true }));
