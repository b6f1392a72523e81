// Continuing an audit from its checkpoint: hours, then destination groups, then the finish, each phase stopping
// when the invocation's time runs short. A failure that cannot go away on a retry marks the audit FAILED.
import type { AuditHeader, AuditReport } from '../../domain/audit/findings';
import { periodHours } from '../../domain/audit/period';
import { InvariantError, NotFoundError, errorHandling } from '../../domain/errors';
import { failAudit, getAuditHeader, getAuditReport, getCheckpoint, pinPolicyVersion } from '../../adapters/audit-store';
import { logger } from '../../adapters/logger';
import { loadPolicy } from '../../adapters/policy-source';
import { METRICS, countMetric } from '../../adapters/metrics';
import { compareGroups } from './compare-groups';
import { finishAudit } from './finish-audit';
import { type ContinueOptions, type Run, outOfTime } from './invocation';
import { readHours } from './read-hours';

/**
 * Works on an audit from its checkpoint until it is finished or `remainingMs()` drops below the margin, and says
 * which. Safe to call again at any point (after a crash, or for a redelivered message): finished work is recorded
 * by overwriting, so it is never counted twice; a COMPLETED or FAILED audit is returned as it is.
 */
export async function continueAudit(auditId: string, remainingMs: () => number, options: ContinueOptions = {}): Promise<{ done: boolean; report: AuditReport }> {
  const header = await getAuditHeader(auditId);
  if (!header) throw new NotFoundError(`audit ${auditId} does not exist`);
  if (header.status === 'RUNNING') {
    try {
      const done = await work(header, remainingMs, options);
      if (!done) return { done: false, report: { ...(await getAuditHeader(auditId))!, findings: [] } };
    } catch (error) {
      if (isRetryable(error)) throw error;
      logger.error('audit failed', { auditId, error: error as Error });
      countMetric(METRICS.auditFailed);
      await failAudit(auditId, `${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  return { done: true, report: (await getAuditReport(auditId))! };
}

/**
 * Errors worth a redelivery (throttling, timeouts, the network, a service error) are thrown on; one that fails the
 * same way every time (a bug, an item DynamoDB refuses) marks the audit FAILED with the reason instead.
 */
const isRetryable = (error: unknown) => errorHandling(error).retryable;

async function work(header: AuditHeader, remainingMs: () => number, options: ContinueOptions): Promise<boolean> {
  const checkpoint = await getCheckpoint(header.auditId);
  if (!checkpoint) throw new InvariantError(`audit ${header.auditId} has no checkpoint`);
  const policy = await loadPolicy();
  // One audit, one policy: findings of different versions would not add up.
  const pinned = header.policyVersion ?? (await pinPolicyVersion(header.auditId, policy.version));
  if (policy.version !== pinned) throw new InvariantError(`the policy changed from ${pinned} to ${policy.version} during the audit`);
  const run: Run = { header, checkpoint, policy, hours: periodHours(header.period), remainingMs, margin: options.marginMs ?? 60_000, options };
  if (!(await readHours(run))) return false;
  if (!(await compareGroups(run))) return false;
  if (outOfTime(run)) return false;
  await finishAudit(run);
  return true;
}
