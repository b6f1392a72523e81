// Phase 3, finish: the reads that do not depend on CDRs (overdue reviews, decisions, rejects), the proactive
// disputes, the findings items and the summary; then the report is COMPLETED and the work items are deleted.
import pLimit from 'p-limit';
import { type BilledCallOf, billingFindings } from '../../domain/audit/billing';
import { findingParts } from '../../domain/audit/finding-parts';
import { DECISION_LOOKBACK_DAYS, type Finding, REVIEW_OVERDUE_HOURS } from '../../domain/audit/findings';
import { rejectFindings } from '../../domain/audit/rejects';
import { overdueFindings, reviewerFindings } from '../../domain/audit/reviews';
import { summarize, summarizeDisputes } from '../../domain/audit/summary';
import { FINDING_PART_BYTES, completeAudit, deleteWorkItems, getBlob, putFindings } from '../../adapters/audit-store';
import { decidedOpenedBetween, recommendedOpenedBefore } from '../../adapters/dispute-reads';
import { logger } from '../../adapters/logger';
import { METRICS, countMetricBy } from '../../adapters/metrics';
import { rejectsReceivedBetween } from '../../adapters/reject-store';
import type { GroupResult } from './compare-groups';
import type { Run } from './invocation';
import { openProactiveDisputes } from './proactive-disputes';
import { billingBlob, groupBlob, rowsBlob } from './work-items';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Gathers every finding, opens the proactive disputes, stores the report COMPLETED and cleans up its work items. */
export async function finishAudit(run: Run): Promise<void> {
  const { auditId, period } = run.header;
  const read = pLimit(8);
  const billing: BilledCallOf[] = [];
  await Promise.all(
    run.hours.map((hour) =>
      read(async () => {
        const entry = run.checkpoint.hours[hour]!;
        billing.push(...(await getBlob<BilledCallOf[]>(auditId, billingBlob(hour, entry.token), entry.billingChunks)));
      }),
    ),
  );
  const groups = await Promise.all(Object.entries(run.checkpoint.groupResults).map(([g, entry]) => read(() => getBlob<GroupResult>(auditId, groupBlob(Number(g), entry.token), entry.chunks))));
  const byNumberHour = (a: { calledNumber: string; hour: string }, b: { calledNumber: string; hour: string }) => a.calledNumber.localeCompare(b.calledNumber) || a.hour.localeCompare(b.hour);

  // The disputes first: each billing finding records the disputes opened for its calls.
  const billingFound = await openProactiveDisputes(auditId, billingFindings(billing));
  // Overdue as of when the audit started, so every invocation of one audit sees the same queue.
  const asOf = run.header.startedAt;
  const recommended = await recommendedOpenedBefore(new Date(Date.parse(asOf) - REVIEW_OVERDUE_HOURS * HOUR_MS).toISOString());
  const decided = await decidedOpenedBetween(new Date(Date.parse(period.from) - DECISION_LOOKBACK_DAYS * DAY_MS).toISOString(), period.to);
  const rejects = [];
  for await (const page of rejectsReceivedBetween(period.from, period.to)) rejects.push(...page.map(({ source, reasons, status }) => ({ source, reasons, status })));

  const findings: Finding[] = [
    ...billingFound,
    ...groups.flatMap((g) => g.degradation).sort(byNumberHour),
    ...groups.flatMap((g) => g.falseAnswer).sort((a, b) => a.calledNumber.localeCompare(b.calledNumber)),
    ...groups.flatMap((g) => g.drift).sort(byNumberHour),
    ...overdueFindings(recommended, asOf),
    ...reviewerFindings(decided, period),
    ...rejectFindings(rejects),
  ];
  const items = await putFindings(auditId, findingParts(findings, FINDING_PART_BYTES));
  await completeAudit(auditId, {
    finishedAt: (run.options.now ?? (() => new Date()))().toISOString(),
    policyVersion: run.policy.version,
    cdrsExamined: Object.values(run.checkpoint.hours).reduce((n, h) => n + h.cdrs, 0),
    progress: { hours: run.hours.length, hoursDone: run.hours.length, groups: run.checkpoint.groups, groupsDone: run.checkpoint.groups },
    summary: summarize(findings, rejects.length),
    disputes: summarizeDisputes(findings),
    findingItems: items,
  });
  const byType: Record<string, number> = {};
  for (const f of findings) byType[f.type] = (byType[f.type] ?? 0) + 1;
  countMetricBy(METRICS.auditFindings, byType);
  logger.info('audit completed', { auditId, period, cdrsExamined: Object.values(run.checkpoint.hours).reduce((n, h) => n + h.cdrs, 0), findings: findings.length, disputes: summarizeDisputes(findings) });
  await deleteWorkItems(auditId, [
    ...run.hours.flatMap((hour) => {
      const h = run.checkpoint.hours[hour]!;
      return [{ name: billingBlob(hour, h.token), chunks: h.billingChunks }, ...h.rowChunks.map((chunks, g) => ({ name: rowsBlob(hour, g, h.token), chunks }))];
    }),
    ...Object.entries(run.checkpoint.groupResults).map(([g, entry]) => ({ name: groupBlob(Number(g), entry.token), chunks: entry.chunks })),
  ]).catch((error) => logger.warn('audit clean-up failed', { auditId, error: error as Error }));
}
