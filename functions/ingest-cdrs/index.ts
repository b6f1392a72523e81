// SQS → ingest: each message is one CDR, an array, or a file run's envelope; a message that fails is reported back
// for redelivery alone.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { consumedWriteUnits } from '../../lib/adapters/aws';
import { createIngestBatch } from '../../lib/ingest-cdrs';
import { logger } from '../../lib/logger';

const processor = new BatchProcessor(EventType.SQS);

async function ingest(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const batch = createIngestBatch();
  const response = await processPartialResponse(event, (record: SQSRecord) => batch.ingestMessage(record.body, { messageId: record.messageId }, Number(record.attributes.SentTimestamp) || undefined), processor, { context });
  const { buckets } = await batch.flushStats();
  logger.info('batch ingested', { messages: event.Records.length, failedMessages: response.batchItemFailures.length, ...batch.counts, statsBuckets: buckets, writeUnits: Object.fromEntries(consumedWriteUnits) });
  return response;
}

export const handler = middy(ingest).use(injectLambdaContext(logger));
