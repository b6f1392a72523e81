// SQS → investigator: each message names one dispute to investigate.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { investigateDispute } from '../../lib/investigate-dispute';
import { logger } from '../../lib/logger';

const processor = new BatchProcessor(EventType.SQS);
const Message = z.object({ disputeId: z.string().min(1) });

async function investigateOne(record: SQSRecord): Promise<void> {
  const parsed = Message.safeParse(JSON.parse(record.body));
  // A message that can never name a dispute is logged and dropped: redelivering it cannot help.
  if (!parsed.success) return logger.error('unreadable investigation message', { messageId: record.messageId });
  const result = await investigateDispute(parsed.data.disputeId);
  logger.info('investigation', { disputeId: parsed.data.disputeId, result });
}

async function investigate(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, investigateOne, processor, { context });
}

export const handler = middy(investigate).use(injectLambdaContext(logger));
