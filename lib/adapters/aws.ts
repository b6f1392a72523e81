// AWS SDK clients and the resource names handed to the handlers through the environment.
// Locally the SDK's own AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS point the same clients at the emulators.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, type QueueKey, TABLES, type TableKey } from './resources';

let dynamo: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 8 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function sqsClient(): SQSClient {
  sqs ??= newSqsClient();
  return sqs;
}

/** The client resolves its endpoint (region or AWS_ENDPOINT_URL_SQS), never a queue URL's host: emulators mint URLs with made-up hosts. */
export const newSqsClient = () => new SQSClient({ maxAttempts: 8, useQueueUrlAsEndpoint: false });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export const tableName = (table: TableKey): string => required(TABLES[table].env);
export const queueUrl = (queue: QueueKey): string => required(QUEUES[queue].env);

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
