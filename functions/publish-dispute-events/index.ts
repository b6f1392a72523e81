// DynamoDB stream of Disputes → EventBridge: each RECOMMENDED and DECIDED transition becomes an event.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Dispute } from '../../lib/domain/dispute';
import { transitionEvents } from '../../lib/domain/events';
import { publishEvents } from '../../lib/adapters/events';
import { logger } from '../../lib/logger';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (raw: unknown) => (raw ? (unmarshall(raw as never) as Dispute) : undefined);

async function publishOne(record: DynamoDBRecord): Promise<void> {
  // Ticket guard items (`ticket#…`) share the table and have no history: they yield no events.
  const after = image(record.dynamodb?.NewImage);
  if (!after?.history) return;
  const events = transitionEvents(image(record.dynamodb?.OldImage), after);
  if (events.length === 0) return;
  await publishEvents(events);
  logger.info('dispute events published', { events: events.map((e) => ({ eventId: e.detail.eventId, detailType: e.detailType })) });
}

async function publish(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  return processPartialResponse(event, publishOne, processor, { context });
}

export const handler = middy(publish).use(injectLambdaContext(logger));
