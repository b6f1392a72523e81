// The audit CSV (lib/domain/audit/csv.ts), written by `disputes audit --export csv` and the console's export alike,
// for every finding type: its restated statistics constants equal the statistics module's, and hostile cells are
// neutralised.
import { expect, it } from 'vitest';
import { TTA_BIN_LABELS as CSV_TTA_LABELS, auditToCsv, utcHour as csvUtcHour } from '../../lib/domain/audit/csv';
import type { AuditReport } from '../../lib/domain/audit/findings';
import { TTA_BIN_LABELS, utcHour } from '../../lib/domain/statistics/connect-statistics';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const ratio = (numerator: number, n: number) => ({ value: n ? numerator / n : null, numerator, n, interval: n ? { low: 0.1, high: 0.9 } : null });
const counters = (attempts: number) => ({ attempts, answered: 1, userFailures: 0, callerAbandons: 0, callerErrors: 0, networkFailures: attempts - 1, talkMillis: 3000, shortCalls: 1, ttaHistogram: [0, 1, 0, 0, 0, 0] });

const report: AuditReport = {
  auditId: 'A-1',
  trigger: 'api',
  period: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
  repair: true,
  status: 'COMPLETED',
  startedAt: '2026-11-03T00:01:00.000Z',
  progress: { hours: 24, hoursDone: 24, groups: 8, groupsDone: 8 },
  cdrsExamined: 100,
  summary: [],
  disputes: { opened: 1, accounts: 1, calls: 2, alreadyDisputed: 0 },
  findings: [
    {
      type: 'BILLED_UNANSWERED',
      accountId: 'acct-a',
      credit: USD(20),
      charged: USD(20),
      calls: [
        { callId: 'c-1', source: 'sw1', calledNumber: '+16145550123', startedAt: '2026-11-02T10:15:00-05:00', answered: false, billedSeconds: 60, expectedBilledSeconds: 0, charge: USD(10), creditMinor: 10, disputeId: 'D-1' },
        { callId: 'c-2', source: 'sw,1', calledNumber: '+16145550123', startedAt: '2026-11-02T10:16:00Z', answered: false, billedSeconds: 60, expectedBilledSeconds: 0, charge: USD(10), creditMinor: 10 },
      ],
      disputes: [{ disputeId: 'D-1', ticketId: 'AUDIT-1', calls: 1, created: true }],
      alreadyDisputed: 0,
    },
    {
      type: 'OVERBILLED_DURATION',
      accountId: 'acct-"quoted"',
      credit: { amountMinor: 3, currency: 'JPY' },
      charged: { amountMinor: 6, currency: 'JPY' },
      calls: [{ callId: 'c-3', source: 'sw1', calledNumber: '+81312345678', startedAt: '2026-11-02T11:00:00Z', answered: true, billedSeconds: 120, expectedBilledSeconds: 60, charge: { amountMinor: 6, currency: 'JPY' }, creditMinor: 3 }],
      disputes: [],
      alreadyDisputed: 1,
    },
    { type: 'NETWORK_DEGRADATION', calledNumber: '+14155550190', hour: '2026-11-02T14:00:00Z', attempts: 12, ner: ratio(2, 12), baselineNer: ratio(90, 100), accounts: [{ accountId: 'acct-b', calls: 2, charged: USD(7) }], charged: [USD(7)] },
    { type: 'NETWORK_DEGRADATION', calledNumber: '+14155550191', hour: '2026-11-02T15:00:00Z', attempts: 10, ner: ratio(1, 10), baselineNer: ratio(0, 0), accounts: [], charged: [] },
    { type: 'FALSE_ANSWER_SUSPECTED', calledNumber: '+2348031234567', answered: 24, scr: ratio(24, 24), subSecondAnswers: ratio(20, 24), accounts: [{ accountId: 'acct-c', calls: 12, charged: USD(12) }], charged: [USD(12)] },
    { type: 'STATS_DRIFT', calledNumber: '+16145550123', hour: '2026-11-02T10:00:00Z', stored: counters(3), recounted: { ...counters(4), ttaHistogram: [1, 1, 0, 0, 0, 0] }, differences: ['attempts', 'networkFailures', 'tta[0,1)'], repair: 'REPAIRED' },
    { type: 'STATS_DRIFT', calledNumber: '+16145550124', hour: '2026-11-02T11:00:00Z', stored: null, recounted: counters(2), differences: ['attempts'] },
    { type: 'REVIEW_OVERDUE', disputeId: 'D-9', accountId: 'acct-d', claim: 'NEVER_CONNECTED', origin: 'TICKET', openedAt: '2026-10-30T00:00:00Z', recommendedAt: '2026-10-30T00:01:00Z', hoursWaiting: 95, outcome: 'DENY', creditAmount: USD(0) },
    { type: 'REVIEW_OVERDUE', disputeId: 'D-10', accountId: 'acct-e', claim: 'WRONG_DURATION', origin: 'AUDIT', openedAt: '2026-10-30T00:00:00Z', recommendedAt: '2026-10-30T00:01:00Z', hoursWaiting: 95 },
    {
      type: 'REVIEWER_CONSISTENCY',
      reviewer: 'rita.reviewer',
      decisions: 3,
      accepted: 2,
      overridden: 1,
      overrideRate: ratio(1, 3),
      teamOverrideRate: ratio(1, 4),
      outcomeChanged: 1,
      outcomes: { DENY: 2, PARTIAL_CREDIT: 1 },
      credited: [USD(35), { amountMinor: 5, currency: 'EUR' }],
      creditDelta: [USD(-10)],
    },
    { type: 'REVIEWER_CONSISTENCY', reviewer: '=evil', decisions: 1, accepted: 1, overridden: 0, overrideRate: ratio(0, 1), teamOverrideRate: ratio(1, 4), outcomeChanged: 0, outcomes: { DENY: 1 }, credited: [], creditDelta: [] },
    { type: 'REJECTED_INPUT', reason: '=cmd|calc', rejects: 3, open: 2, replayed: 1, sources: [{ source: '+sw', rejects: 2 }, { source: 'sw2\nline', rejects: 1 }] },
  ],
};

it('writes a row per finding line for every finding type, and neutralises formula cells', () => {
  const csv = auditToCsv(report);
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]).toBe('auditId,type,accountId,calledNumber,hour,callId,source,startedAt,disputeId,reviewer,reason,count,amountMinor,currency,detail');
  expect(lines.length).toBeGreaterThan(12);
  for (const finding of report.findings ?? []) expect(csv).toContain(`,${finding.type},`);
  expect(csv).toContain("'=evil");
  expect(csv).toContain("'=cmd|calc");
  expect(csv).not.toMatch(/,=/);
});

it('restates the statistics constants it needs exactly', () => {
  expect(CSV_TTA_LABELS).toEqual(TTA_BIN_LABELS);
  for (const t of ['2026-11-05T14:59:59.999Z', '2026-11-05T09:30:00-05:00']) expect(csvUtcHour(t)).toBe(utcHour(t));
});
