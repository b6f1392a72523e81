// DynamoDB stream of Disputes → EventBridge: each RECOMMENDED and DECIDED transition becomes an event, and so does
// the overdue mark; a crediting decision makes its adjustment. The Adjustments stream comes here too: an adjustment
// reaching APPROVED or POSTED becomes an event.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isAdjustment, onAdjustmentChange, onDisputeChange } from '../../lib/use-cases/disputes/dispute-changes';
import { publishEvents } from '../../lib/adapters/events';
import { logger } from '../../lib/adapters/logger';
import { METRICS, countMetric, metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (raw: unknown) => (raw ? (unmarshall(raw as never) as Record<string, unknown>) : undefined);

async function publishOne(record: DynamoDBRecord): Promise<void> {
  // Ticket guard items (`ticket#…`) share the table and have no history: they yield no events.
  const [before, after] = [image(record.dynamodb?.OldImage), image(record.dynamodb?.NewImage)];
  const events = isAdjustment(after) ? onAdjustmentChange(before, after) : await onDisputeChange(before, after);
  if (events.length === 0) return;
  try {
    await publishEvents(events);
  } catch (error) {
    // The record fails and the stream retries it; the metric says how many events are waiting on that.
    countMetric(METRICS.eventDeliveryFailures, events.length);
    throw error;
  }
  logger.info('dispute events published', { events: events.map((e) => ({ eventId: e.detail.eventId, detailType: e.detailType })) });
}

async function publish(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  return processPartialResponse(event, publishOne, processor, { context });
}

export const handler = middy(publish).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
