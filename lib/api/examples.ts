// Examples for the OpenAPI document: the motivating case (PRODUCT.md), a lottery line that answers on the first ring.
// The contract test validates each one against its schema, so they cannot drift from the API.
import type { AuditReport } from '../domain/audit/findings';
import type { Decision, Dispute, Recommendation } from '../domain/disputes/dispute';
import type { Lease } from '../domain/disputes/lease';
import type { Reject } from '../domain/rejects/reject';

const USD = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const ratio = (numerator: number, n: number) => ({ value: numerator / n, numerator, n, interval: { low: 0.52, high: 0.6 } });

export const openDisputeExample = {
  accountId: 'ACC-1001',
  claim: 'NEVER_CONNECTED',
  ticketId: 'ZD-58213',
  customerStatement: 'The calls never connected, I should not be charged.',
  calledNumber: '+18005550199',
  from: '2026-11-01T00:00:00-05:00',
  to: '2026-11-06T00:00:00-05:00',
} as const;

const recommendation: Recommendation = {
  outcome: 'DENY',
  disputedAmount: USD(180),
  creditAmount: USD(0),
  calls: [
    {
      callId: 'sw1-7f3a9c',
      calledNumber: '+18005550199',
      startedAt: '2026-11-03T19:04:11-05:00',
      hour: { hour: '2026-11-04T00:00:00Z', attempts: 31, ner: ratio(19, 31) },
      answered: true,
      ttaSeconds: 0.8,
      talkSeconds: 42,
      billedSeconds: 60,
      expectedBilledSeconds: 60,
      charge: USD(60),
      verdict: 'DENY',
      creditMinor: 0,
      reasons: ['CALL_CONNECTED', 'AUTO_ATTENDANT_DETECTED'],
    },
  ],
  reasons: [
    { code: 'CALL_CONNECTED', message: '3 of the 7 disputed calls were answered and billed as they lasted', evidence: { answered: 3, attempts: 7 } },
    { code: 'UNANSWERED_NOT_CHARGED', message: 'the 4 unanswered attempts were not charged', evidence: { unanswered: 4, charged: 0 } },
    { code: 'DESTINATION_HEALTHY', message: '+1 800-555-0199 connects 56% of calls (52%–60%, 95% interval)', evidence: { asr: 0.56 } },
    { code: 'AUTO_ATTENDANT_DETECTED', message: '92% of answered calls to +1 800-555-0199 are answered within 1 s: a recording', evidence: { fastAnswerShare: 0.92 } },
  ],
  goodwill: { eligible: true, amountMinor: 180 },
  flags: [],
  evidence: { windowAttempts: 7 },
  policyVersion: 'v1',
  generatedAt: '2026-11-06T15:02:09.331Z',
};

const decision: Decision = {
  action: 'ACCEPT',
  outcome: 'DENY',
  creditAmount: USD(0),
  reviewer: 'rita.reviewer',
  decidedAt: '2026-11-06T16:40:00.000Z',
  difference: { outcomeChanged: false, creditDeltaMinor: 0 },
};

export const disputeExample: Dispute = {
  ...openDisputeExample,
  disputeId: '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D',
  origin: 'TICKET',
  status: 'DECIDED',
  openedAt: '2026-11-06T15:02:08.120Z',
  displayOffset: '-05:00',
  recommendation,
  decision,
  history: [
    { at: '2026-11-06T15:02:08.120Z', by: 'zendesk-integration', status: 'RECEIVED', note: 'opened (ticket ZD-58213)' },
    { at: '2026-11-06T15:02:08.902Z', by: 'investigator', status: 'INVESTIGATING', note: 'investigation started' },
    {
      at: '2026-11-06T15:02:09.331Z',
      by: 'investigator',
      status: 'RECOMMENDED',
      note: 'recommended DENY (policy v1)',
      recommendation: { outcome: 'DENY', creditAmount: USD(0), reasons: recommendation.reasons.map((r) => r.code), policyVersion: 'v1', generatedAt: recommendation.generatedAt },
    },
    { at: decision.decidedAt, by: 'rita.reviewer', status: 'DECIDED', note: 'accepted DENY $0.00', decision },
  ],
};

