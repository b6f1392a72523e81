// One API request, end to end: authenticate, authorise by route, run the operation, answer problems as RFC 9457.
import { API_ROUTES, routeKey } from '../../functions/api/routes';
import { logger } from '../logger';
import { type AuthInput, authenticate, authorize } from './auth';
import { type ApiRequest, OPERATIONS } from './operations';
import { type HttpResponse, Problem, problemResponse } from './problem';

const ROUTES = new Map(API_ROUTES.map((route) => [routeKey(route), route]));

export async function handleApiRequest(request: Omit<ApiRequest, 'caller'> & { auth: AuthInput; requestId: string }): Promise<HttpResponse> {
  const instance = `/requests/${request.requestId}`;
  try {
    const route = ROUTES.get(request.routeKey);
    const operation = OPERATIONS[request.routeKey];
    if (!route || !operation) throw new Problem(404, 'not-found', 'no such route');
    const caller = authenticate(request.auth);
    authorize(caller, route.roles);
    return await operation({ ...request, caller });
  } catch (error) {
    if (error instanceof Problem) return problemResponse(error, instance);
    logger.error('request failed', { routeKey: request.routeKey, error: error as Error });
    return problemResponse(new Problem(500, 'internal', 'the request could not be completed; it is safe to retry'), instance);
  }
}
