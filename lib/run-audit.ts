// The batch audit: sweeps a period's CDRs hour by hour and stores a report.
import { ulid } from 'ulid';
import { type AuditReport, billedUnanswered, summarize } from './domain/audit';
import { hoursBetween } from './domain/stats';
import { cdrsInHour } from './adapters/cdr-store';
import { putAudit } from './adapters/audit-store';

const DAY_MS = 86_400_000;

/** The default period: the previous 24 hours, on whole UTC hours. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = new Date(now);
  to.setUTCMinutes(0, 0, 0);
  return { from: new Date(to.getTime() - DAY_MS).toISOString(), to: to.toISOString() };
}

export async function runAudit(options: { from?: string; to?: string; trigger: AuditReport['trigger'] }, now = new Date()): Promise<AuditReport> {
  const period = options.from && options.to ? { from: new Date(options.from).toISOString(), to: new Date(options.to).toISOString() } : defaultPeriod(now);
  const startedAt = new Date().toISOString();
  let examined = 0;
  const hours = hoursBetween(period.from, period.to);
  const perHour = await Promise.all(
    hours.map(async (hour) => {
      const cdrs = (await cdrsInHour(hour)).filter((c) => Date.parse(c.startedAt) >= Date.parse(period.from) && Date.parse(c.startedAt) < Date.parse(period.to));
      examined += cdrs.length;
      return cdrs;
    }),
  );
  const findings = billedUnanswered(perHour.flat());
  const report: AuditReport = {
    auditId: ulid(now.getTime()),
    trigger: options.trigger,
    period,
    startedAt,
    finishedAt: new Date().toISOString(),
    cdrsExamined: examined,
    findings,
    summary: summarize(findings),
  };
  await putAudit(report);
  return report;
}