export const receivedDisputeExample: Dispute = { ...openDisputeExample, disputeId: disputeExample.disputeId, origin: 'TICKET', status: 'RECEIVED', openedAt: disputeExample.openedAt, displayOffset: '-05:00', history: disputeExample.history.slice(0, 1) };

export const overrideExample = { action: 'OVERRIDE', outcome: 'PARTIAL_CREDIT', creditAmount: USD(60), reason: 'customer was double-billed on 3 Nov per the switch log' } as const;

export const goodwillExample = { action: 'GOODWILL', reason: 'first complaint in years; long-standing customer' } as const;

/** The same case decided with goodwill instead: DENY stands, the suggested $1.80 is credited as its own decision. */
const goodwillDecision: Decision = {
  action: 'GOODWILL',
  outcome: 'DENY',
  creditAmount: USD(180),
  reason: goodwillExample.reason,
  reviewer: 'rita.reviewer',
  decidedAt: decision.decidedAt,
  difference: { outcomeChanged: false, creditDeltaMinor: 180 },
};

export const goodwillDisputeExample: Dispute = {
  ...disputeExample,
  decision: goodwillDecision,
  history: [
    ...disputeExample.history.slice(0, 3),
    { at: goodwillDecision.decidedAt, by: 'rita.reviewer', status: 'DECIDED', note: `granted goodwill $1.80 (DENY stands): ${goodwillExample.reason}`, decision: goodwillDecision },
  ],
};

export const leaseExample: Lease = { holder: 'rita.reviewer', expiresAt: '2026-11-06T16:35:00.000Z' };

/** A RECOMMENDED dispute while a reviewer holds it. */
export const leasedDisputeExample: Dispute = { ...disputeExample, status: 'RECOMMENDED', decision: undefined, lease: leaseExample, history: disputeExample.history.slice(0, 3) };

const point = { attempts: 31, answered: 17, userFailures: 2, callerAbandons: 1, callerErrors: 0, networkFailures: 0, talkMillis: 714_000, shortCalls: 3, ttaHistogram: { '[0,1)': 16, '[1,3)': 1, '[3,6)': 0, '[6,12)': 0, '[12,24)': 0, '[24,inf)': 0 }, asr: ratio(17, 31), ner: ratio(19, 30), scr: ratio(3, 17), acdSeconds: 42 };

export const numberStatsExample = {
  calledNumber: '+18005550199',
  from: '2026-11-04T00:00:00Z',
  to: '2026-11-05T00:00:00Z',
  granularity: 'day',
  total: point,
  series: [{ period: '2026-11-04T00:00:00Z', ...point }],
} as const;

export const auditExample: AuditReport = {
  auditId: '01JC3A7K2M9N8P7Q6R5S4T3V2W',
  trigger: 'schedule',
  period: { from: '2026-11-04T00:00:00.000Z', to: '2026-11-05T00:00:00.000Z' },
  repair: false,
  status: 'COMPLETED',
  startedAt: '2026-11-05T00:00:04.120Z',
  finishedAt: '2026-11-05T00:03:41.902Z',
  policyVersion: 'v1',
  progress: { hours: 24, hoursDone: 24, groups: 8, groupsDone: 8 },
  cdrsExamined: 1_000_000,
  summary: [
    { type: 'BILLED_UNANSWERED', findings: 1, count: 1, unit: 'calls', accounts: 1, totals: [USD(40)] },
    { type: 'STATS_DRIFT', findings: 1, count: 1, unit: 'buckets', totals: [] },
  ],
  disputes: { opened: 1, accounts: 1, calls: 1, alreadyDisputed: 0 },
  findings: [
    {
      type: 'BILLED_UNANSWERED',
      accountId: 'ACC-2040',
      credit: USD(40),
      charged: USD(40),
      calls: [{ callId: 'sw2-88121', source: 'sw2', calledNumber: '+13125550188', startedAt: '2026-11-04T14:10:00.000Z', answered: false, billedSeconds: 60, expectedBilledSeconds: 0, charge: USD(40), creditMinor: 40 }],
      disputes: [{ disputeId: '01JC3A9Z0000000000000000AA', ticketId: 'AUDIT-ACC-2040-NEVER_CONNECTED-3f9a', calls: 1, created: true }],
      alreadyDisputed: 0,
    },
    {
      type: 'STATS_DRIFT',
      calledNumber: '+13125550188',
      hour: '2026-11-04T14:00:00.000Z',
      stored: { attempts: 11, answered: 6, userFailures: 1, callerAbandons: 0, callerErrors: 0, networkFailures: 4, talkMillis: 250_000, shortCalls: 1, ttaHistogram: [0, 2, 3, 1, 0, 0] },
      recounted: { attempts: 12, answered: 6, userFailures: 1, callerAbandons: 0, callerErrors: 0, networkFailures: 5, talkMillis: 250_000, shortCalls: 1, ttaHistogram: [0, 2, 3, 1, 0, 0] },
      differences: ['attempts', 'networkFailures'],
    },
  ],
};

