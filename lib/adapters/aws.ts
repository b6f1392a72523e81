// AWS SDK clients and the resource names handed to the handlers through the environment.
// Locally the SDK's own AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS point the same clients at the emulators.
// In Lambda every client's calls are X-Ray subsegments (lib/adapters/tracing.ts); locally `traced` does nothing.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from './tracing';

let dynamo: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;

/** An SDK call as a middleware sees it: what it sends, and the command's name in its context. */
export type SdkMiddleware = (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: Record<string, unknown> }) => Promise<unknown>;
/** As much of a client's middleware stack as a test hook uses (method syntax: the SDK's overloads fit it). */
export interface WithStack {
  middlewareStack: {
    add(middleware: SdkMiddleware, options: { step: 'initialize'; name: string; priority?: 'high' | 'low' }): void;
    add(middleware: SdkMiddleware, options: { step: 'finalizeRequest'; name: string; priority?: 'high' | 'low' }): void;
    remove(name: string): boolean;
  };
}
const clients = new Set<WithStack>();
const hooks = new Set<(client: WithStack) => void>();

/** Every client made here is known, so a test-only hook (onEveryClient) reaches it, made before or after the hook. */
function known<T>(client: T): T {
  // Every SDK v3 client has this middleware stack; its own overloaded types do not name one shape for both steps.
  const hookable = client as unknown as WithStack;
  clients.add(hookable);
  for (const hook of hooks) hook(hookable);
  return client;
}

/**
 * Test-only: runs `apply` on every AWS SDK client this module has made and will make (the fault-injection suite adds
 * a middleware that fails or throttles a chosen call). Returns the function that stops applying it to new clients.
 */
export function onEveryClient(apply: (client: WithStack) => void): () => void {
  for (const client of clients) apply(client);
  hooks.add(apply);
  return () => hooks.delete(apply);
}

export function documentClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(known(traced(new DynamoDBClient({ maxAttempts: 8 }))), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function sqsClient(): SQSClient {
  sqs ??= newSqsClient();
  return sqs;
}

/** The client resolves its endpoint (region or AWS_ENDPOINT_URL_SQS), never a queue URL's host: emulators mint URLs with made-up hosts. */
export const newSqsClient = () => known(traced(new SQSClient({ maxAttempts: 8, useQueueUrlAsEndpoint: false })));

export { queueUrl, tableName } from '../config';

/** Write units consumed by this process, per table: the benchmark reads them, the handlers log them. */
export const consumedWriteUnits = new Map<string, number>();

export function recordConsumed(capacity: { TableName?: string; CapacityUnits?: number; WriteCapacityUnits?: number; Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> } | undefined): void {
  if (!capacity?.TableName) return;
  const table = capacity.Table?.CapacityUnits ?? capacity.WriteCapacityUnits ?? capacity.CapacityUnits ?? 0;
  const indexes = Object.values(capacity.GlobalSecondaryIndexes ?? {}).reduce((sum, i) => sum + (i.CapacityUnits ?? 0), 0);
  const name = capacity.TableName;
  consumedWriteUnits.set(name, (consumedWriteUnits.get(name) ?? 0) + table);
  if (indexes > 0) consumedWriteUnits.set(`${name} (indexes)`, (consumedWriteUnits.get(`${name} (indexes)`) ?? 0) + indexes);
}

/** Every item of a query, following pagination. */
export async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Fake credentials and region, so the real SDK clients sign requests the emulators accept. */
export function localAwsEnv(e: { dynamoEndpoint: string; sqsEndpoint: string }): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamoEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: e.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: e.sqsEndpoint,
  };
}
