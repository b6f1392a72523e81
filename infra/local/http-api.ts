// The local HTTP API: what API Gateway (HTTP API, payload v2) does in front of the api function. It matches the
// stack's routes, decodes path parameters exactly once (as API Gateway does before the function runs), throttles
// like the stage, and answers anything it refuses itself as problem+json. No request can stop this server.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { handler as apiFunction } from '../../functions/api/index';
import { API_ROUTES, API_THROTTLE, routeKey } from '../../lib/api/routes';
import { serveConsole } from './console-server';
import { lambdaContext } from './runner';

export type ApiHandler = typeof apiFunction;
type ApiEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & { requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> };

/** API Gateway's own payload limit: past it the request never reaches the function. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const TEMPLATES = API_ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
  return { route, names, pattern };
});

const TITLES: Record<number, string> = { 400: 'Bad Request', 413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error' };

function problem(status: number, type: string, detail: string, errors?: { field: string; reason: string }[]): string {
  return JSON.stringify({ type: `/problems/${type}`, title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, headers);
  res.end(body);
}

const sendProblem = (res: ServerResponse, status: number, type: string, detail: string, errors?: { field: string; reason: string }[]) =>
  send(res, status, { 'content-type': 'application/problem+json' }, problem(status, type, detail, errors));

/** Thrown for what the gateway itself refuses; answered 400 naming the field. */
class GatewayRefusal extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(reason);
    this.name = 'GatewayRefusal';
  }
}

/** Decodes one path segment, once. A malformed escape is refused, naming the path parameter. */
function decodeSegment(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GatewayRefusal(`path.${name}`, 'contains a malformed percent-escape');
  }
}

/** Query parameters as API Gateway passes them: decoded once, repeated names joined with commas. */
function queryParameters(search: string): Record<string, string> | undefined {
  if (search.length <= 1) return undefined;
  // No prototype: a parameter named `constructor` or `__proto__` is a parameter like any other.
  const out = Object.create(null) as Record<string, string>;
  for (const pair of search.slice(1).split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const rawName = at < 0 ? pair : pair.slice(0, at);
    const rawValue = at < 0 ? '' : pair.slice(at + 1);
    const plus = (s: string) => s.replace(/\+/g, ' ');
    const name = decodeQuery(plus(rawName), 'query');
    const value = decodeQuery(plus(rawValue), `query.${name}`);
    out[name] = Object.hasOwn(out, name) ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length > 0 ? { ...out } : undefined;
}

function decodeQuery(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GatewayRefusal(field, 'contains a malformed percent-escape');
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<{ body: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the gateway's limit nothing more is kept; the request is refused once it is read.
    if (size > limit) continue;
    chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit };
}

function toEvent(req: IncomingMessage, body: string): ApiEvent {
  // The raw target, split by hand: WHATWG URL parsing would normalise escapes and dot segments first.
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q);
  const method = req.method ?? 'GET';
  const match = TEMPLATES.map((t) => ({ t, m: t.pattern.exec(rawPath) })).find(({ t, m }) => m && t.route.method === method);
  const pathParameters = match ? Object.fromEntries(match.t.names.map((n, i) => [n, decodeSegment(n, match.m![i + 1]!)])) : undefined;
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
  const key = match ? routeKey(match.t.route) : '$default';
  return {
    version: '2.0',
    routeKey: key,
    rawPath,
    rawQueryString: rawQuery.slice(1),
    headers,
    queryStringParameters: queryParameters(rawQuery),
    pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body === '' ? undefined : body,
    isBase64Encoded: false,
  };
}

/** An HTTP server that turns requests into API Gateway HTTP API payload v2 events, matched by the stack's routes. */
export function startHttpApi(handler: ApiHandler, port: number, options: { host?: string; throttle?: typeof API_THROTTLE } = {}): Promise<Server> {
  // The stage's token bucket: API Gateway answers 429 itself, before the function runs, with this body.
  const throttle = options.throttle ?? API_THROTTLE;
  let tokens = throttle.burstLimit;
  let refilledAt = Date.now();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A target no URL parser reads (`//[`): refused here, before the console's router tries to parse it.
    if (!URL.canParse(req.url ?? '/', 'http://local')) return sendProblem(res, 400, 'malformed-request', 'the request target is not a valid URI');
    // The reviewer console: every path outside /v1/ (in AWS, CloudFront serves it; the stage's throttling is the API's).
    if (await serveConsole(req, res)) return;
    tokens = Math.min(throttle.burstLimit, tokens + ((Date.now() - refilledAt) / 1000) * throttle.rateLimit);
    refilledAt = Date.now();
    if (tokens < 1) return send(res, 429, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Too Many Requests' }));
    tokens -= 1;
    const { body, tooLarge } = await readBody(req, MAX_PAYLOAD_BYTES);
    if (tooLarge) return sendProblem(res, 413, 'body-too-large', `the body must not exceed ${MAX_PAYLOAD_BYTES} bytes`);
    let event: ApiEvent;
    try {
      event = toEvent(req, body);
    } catch (error) {
      if (error instanceof GatewayRefusal) return sendProblem(res, 400, 'validation-failed', `${error.field} ${error.reason}`, [{ field: error.field, reason: error.reason }]);
      throw error;
    }
    // The function always answers with a structured result (lib/api/handle.ts).
    const result = (await handler(event, lambdaContext('api'), { signal: new AbortController().signal })) as APIGatewayProxyStructuredResultV2;
    send(res, result.statusCode ?? 200, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])), result.body ?? '');
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => sendProblem(res, 500, 'internal', 'the request could not be completed; it is safe to retry'));
  });
  // What Node's parser refuses (a URI or headers over its limit, a malformed request line) is answered as
  // problem+json too, where the socket still can be written to.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const [status, type, detail] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers-too-large', 'the request line and headers must not exceed 16 KB'] : [400, 'malformed-request', 'the request is not valid HTTP'];
    const body = problem(status, type, detail);
    socket.end(`HTTP/1.1 ${status} ${TITLES[status]}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return new Promise((resolve) => server.listen(port, options.host ?? '127.0.0.1', () => resolve(server)));
}
