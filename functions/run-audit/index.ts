// SQS → the batch audit: each message starts or continues one audit (lib/use-cases/audit/handle-audit-message.ts),
// one message per invocation, with the invocation's remaining time as its budget.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';
import { handleAuditMessage } from '../../lib/use-cases/audit/handle-audit-message';

const processor = new BatchProcessor(EventType.SQS);

const auditOne = (record: SQSRecord, context: Context) =>
  handleAuditMessage({ messageId: record.messageId, body: record.body, receiveCount: Number(record.attributes.ApproximateReceiveCount) }, () => context.getRemainingTimeInMillis());

async function runAudits(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, (record: SQSRecord) => auditOne(record, context), processor, { context });
}

/** The run-audit Lambda: partial batch failures, so a failed audit message is retried alone. */
export const handler = middy(runAudits).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
