// SQS → investigator: each message names one dispute to investigate.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { investigateDispute } from '../../lib/use-cases/investigation/investigate-dispute';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';
import { parseMessage } from '../../lib/adapters/queues';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.object({ disputeId: z.string().min(1) });


async function investigateOne(record: SQSRecord): Promise<void> {
  const message = parseMessage(Message, record.body);
  // A message that can never name a dispute is kept in the log and acknowledged: redelivering it cannot help.
  if (!message) return logger.error('unreadable investigation message', { messageId: record.messageId, body: record.body.slice(0, 1024) });
  const result = await investigateDispute(message.disputeId);
  logger.info('investigation', { disputeId: message.disputeId, result });
}

async function investigate(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, investigateOne, processor, { context });
}

export const handler = middy(investigate).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
