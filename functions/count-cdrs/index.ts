// Cdrs stream → connect statistics. The mapping runs with a tumbling window only so that each event names its shard
// (`shardId`), which the per-shard watermarks need; the window's state is not used. A bucket that cannot be written
// is reported as a batch item failure from its first record, so the mapping delivers the batch again from there.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type CdrStreamRecord, cdrChange } from '../../lib/adapters/cdr-store';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';
import { countCdrChanges } from '../../lib/use-cases/statistics/count-cdrs';

/** A stream event with a tumbling window: the shard of its records, and the window's state (unused). */
export type CdrStreamEvent = DynamoDBStreamEvent & { shardId?: string; state?: Record<string, string> };
export type CdrStreamResponse = DynamoDBBatchResponse & { state: Record<string, string> };

async function count(event: CdrStreamEvent, _context: Context): Promise<CdrStreamResponse> {
  // Without its shard a batch cannot be counted exactly once: fail loudly rather than guess.
  if (!event.shardId) throw new Error('the stream event names no shardId: the mapping needs a tumbling window');
  const records = event.Records as unknown as CdrStreamRecord[];
  if (records.length === 0) return { batchItemFailures: [], state: {} };
  const result = await countCdrChanges(event.shardId, records.map(cdrChange));
  const summary = { shardId: event.shardId, records: records.length, buckets: result.buckets, written: result.written, counted: result.counted };
  if (result.failedFrom) {
    logger.error('statistics write failed: the batch is delivered again from the failed bucket', { ...summary, failedFrom: result.failedFrom, error: result.error as Error });
    return { batchItemFailures: [{ itemIdentifier: result.failedFrom }], state: {} };
  }
  logger.info('CDRs counted', summary);
  return { batchItemFailures: [], state: {} };
}

export const handler = middy(count).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
