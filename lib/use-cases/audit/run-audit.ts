// Running an audit start to finish in this process, without a queue between invocations.
import type { AuditReport } from '../../domain/audit/findings';
import { continueAudit } from './continue-audit';
import type { ContinueOptions } from './invocation';
import { type AuditOptions, startAudit } from './start-audit';

/** Starts an audit and works on it until it is finished, in this process (the CLI, tests). */
export async function runAudit(options: AuditOptions, now = new Date(), continueOptions: ContinueOptions = {}): Promise<AuditReport> {
  const started = await startAudit(options, now);
  for (;;) {
    const { done, report } = await continueAudit(started.auditId, () => Number.POSITIVE_INFINITY, continueOptions);
    if (done) return report;
  }
}
