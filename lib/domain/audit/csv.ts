// The audit report as CSV: what `disputes audit --export csv` writes and the console's export downloads, one
// function for both. It imports only types and money formatting, so the console bundles no schema or phone-number
// library; the two statistics constants below are restated for that reason, and a test holds them equal.
import { formatMoney } from '../money';
import type { AuditReport, Finding } from './findings';

export const TTA_BIN_LABELS = ['[0,1)', '[1,3)', '[3,6)', '[6,12)', '[12,24)', '[24,inf)'] as const;
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${Math.round(x * 100)}%` : 'n/a');

export function utcHour(instant: string): string {
  const d = new Date(instant);
  d.setUTCMinutes(0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

export const CSV_COLUMNS = ['auditId', 'type', 'accountId', 'calledNumber', 'hour', 'callId', 'source', 'startedAt', 'disputeId', 'reviewer', 'reason', 'count', 'amountMinor', 'currency', 'detail'] as const;
type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null | undefined>>;

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with an apostrophe (E.164 stays). */
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
      const detail = finding.differences.map((d) => `${d} ${String(value(stored, d))} stored, ${String(value(recounted, d))} recounted`).join('; ');
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

/** One row per finding line, with a header row: what `disputes audit --export csv` writes. */
export function auditToCsv(report: AuditReport): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const finding of report.findings ?? []) {
    for (const row of rows(finding)) lines.push(CSV_COLUMNS.map((c) => cell(c === 'auditId' ? report.auditId : c === 'type' ? finding.type : row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
