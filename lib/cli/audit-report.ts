// The audit report for people: a short summary per finding type for the terminal, and CSV with one row per
// finding line (a call, an account, a bucket, a dispute, a reviewer, a reason from a source) for a spreadsheet.
import type { AuditReport, Finding, FindingSummary } from '../domain/audit/findings';
import type { Money } from '../domain/cdr';
import { formatMoney } from '../domain/investigation/explain';

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string, many = `${word}s`) => `${count(n)} ${n === 1 ? word : many}`;
const money = (totals: Money[]) => totals.map((m) => formatMoney(m.amountMinor, m.currency)).join(' + ');
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${Math.round(x * 100)}%` : 'n/a');

const MONEY_LABEL: Partial<Record<FindingSummary['type'], string>> = {
  BILLED_UNANSWERED: 'credit',
  OVERBILLED_DURATION: 'credit',
  NETWORK_DEGRADATION: 'charged during them',
  FALSE_ANSWER_SUSPECTED: 'charged for suspect calls',
  REVIEW_OVERDUE: 'recommended credit',
  REVIEWER_CONSISTENCY: 'credited',
};

const FINDING_WORD: Record<FindingSummary['type'], [string, string]> = {
  BILLED_UNANSWERED: ['account', 'accounts'],
  OVERBILLED_DURATION: ['account', 'accounts'],
  NETWORK_DEGRADATION: ['destination-hour', 'destination-hours'],
  FALSE_ANSWER_SUSPECTED: ['destination', 'destinations'],
  STATS_DRIFT: ['bucket', 'buckets'],
  REVIEW_OVERDUE: ['dispute', 'disputes'],
  REVIEWER_CONSISTENCY: ['reviewer', 'reviewers'],
  REJECTED_INPUT: ['reason', 'reasons'],
};

function describe(s: FindingSummary, findings: Finding[]): string {
  const [one, many] = FINDING_WORD[s.type];
  const parts = [plural(s.findings, one, many)];
  const ofType = findings.filter((f) => f.type === s.type);
  switch (s.type) {
    case 'BILLED_UNANSWERED':
    case 'OVERBILLED_DURATION':
      parts.push(plural(s.count, 'call'));
      break;
    case 'NETWORK_DEGRADATION':
    case 'FALSE_ANSWER_SUSPECTED':
      if (s.findings > 0) parts.push(plural(s.accounts ?? 0, 'account'), plural(s.count, 'charged call'));
      break;
    case 'STATS_DRIFT': {
      const repaired = ofType.filter((f) => f.type === 'STATS_DRIFT' && f.repair === 'REPAIRED').length;
      if (repaired > 0) parts.push(`${count(repaired)} repaired`);
      break;
    }
    case 'REVIEWER_CONSISTENCY': {
      const team = ofType[0]?.type === 'REVIEWER_CONSISTENCY' ? ofType[0].teamOverrideRate : undefined;
      parts.push(plural(s.count, 'decision'));
      if (team) parts.push(`override rate ${pct(team.value)}`);
      break;
    }
    case 'REJECTED_INPUT':
      parts.push(plural(s.count, 'rejected CDR'));
      break;
    default:
      break;
  }
  const label = MONEY_LABEL[s.type];
  return `${parts.join(', ')}${label && s.totals.length > 0 ? `; ${label} ${money(s.totals)}` : ''}`;
}

/** A few lines: the period and status, then counts and money per finding type, then the disputes the audit opened. */
export function auditSummary(report: AuditReport): string {
  const lines = [
    `Audit ${report.auditId} (${report.trigger}) over ${report.period.from} – ${report.period.to}: ${report.status}` +
      (report.status === 'RUNNING' ? ` (${report.progress.hoursDone}/${report.progress.hours} hours read, ${report.progress.groupsDone}/${report.progress.groups} groups compared)` : '') +
      `, ${plural(report.cdrsExamined, 'CDR')} examined${report.policyVersion ? `, policy ${report.policyVersion}` : ''}${report.repair ? ', repair on' : ''}`,
  ];
  if (report.failure) lines.push(`  failed: ${report.failure}`);
  const width = Math.max(...report.summary.map((s) => s.type.length));
  for (const s of report.summary) lines.push(`  ${s.type.padEnd(width)}  ${describe(s, report.findings ?? [])}`);
  const d = report.disputes;
  if (d.opened > 0 || d.alreadyDisputed > 0) {
    lines.push(`  disputes opened: ${count(d.opened)} for ${plural(d.accounts, 'account')} (${plural(d.calls, 'call')})${d.alreadyDisputed > 0 ? `; ${plural(d.alreadyDisputed, 'call')} already disputed` : ''}`);
  }
  return lines.join('\n');
}

export { auditToCsv } from '../domain/audit/csv';
