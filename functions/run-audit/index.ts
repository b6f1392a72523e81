// EventBridge Scheduler (or a direct invoke) → the batch audit over a period, default the previous 24 h.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger } from '../../lib/logger';
import { runAudit } from '../../lib/run-audit';

const AuditEvent = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }).passthrough();

async function audit(event: unknown) {
  const { from, to } = AuditEvent.parse(event ?? {});
  const report = await runAudit({ from, to, trigger: 'schedule' });
  logger.info('audit stored', { auditId: report.auditId, period: report.period, cdrsExamined: report.cdrsExamined, summary: report.summary });
  return { auditId: report.auditId, summary: report.summary };
}

export const handler = middy(audit).use(injectLambdaContext(logger));
