// Creates the stack's tables and queues on the emulators from the same definitions the CDK stack deploys,
// and returns the environment the handlers read their resource names from.
// Idempotent: on `npm start`'s kept database the tables exist already; they are checked against the definitions
// (a missing index or stream is added, a changed key asks for a fresh start) and left with their data.
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type KeySchemaElement,
  type Projection,
  ResourceInUseException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type QueueAttributeName, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { newSqsClient } from '../../lib/adapters/aws';
import { QUEUES, type IndexDef, type QueueDef, TABLES, type TableDef, dlqName } from '../../lib/adapters/resources';
import { StartError } from './lifecycle';

export interface ProvisionOptions {
  /** Prefix for every physical name, so several stacks can share one emulator (one per test file). */
  prefix: string;
  /** Shorter visibility timeouts make redelivery observable in tests. */
  visibilityTimeoutSeconds?: number;
}

const keySchema = (pk: { name: string }, sk?: { name: string }): KeySchemaElement[] => [{ AttributeName: pk.name, KeyType: 'HASH' }, ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : [])];
const sameKeys = (a: KeySchemaElement[] | undefined, b: KeySchemaElement[]) => JSON.stringify((a ?? []).map((k) => [k.AttributeName, k.KeyType])) === JSON.stringify(b.map((k) => [k.AttributeName, k.KeyType]));
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

const projection = (i: IndexDef): Projection => (i.include ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.include] } : { ProjectionType: 'ALL' });

async function createTable(client: DynamoDBClient, def: TableDef, name: string): Promise<void> {
  const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])].filter((k) => k !== undefined);
  const attributes: AttributeDefinition[] = [...new Map(keys.map((k) => [k.name, k])).values()].map((k) => ({ AttributeName: k.name, AttributeType: k.type }));
  const index = (i: TableDef['indexes'][number]) => ({ IndexName: i.name, KeySchema: keySchema(i.partitionKey, i.sortKey), Projection: projection(i) });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes,
        KeySchema: keySchema(def.partitionKey, def.sortKey),
        GlobalSecondaryIndexes: def.indexes.length > 0 ? def.indexes.map(index) : undefined,
        StreamSpecification: def.stream ? STREAM : undefined,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await reconcileTable(client, def, name, attributes, index);
  }
  if (def.ttlAttribute) {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }));
    }
  }
}

/** An existing table (kept from an earlier run): adds what the definition gained since, refuses a changed key. */
async function reconcileTable(client: DynamoDBClient, def: TableDef, name: string, attributes: AttributeDefinition[], index: (i: TableDef['indexes'][number]) => { IndexName: string; KeySchema: KeySchemaElement[]; Projection: Projection }): Promise<void> {
  const describe = async (): Promise<TableDescription> => (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
  const fresh = 'start with `npm start -- --fresh` to recreate the tables (this drops the local data)';
  let table = await describe();
  if (!sameKeys(table.KeySchema, keySchema(def.partitionKey, def.sortKey))) throw new StartError(`Table ${name} in the data folder has another key than its definition: ${fresh}.`);
  for (const wanted of def.indexes) {
    const existing = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === wanted.name);
    if (existing && !sameKeys(existing.KeySchema, index(wanted).KeySchema)) throw new StartError(`Index ${wanted.name} of table ${name} in the data folder has another key than its definition: ${fresh}.`);
    if (existing) continue;
    await client.send(new UpdateTableCommand({ TableName: name, AttributeDefinitions: attributes, GlobalSecondaryIndexUpdates: [{ Create: index(wanted) }] }));
    // Queries on an index that is still backfilling fail: wait for it.
    for (let i = 0; i < 600 && (table = await describe()).GlobalSecondaryIndexes?.find((g) => g.IndexName === wanted.name)?.IndexStatus !== 'ACTIVE'; i++) await sleep(100);
  }
  if (def.stream && !table.StreamSpecification?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: STREAM }));
}

/** CreateQueue, or the existing queue brought to these attributes (SQS refuses a create whose attributes differ). */
async function ensureQueue(client: SQSClient, name: string, attributes: Partial<Record<QueueAttributeName, string>>): Promise<string> {
  try {
    return (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  } catch (error) {
    if (!['QueueNameExists', 'QueueAlreadyExists'].includes((error as Error).name)) throw error;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl!;
  }
}

async function createQueue(client: SQSClient, def: QueueDef, prefix: string, visibility?: number): Promise<string> {
  const dlqUrl = await ensureQueue(client, `${prefix}${dlqName(def)}`, { MessageRetentionPeriod: String(14 * 86_400) });
  const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  return ensureQueue(client, `${prefix}${def.name}`, {
    VisibilityTimeout: String(visibility ?? def.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount: def.maxReceiveCount }),
  });
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
