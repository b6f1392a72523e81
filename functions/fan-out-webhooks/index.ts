// SQS webhook-events (every published event once) → one delivery per subscribed endpoint on webhook-deliveries.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type BusEnvelope, fanOut } from '../../lib/use-cases/webhooks/fan-out';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';

const processor = new BatchProcessor(EventType.SQS);

function parse(body: string): BusEnvelope | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function fanOutOne(record: SQSRecord): Promise<void> {
  const envelope = parse(record.body);
  // Not JSON: no redelivery can change that. Logged and acknowledged.
  if (!envelope) return logger.error('unreadable webhook event message', { messageId: record.messageId, body: record.body.slice(0, 1024) });
  const result = await fanOut(envelope, new Date());
  logger.info('webhook fan-out', { messageId: record.messageId, ...result });
}

async function fanOutAll(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, fanOutOne, processor, { context });
}

export const handler = middy(fanOutAll).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
