// Creates the stack's tables and queues on the emulators from the same definitions the CDK stack deploys,
// and returns the environment the handlers read their resource names from.
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { newSqsClient } from '../adapters/aws';
import { QUEUES, type QueueDef, TABLES, type TableDef, dlqName } from '../adapters/resources';

export interface ProvisionOptions {
  /** Prefix for every physical name, so several stacks can share one emulator (one per test file). */
  prefix: string;
  /** Shorter visibility timeouts make redelivery observable in tests. */
  visibilityTimeoutSeconds?: number;
}

async function createTable(client: DynamoDBClient, def: TableDef, name: string): Promise<void> {
  const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])].filter((k) => k !== undefined);
  const attributes = [...new Map(keys.map((k) => [k.name, k])).values()];
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [{ AttributeName: pk.name, KeyType: 'HASH' as const }, ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : [])];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
      KeySchema: keySchema(def.partitionKey, def.sortKey),
      GlobalSecondaryIndexes:
        def.indexes.length > 0 ? def.indexes.map((i) => ({ IndexName: i.name, KeySchema: keySchema(i.partitionKey, i.sortKey), Projection: { ProjectionType: 'ALL' } })) : undefined,
      StreamSpecification: def.stream ? { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } : undefined,
    }),
  );
  if (def.ttlAttribute) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }));
  }
}

async function createQueue(client: SQSClient, def: QueueDef, prefix: string, visibility?: number): Promise<string> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${prefix}${dlqName(def)}`, Attributes: { MessageRetentionPeriod: String(14 * 86_400) } }));
  const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}${def.name}`,
      Attributes: {
        VisibilityTimeout: String(visibility ?? def.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount: def.maxReceiveCount }),
      },
    }),
  );
  return queue.QueueUrl!;
}

export const dlqEnv = (env: string) => env.replace(/_QUEUE_URL$/, '_DLQ_URL');

export async function provision(options: ProvisionOptions): Promise<Record<string, string>> {
  const dynamo = new DynamoDBClient({});
  const sqs = newSqsClient();
  const env: Record<string, string> = {};
  await Promise.all(
    Object.values(TABLES).map(async (def) => {
      const name = `${options.prefix}${def.name}`;
      await createTable(dynamo, def, name);
      env[def.env] = name;
    }),
  );
  // EventBridge has no local emulator: locally the dispute events go to a queue of their own, where they can be read.
  env.DISPUTE_EVENTS_QUEUE_URL = (await sqs.send(new CreateQueueCommand({ QueueName: `${options.prefix}dispute-events` }))).QueueUrl!;
  for (const def of Object.values(QUEUES)) {
    env[def.env] = await createQueue(sqs, def, options.prefix, options.visibilityTimeoutSeconds);
    env[dlqEnv(def.env)] = (await sqs.send(new CreateQueueCommand({ QueueName: `${options.prefix}${dlqName(def)}` }))).QueueUrl!;
  }
  dynamo.destroy();
  sqs.destroy();
  return env;
}
