// SQS → ingest: each message is one CDR, an array, or a file run's envelope; a message that fails is reported back
// for redelivery alone. Statistics are counted from the Cdrs stream (functions/count-cdrs), not here.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { consumedWriteUnits } from '../../lib/adapters/aws';
import { createIngestBatch } from '../../lib/use-cases/ingest/ingest-cdrs';
import { logger } from '../../lib/adapters/logger';
import { METRICS, countMetric, countMetricBy, metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';

const processor = new BatchProcessor(EventType.SQS);

async function ingest(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const batch = createIngestBatch();
  const response = await processPartialResponse(event, (record: SQSRecord) => batch.ingestMessage(record.body, { messageId: record.messageId }, Number(record.attributes.SentTimestamp) || undefined), processor, { context });
  // The messages that were done with; a failed one is counted when its redelivery is.
  countMetric(METRICS.cdrsAccepted, batch.counts.accepted);
  countMetric(METRICS.cdrsDuplicate, batch.counts.duplicates);
  countMetric(METRICS.cdrsConflict, batch.counts.conflicts);
  countMetricBy(METRICS.cdrsRejected, batch.rejectedFields, batch.counts.rejected);
  logger.info('batch ingested', { messages: event.Records.length, failedMessages: response.batchItemFailures.length, ...batch.counts, writeUnits: Object.fromEntries(consumedWriteUnits) });
  return response;
}

export const handler = middy(ingest).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
