// EventBridge Scheduler → the overdue sweep (lib/use-cases/disputes/sweep-overdue.ts): marks each undecided dispute
// past its due date overdue, once; the Disputes stream publishes `dispute.overdue` from that mark. The sweep reads
// state, not a message, so a failed run needs no retry of its own: the next scheduled run covers the same disputes.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../lib/adapters/logger';
import { metricsMiddleware } from '../../lib/adapters/metrics';
import { tracingMiddleware } from '../../lib/adapters/tracing';
import { type SweepResult, sweepOverdue } from '../../lib/use-cases/disputes/sweep-overdue';

/** The schedule's input names its own time (`<aws.scheduler.scheduled-time>`); the sweep runs as of now regardless. */
async function sweep(): Promise<SweepResult> {
  const result = await sweepOverdue();
  logger.info('overdue sweep', { dated: result.dated, marked: result.marked.length, disputeIds: result.marked });
  return result;
}

export const handler = middy(sweep).use(tracingMiddleware()).use(metricsMiddleware()).use(injectLambdaContext(logger));
