// API Gateway HTTP API (payload v2) → the API: turn the event into a plain request and the answer back.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { handleApiRequest } from '../../lib/api/handle';
import type { HttpResponse } from '../../lib/api/problem';
import { logger } from '../../lib/adapters/logger';
import { METRICS, countMetric, metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';

type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer | (Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & { requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & { authorizer?: undefined } });

const bodyOf = (response: HttpResponse): Record<string, unknown> => {
  try {
    return JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/**
 * The business metrics of an answered request: disputes opened, decisions and overrides. A response replayed for an
 * Idempotency-Key counts nothing; nor does a retry that gets back a dispute an earlier request opened (opened
 * before this request began).
 */
function countRequest(routeKey: string, response: HttpResponse, startedAt: number): void {
  if (response.headers['idempotent-replayed'] === 'true') return;
  if (routeKey === 'POST /v1/disputes' && response.statusCode === 202) {
    const openedAt = Date.parse(String(bodyOf(response).openedAt));
    if (openedAt >= startedAt - 1) countMetric(METRICS.disputesOpened);
  } else if (routeKey === 'POST /v1/disputes/{disputeId}/decision' && response.statusCode === 200) {
    countMetric(METRICS.disputesDecided);
    if ((bodyOf(response).decision as { action?: string } | undefined)?.action === 'OVERRIDE') countMetric(METRICS.decisionOverrides);
  }
}

async function api(event: ApiEvent, context: Context): Promise<APIGatewayProxyResultV2> {
  const startedAt = Date.now();
  // One correlation id per request in every log line; the middleware resets it after the invocation.
  logger.appendKeys({ correlationId: event.requestContext.requestId });
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
  const response = await handleApiRequest({
    routeKey: event.routeKey,
    requestId: event.requestContext.requestId,
    pathParameters: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
    headers,
    body: event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
    context,
    auth: { authorization: headers.authorization, jwtClaims: event.requestContext.authorizer?.jwt?.claims },
  });
  countRequest(event.routeKey, response, startedAt);
  return response;
}

export const handler = middy(api).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger, { resetKeys: true }));