const storedCdr = {
  callId: '1767600000.42',
  source: 'pbx-columbus',
  accountId: 'ACC-1001',
  callingNumber: '+13125550100',
  calledNumber: '+16145550123',
  startedAt: '2026-11-04T15:00:00.000Z',
  answeredAt: '2026-11-04T15:00:02.000Z',
  endedAt: '2026-11-04T15:01:00.000Z',
  disposition: 'ANSWERED',
  billedSeconds: 58,
  charge: USD(10),
} as const;

/** A conflict: the switch's second file billed the same call for longer. */
export const rejectExample: Reject = {
  rejectId: '0F3QK7W2X9H1M5R8T4V6Y0ZB2C',
  kind: 'CONFLICT',
  source: 'pbx-columbus',
  raw: '"ACC-1001","3125550100","6145550123","default","","SIP/a","SIP/b","Dial","","2026-11-04 10:00:00","2026-11-04 10:00:02","2026-11-04 10:01:30",90,88,"ANSWERED","DOCUMENTATION","1767600000.42",""',
  rawBytes: 181,
  rawSha256: '9b1d0c3f0f55e8e2b5d1a3c4e7f60718293a4b5c6d7e8f9012a3b4c5d6e7f801',
  problems: [
    { field: 'callId', reason: 'conflicts with the stored CDR pbx-columbus/1767600000.42 of different content' },
    { field: 'endedAt', reason: 'stored "2026-11-04T15:01:00.000Z", this one "2026-11-04T15:01:30.000Z"' },
    { field: 'billedSeconds', reason: 'stored 58, this one 88' },
  ],
  reasons: ['CONFLICT'],
  receivedAt: '2026-11-05T08:12:40.118Z',
  origin: { messageId: '5f1d8a52-2f0b-4a7e-9a1e-3b1c9d2e7a10', file: 'Master-2026-11-04.csv', line: 42, ingestRun: '01JC3B2D4F6H8K0M2P4R6T8V0X', seq: 0 },
  sightings: 2,
  lastSeenAt: '2026-11-06T08:02:11.507Z',
  lastOrigin: { messageId: '7c2e9b63-3a1c-4b8f-8b2f-4c2d0e3f8b21', file: 'Master-2026-11-04.csv', line: 42, ingestRun: '01JC5C1E3G5J7L9N1Q3S5U7W9Y', seq: 0 },
  format: 'asterisk',
  options: { source: 'pbx-columbus', timezone: 'America/New_York', country: 'US', accountColumn: 'accountcode' },
  storedCdr,
  incomingCdr: { ...storedCdr, endedAt: '2026-11-04T15:01:30.000Z', billedSeconds: 88 },
  status: 'OPEN',
};

export const rejectPageExample = { items: [rejectExample], cursor: 'eyJyZWplY3RJZCI6IjBGM1FLN1cyWDlIMU01UjhUNFY2WTBaQjJDIn0' };
