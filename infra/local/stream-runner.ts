// The local runner's DynamoDB stream event-source mapping: reads a table's stream on DynamoDB Local shard by shard,
// invokes the handler with the records in order, and on a reported failure re-reads from the failed record, the way
// Lambda's mapping does with partial batch responses.
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamCheckpoint } from './persistence';
import { lambdaContext } from './runner';

/** The event carries its shard's id, as the deployed mapping's events do when it has a tumbling window. */
type StreamHandler = (event: DynamoDBStreamEvent & { shardId?: string }, context: Context) => Promise<DynamoDBBatchResponse | void>;

export function streamMapping(tableName: string, functionName: string, handler: StreamHandler, options: { batchSize?: number; checkpoint?: StreamCheckpoint } = {}) {
  const streams = new DynamoDBStreamsClient({});
  let streamArn: string | undefined;
  /** Per shard: where to read next (undefined once a closed shard is finished). */
  const position = new Map<string, { iterator?: string; done: boolean; failures: number; last?: string }>();
  /** Like the deployed mapping's retry limit: after this many failed attempts a record is skipped (and logged). */
  const MAX_ATTEMPTS = 3;
  /** Records given up on (what the deployed mapping would send to its on-failure destination). */
  let discarded = 0;

  async function arn(): Promise<string> {
    if (streamArn) return streamArn;
    const dynamo = new DynamoDBClient({});
    const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    dynamo.destroy();
    streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`table ${tableName} has no stream`);
    return streamArn;
  }

  async function iteratorFor(shardId: string, type: 'TRIM_HORIZON' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', sequenceNumber?: string) {
    const out = await streams.send(new GetShardIteratorCommand({ StreamArn: await arn(), ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }));
    return out.ShardIterator;
  }

  /** A shard seen for the first time: after its saved position (an earlier run's), else from its oldest record. */
  async function firstIterator(shardId: string) {
    const saved = options.checkpoint?.get(shardId);
    if (saved) {
      try {
        return await iteratorFor(shardId, 'AFTER_SEQUENCE_NUMBER', saved);
      } catch {
        // Trimmed (older than the stream's 24 h) or unknown: read what the shard still has.
      }
    }
    return iteratorFor(shardId, 'TRIM_HORIZON');
  }

  /** One pass over every shard; returns how many records the handler was given. */
  async function pollOnce(): Promise<number> {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: await arn() }));
    let delivered = 0;
    // Parents before children, as DescribeStream lists them: the order of a key's changes is kept.
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      let state = position.get(shardId);
      if (!state) position.set(shardId, (state = { iterator: await firstIterator(shardId), done: false, failures: 0, last: options.checkpoint?.get(shardId) }));
      if (state.done || !state.iterator) continue;
      const read = (iterator: string) => streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }));
      let page;
      try {
        page = await read(state.iterator);
      } catch (error) {
        // DynamoDB Local trims an iterator taken while the shard was empty, and iterators expire: read again with a
        // fresh one, after the last record delivered (else from the oldest).
        if (!['TrimmedDataAccessException', 'ExpiredIteratorException'].includes((error as Error).name)) throw error;
        state.iterator = state.last ? await iteratorFor(shardId, 'AFTER_SEQUENCE_NUMBER', state.last) : await iteratorFor(shardId, 'TRIM_HORIZON');
        if (!state.iterator) continue;
        page = await read(state.iterator);
      }
      const records = page.Records ?? [];
      if (records.length > 0) {
        delivered += records.length;
        const event = { Records: records.map((r) => ({ ...r, eventSourceARN: streamArn })), shardId, state: {} } as unknown as DynamoDBStreamEvent;
        let failedAt: string | undefined;
        try {
          const response = await handler(event, lambdaContext(functionName));
          failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
        } catch {
          failedAt = records[0]!.dynamodb!.SequenceNumber;
        }
        if (failedAt && ++state.failures < MAX_ATTEMPTS) {
          state.iterator = await iteratorFor(shardId, 'AT_SEQUENCE_NUMBER', failedAt);
          continue;
        }
        if (failedAt) {
          discarded += records.length;
          console.error(`[${functionName}] gave up on stream records from ${failedAt} after ${MAX_ATTEMPTS} attempts`);
        }
        state.failures = 0;
        state.last = records.at(-1)!.dynamodb!.SequenceNumber!;
        options.checkpoint?.set(shardId, state.last);
      }
      state.iterator = page.NextShardIterator;
      if (!state.iterator) state.done = true;
    }
    return delivered;
  }

  return {
    pollOnce,
    /** How many records this mapping has given up on so far. */
    discarded: () => discarded,
    /** Polls until a pass delivers nothing. */
    async drain(): Promise<number> {
      let total = 0;
      for (let n = await pollOnce(); n > 0; n = await pollOnce()) total += n;
      return total;
    },
    start(): { stop: () => Promise<void> } {
      let running = true;
      const loop = (async () => {
        while (running) {
          try {
            if ((await pollOnce()) === 0) await new Promise((r) => setTimeout(r, 500));
          } catch (error) {
            if (running) console.error(`[${functionName}] stream poll failed: ${(error as Error).message}`);
            await new Promise((r) => setTimeout(r, 1000));
          }
        }
      })();
      return { stop: async () => ((running = false), await loop, streams.destroy()) };
    },
  };
}
