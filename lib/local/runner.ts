// The local runner plays what AWS does around the handlers: SQS event-source mappings (poll, invoke, delete only
// what the handler did not report as failed), the HTTP API (requests → payload v2 events) and the schedule.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { newSqsClient } from '../adapters/aws';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { API_ROUTES, API_THROTTLE, routeKey } from '../../functions/api/routes';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 900_000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let sqs: SQSClient | undefined;
const client = () => (sqs ??= newSqsClient());

/**
 * One poll of an event-source mapping: receive up to `batchSize` messages (in receives of 10, like a batching
 * window), invoke the handler once, delete the messages it did not report as failed. Returns how many it received.
 */
export async function pollOnce(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number; waitSeconds?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 10;
  const messages: Message[] = [];
  while (messages.length < batchSize) {
    const out = await client().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
        WaitTimeSeconds: messages.length === 0 ? (options.waitSeconds ?? 0) : 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    if (!out.Messages || out.Messages.length === 0) break;
    messages.push(...out.Messages);
  }
  if (messages.length === 0) return 0;
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`,
      awsRegion: 'us-east-1',
    })),
  };
  let failed: Set<string>;
  try {
    const response = await handler(event, lambdaContext(functionName));
    failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    // A thrown handler fails the whole batch: nothing is deleted, every message comes back after its visibility timeout.
    return messages.length;
  }
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  for (let i = 0; i < done.length; i += 10) {
    const chunk = done.slice(i, i + 10);
    await client().send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return messages.length;
}

/** Polls until stopped, like an event-source mapping. */
export function startPoller(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number } = {}): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await pollOnce(queueUrl, functionName, handler, { ...options, waitSeconds: 1 });
      } catch (error) {
        if (running) console.error(`[${functionName}] poll failed: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Polls until the queue stays empty: what tests and the demo use to wait for the pipeline to settle. */
export async function drain(queueUrl: string, functionName: string, handler: SqsHandler, options: { batchSize?: number } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const received = await pollOnce(queueUrl, functionName, handler, options);
    if (received === 0) return total;
    total += received;
  }
}

const TEMPLATES = API_ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, name) => (names.push(name), '([^/]+)'))}$`);
  return { route, names, pattern };
});

type ApiHandler = (event: any, context: Context) => Promise<any>;

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    // API Gateway refuses payloads over its limit before the function runs; keep reading nothing more past it.
    if (size > limit) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An HTTP server that turns requests into API Gateway HTTP API payload v2 events, matched by the stack's routes. */
export function startHttpApi(handler: ApiHandler, port: number, options: { host?: string; throttle?: typeof API_THROTTLE } = {}): Promise<Server> {
  // The stage's token bucket: API Gateway answers 429 itself, before the function runs, with this body.
  const throttle = options.throttle ?? API_THROTTLE;
  let tokens = throttle.burstLimit;
  let refilledAt = Date.now();
  const server = createServer(async (req, res) => {
    tokens = Math.min(throttle.burstLimit, tokens + ((Date.now() - refilledAt) / 1000) * throttle.rateLimit);
    refilledAt = Date.now();
    if (tokens < 1) {
      res.writeHead(429, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ message: 'Too Many Requests' }));
    }
    tokens -= 1;
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const match = TEMPLATES.map((t) => ({ t, m: t.pattern.exec(url.pathname) })).find(({ t, m }) => m && t.route.method === method);
    const body = await readBody(req, 10 * 1024 * 1024);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = {
      version: '2.0',
      routeKey: match ? routeKey(match.t.route) : '$default',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined,
      pathParameters: match ? Object.fromEntries(match.t.names.map((n, i) => [n, decodeURIComponent(match.m![i + 1]!)])) : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: url.host,
        domainPrefix: 'local',
        http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: match ? routeKey(match.t.route) : '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      body: body === '' ? undefined : body,
      isBase64Encoded: false,
    };
    try {
      const result = await handler(event, lambdaContext('api'));
      res.writeHead(result.statusCode ?? 200, result.headers ?? {});
      res.end(result.body ?? '');
    } catch {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: '/problems/internal', title: 'Internal Server Error', status: 500 }));
    }
  });
  return new Promise((resolve) => server.listen(port, options.host ?? '127.0.0.1', () => resolve(server)));
}
