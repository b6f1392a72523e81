// SQS → the batch audit. A message either starts an audit (`{"start": {...}}`, what the schedule sends) or continues
// one (`{"auditId": "..."}`). The audit works until it is done or the invocation nears its time limit; then it
// re-queues itself and the next invocation resumes from the checkpoint.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { failAudit } from '../../lib/adapters/audit-store';
import { enqueue } from '../../lib/adapters/queues';
import { QUEUES } from '../../lib/adapters/resources';
import { logger } from '../../lib/logger';
import { AuditNotFoundError, AuditRequestError, continueAudit, startAudit } from '../../lib/run-audit';

const processor = new BatchProcessor(EventType.SQS);

const Start = z
  .object({
    from: z.string().optional(),
    to: z.string().optional(),
    repair: z.boolean().optional(),
    trigger: z.enum(['schedule', 'api', 'cli']).default('schedule'),
    /** The schedule's own time (EventBridge Scheduler's `<aws.scheduler.scheduled-time>`): the default period is the 24 h before it. */
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
const Message = z.union([z.object({ auditId: z.string().min(1).max(128) }).strict(), z.object({ start: Start }).strict()]);

function parse(body: string): z.infer<typeof Message> | undefined {
  try {
    const parsed = Message.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function auditOne(record: SQSRecord, context: Context): Promise<void> {
  const message = parse(record.body);
  // A message that can never name an audit is logged and dropped: redelivering it cannot help.
  if (!message) return logger.error('unreadable audit message', { messageId: record.messageId });
  let auditId: string;
  if ('start' in message) {
    const { scheduledAt, ...start } = message.start;
    try {
      // A scheduled audit's id comes from its period; any other start message's from the message id: either way a
      // redelivered start message finds the audit it started instead of starting another.
      const report = await startAudit({ ...start, idempotencyKey: start.trigger === 'schedule' ? undefined : record.messageId }, scheduledAt ? new Date(scheduledAt) : new Date());
      auditId = report.auditId;
    } catch (error) {
      if (error instanceof AuditRequestError) return logger.error('audit start refused', { messageId: record.messageId, field: error.field, reason: error.message });
      throw error;
    }
  } else {
    auditId = message.auditId;
  }
  try {
    const { done, report } = await continueAudit(auditId, () => context.getRemainingTimeInMillis());
    if (!done) await enqueue('auditRuns', { auditId });
    logger.info(done ? 'audit finished' : 'audit continues in the next invocation', { auditId, status: report.status, progress: report.progress, summary: done ? report.summary : undefined });
  } catch (error) {
    if (error instanceof AuditNotFoundError) return logger.error('audit message for an unknown audit', { messageId: record.messageId, auditId });
    // The last delivery before the DLQ: say so on the report, so whoever polls it does not wait for ever.
    if (Number(record.attributes.ApproximateReceiveCount) >= QUEUES.auditRuns.maxReceiveCount) {
      await failAudit(auditId, `gave up after ${record.attributes.ApproximateReceiveCount} attempts: ${(error as Error).message}`).catch(() => undefined);
    }
    throw error;
  }
}

async function runAudits(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, (record: SQSRecord) => auditOne(record, context), processor, { context });
}

export const handler = middy(runAudits).use(injectLambdaContext(logger));
