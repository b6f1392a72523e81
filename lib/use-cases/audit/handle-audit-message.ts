// A message on the audit-runs queue either starts an audit (`{"start": {...}}`, what the schedule sends) or
// continues one (`{"auditId": "..."}`). The audit works until it is done or the invocation nears its time limit;
// then it re-queues itself and the next invocation resumes from the checkpoint.
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { failAudit } from '../../adapters/audit-store';
import { logger } from '../../adapters/logger';
import { METRICS, countMetric } from '../../adapters/metrics';
import { enqueue } from '../../adapters/queues';
import { QUEUES } from '../../adapters/resources';
import { continueAudit } from './continue-audit';
import { startAudit } from './start-audit';
import { parseMessage } from '../../adapters/queues';

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


/** One delivery of an audit-runs message. */
export interface AuditDelivery {
  messageId: string;
  body: string;
  /** How many times the queue has delivered this message, this one included. */
  receiveCount: number;
}

/**
 * Starts or continues the audit the message names and works on it while `remainingMs()` allows; re-queues a
 * continue message when time runs short. Resolves when the message is done with (also for one that can never
 * succeed: it is logged); throws when a redelivery may succeed, after marking the audit FAILED on the last delivery
 * the queue makes before its DLQ.
 */
export async function handleAuditMessage(delivery: AuditDelivery, remainingMs: () => number): Promise<void> {
  const message = parseMessage(Message, delivery.body);
  // A message that can never name an audit is logged and dropped: redelivering it cannot help.
  if (!message) return logger.error('unreadable audit message', { messageId: delivery.messageId });
  let auditId: string;
  if ('start' in message) {
    const { scheduledAt, ...start } = message.start;
    try {
      // A scheduled audit's id comes from its period; any other start message's from the message id: either way a
      // redelivered start message finds the audit it started instead of starting another.
      const report = await startAudit({ ...start, idempotencyKey: start.trigger === 'schedule' ? undefined : delivery.messageId }, scheduledAt ? new Date(scheduledAt) : new Date());
      auditId = report.auditId;
    } catch (error) {
      if (error instanceof ValidationError) return logger.error('audit start refused', { messageId: delivery.messageId, field: error.field, reason: error.message });
      throw error;
    }
  } else {
    auditId = message.auditId;
  }
  try {
    const { done, report } = await continueAudit(auditId, remainingMs);
    if (!done) await enqueue('auditRuns', { auditId });
    logger.info(done ? 'audit finished' : 'audit continues in the next invocation', { auditId, status: report.status, progress: report.progress, summary: done ? report.summary : undefined });
  } catch (error) {
    if (error instanceof NotFoundError) return logger.error('audit message for an unknown audit', { messageId: delivery.messageId, auditId });
    // The last delivery before the DLQ: say so on the report, so whoever polls it does not wait for ever.
    if (delivery.receiveCount >= QUEUES.auditRuns.maxReceiveCount) {
      countMetric(METRICS.auditFailed);
      await failAudit(auditId, `gave up after ${delivery.receiveCount} attempts: ${(error as Error).message}`).catch(() => undefined);
    }
    throw error;
  }
}
