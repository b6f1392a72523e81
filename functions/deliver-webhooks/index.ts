// SQS webhook-deliveries → one signed POST per message. A failed attempt hides its message until the next one is
// due (ChangeMessageVisibility) and reports it as a batch item failure, so the queue itself brings it back.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { visibilitySeconds } from '../../lib/domain/webhooks/delivery';
import { deliverOnce } from '../../lib/use-cases/webhooks/deliver';
import { queueUrl, sqsClient } from '../../lib/adapters/aws';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';
import { parseMessage } from '../../lib/adapters/queues';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.object({ deliveryId: z.string().min(1).max(64), generation: z.number().int().min(0) });

/** Retry this message later: not an error, the schedule. */
class NotYet extends Error {}


async function deliverOne(record: SQSRecord): Promise<void> {
  const message = parseMessage(Message, record.body);
  if (!message) return logger.error('unreadable webhook delivery message', { messageId: record.messageId, body: record.body.slice(0, 1024) });
  const outcome = await deliverOnce(message);
  logger.info('webhook delivery', { ...message, ...outcome });
  if (outcome.kind === 'done') return;
  await sqsClient().send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl('webhookDeliveries'), ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilitySeconds(outcome.ms) }));
  throw new NotYet(outcome.what);
}

async function deliverAll(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  // Every message of a batch may be waiting for its next attempt: that is a schedule, not a failed invocation.
  return processPartialResponse(event, deliverOne, processor, { context, throwOnFullBatchFailure: false });
}

export const handler = middy(deliverAll).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
