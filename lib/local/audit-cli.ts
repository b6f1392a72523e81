// The audit report for people: a short summary per finding type for the terminal, and CSV with one row per
// finding line (a call, an account, a bucket, a dispute, a reviewer, a reason from a source) for a spreadsheet.
import type { AuditReport, Finding, FindingSummary } from '../domain/audit';
import type { Money } from '../domain/cdr';
import { formatMoney } from '../domain/explain';
import { TTA_BIN_LABELS, utcHour } from '../domain/stats';

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

// --- CSV ---

const COLUMNS = ['auditId', 'type', 'accountId', 'calledNumber', 'hour', 'callId', 'source', 'startedAt', 'disputeId', 'reviewer', 'reason', 'count', 'amountMinor', 'currency', 'detail'] as const;
type Row = Partial<Record<(typeof COLUMNS)[number], string | number | null | undefined>>;

/**
 * RFC 4180 quoting. A cell a spreadsheet would run as a formula (=, @, or + / - not followed by a plain number) is
 * prefixed with an apostrophe: reject sources and reasons are whatever the bad input said. E.164 numbers stay as they are.
 */
function cell(value: Row[keyof Row]): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=@\t\r]/.test(text) || (/^[+-]/.test(text) && !/^[+-]\d+(\.\d+)?$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rows(finding: Finding): Row[] {
  switch (finding.type) {
    case 'BILLED_UNANSWERED':
    case 'OVERBILLED_DURATION':
      return finding.calls.map((c) => ({
        accountId: finding.accountId,
        calledNumber: c.calledNumber,
        hour: utcHour(c.startedAt),
        callId: c.callId,
        source: c.source,
        startedAt: c.startedAt,
        disputeId: c.disputeId,
        count: 1,
        amountMinor: c.creditMinor,
        currency: c.charge.currency,
        detail: `${c.answered ? 'answered' : 'not answered'}; billed ${c.billedSeconds} s, expected ${c.expectedBilledSeconds} s; charged ${formatMoney(c.charge.amountMinor, c.charge.currency)}`,
      }));
    case 'NETWORK_DEGRADATION': {
      const detail = `hour NER ${pct(finding.ner.value)} of ${finding.attempts} attempts; baseline NER ${pct(finding.baselineNer.value)}`;
      const base = { calledNumber: finding.calledNumber, hour: finding.hour, detail };
      return finding.accounts.length > 0 ? finding.accounts.map((a) => ({ ...base, accountId: a.accountId, count: a.calls, amountMinor: a.charged.amountMinor, currency: a.charged.currency })) : [{ ...base, count: 0 }];
    }
    case 'FALSE_ANSWER_SUSPECTED': {
      const detail = `${finding.answered} answered; short calls ${pct(finding.scr.value)}; answered in under 1 s ${pct(finding.subSecondAnswers.value)}`;
      const base = { calledNumber: finding.calledNumber, detail };
      return finding.accounts.length > 0 ? finding.accounts.map((a) => ({ ...base, accountId: a.accountId, count: a.calls, amountMinor: a.charged.amountMinor, currency: a.charged.currency })) : [{ ...base, count: 0 }];
    }
    case 'STATS_DRIFT': {
      const stored = finding.stored as Record<string, unknown> | null;
      const recounted = finding.recounted as unknown as Record<string, unknown>;
      const value = (c: Record<string, unknown> | null, name: string) => {
        if (!c) return 0;
        const tta = /^tta(.*)$/.exec(name);
        return tta ? ((c.ttaHistogram as number[])[TTA_BIN_LABELS.indexOf(tta[1] as (typeof TTA_BIN_LABELS)[number])] ?? 0) : c[name];
      };
      const detail = finding.differences.map((d) => `${d} ${value(stored, d)} stored, ${value(recounted, d)} recounted`).join('; ');
      return [{ calledNumber: finding.calledNumber, hour: finding.hour, reason: finding.repair ?? (stored ? 'DIFFERS' : 'NOT_STORED'), count: 1, detail }];
    }
    case 'REVIEW_OVERDUE':
      return [
        {
          accountId: finding.accountId,
          disputeId: finding.disputeId,
          startedAt: finding.recommendedAt,
          reason: finding.claim,
          count: 1,
          amountMinor: finding.creditAmount?.amountMinor,
          currency: finding.creditAmount?.currency,
          detail: `recommended ${finding.outcome ?? ''} ${finding.hoursWaiting} h ago (${finding.origin})`.replace(/\s+/g, ' '),
        },
      ];
    case 'REVIEWER_CONSISTENCY': {
      const detail = `${finding.accepted} accepted, ${finding.overridden} overridden (${pct(finding.overrideRate.value)}; team ${pct(finding.teamOverrideRate.value)}), ${finding.outcomeChanged} changed the outcome`;
      const credited = finding.credited.length > 0 ? finding.credited : [undefined];
      return credited.map((m) => ({ reviewer: finding.reviewer, count: finding.decisions, amountMinor: m?.amountMinor, currency: m?.currency, detail }));
    }
    case 'REJECTED_INPUT':
      return finding.sources.map((s) => ({ source: s.source, reason: finding.reason, count: s.rejects, detail: `${finding.rejects} in all, ${finding.open} open, ${finding.replayed} replayed` }));
  }
}

/** One row per finding line, with a header row. */
export function auditToCsv(report: AuditReport): string {
  const lines = [COLUMNS.join(',')];
  for (const finding of report.findings ?? []) {
    for (const row of rows(finding)) lines.push(COLUMNS.map((c) => cell(c === 'auditId' ? report.auditId : c === 'type' ? finding.type : row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
