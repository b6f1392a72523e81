// The audit's pure parts: the policy tests against investigate() itself, one hour's fold, one destination against
// its stored statistics, the proactive dispute plan, findings cut into items and put back, the summary and CSV.
import { ValidationError } from '../../lib/domain/errors';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditReport, type BillingFinding, type Finding, MAX_CALLS_PER_DISPUTE } from '../../lib/domain/audit/findings';
import { type DestinationHour, HourScan } from '../../lib/domain/audit/hour-scan';
import { billingCredits, billingFindings } from '../../lib/domain/audit/billing';
import { examineDestination } from '../../lib/domain/audit/destination';
import { falseAnswerDestination, hourDegraded } from '../../lib/domain/policy/rules';
import { findingParts, joinFindingParts } from '../../lib/domain/audit/finding-parts';
import { normalisePeriod } from '../../lib/domain/audit/period';
import { overdueFindings, reviewerFindings } from '../../lib/domain/audit/reviews';
import { packCounters, unpackCounters } from '../../lib/domain/audit/counters';
import { planDisputes } from '../../lib/domain/audit/dispute-plan';
import { rejectFindings } from '../../lib/domain/audit/rejects';
import { summarize } from '../../lib/domain/audit/summary';
import type { Cdr } from '../../lib/domain/cdr';
import type { Decision, Dispute } from '../../lib/domain/disputes/dispute';
import { investigate } from '../../lib/domain/investigation/investigate';
import { DEFAULT_POLICY as policy } from '../../lib/domain/policy/policy';
import { type ConnectCounters, bucketize, emptyCounters, sumCounters } from '../../lib/domain/statistics/connect-statistics';
import { auditSummary, auditToCsv } from '../../lib/cli/audit-report';

const HOUR = '2026-11-02T10:00:00Z';
const at = (seconds: number) => new Date(Date.parse(HOUR) + seconds * 1000).toISOString();

function cdr(over: Partial<Cdr> & { callId: string }): Cdr {
  return {
    source: 'sw1',
    accountId: 'acct-1',
    callingNumber: '+13125550100',
    calledNumber: '+16145550123',
    startedAt: at(0),
    answeredAt: at(3),
    endedAt: at(63),
    disposition: 'ANSWERED',
    billedSeconds: 60,
    charge: { amountMinor: 2, currency: 'USD' },
    ...over,
  };
}
const unanswered = (callId: string, over: Partial<Cdr> = {}) => cdr({ callId, answeredAt: null, endedAt: at(30), disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' }, ...over });

/** Connect counters that add up: outcome classes sum to attempts, the TTA histogram to the answered calls. */
const countersArb = fc
  .record({ answered: fc.nat(25), userFailures: fc.nat(6), callerAbandons: fc.nat(4), callerErrors: fc.nat(4), networkFailures: fc.nat(25), fastShare: fc.nat(100), shortShare: fc.nat(100) })
  .map(({ answered, userFailures, callerAbandons, callerErrors, networkFailures, fastShare, shortShare }): ConnectCounters => {
    const fast = Math.round((answered * fastShare) / 100);
    return {
      attempts: answered + userFailures + callerAbandons + callerErrors + networkFailures,
      answered,
      userFailures,
      callerAbandons,
      callerErrors,
      networkFailures,
      talkMillis: answered * 30_000,
      shortCalls: Math.round((answered * shortShare) / 100),
      ttaHistogram: [fast, answered - fast, 0, 0, 0, 0],
    };
  });

/** What investigate() says about one answered call at HOUR, given the destination's stored buckets. */
function investigateProbe(call: Cdr, buckets: { hour: string; counters: ConnectCounters }[]) {
  const window = { from: HOUR, to: at(3600) };
  const baseline = { from: at(-168 * 3600), to: HOUR };
  const rec = investigate({
    dispute: { accountId: 'acct-1', claim: 'NEVER_CONNECTED', openedAt: at(7200), displayOffset: '+00:00' },
    calls: [call],
    destinations: [{ calledNumber: call.calledNumber, window, baseline, buckets: buckets.map((b) => ({ calledNumber: call.calledNumber, ...b })) }],
    priorDisputes: [],
    policy,
    generatedAt: at(7200),
  });
  return rec.calls[0]!.reasons[0];
}

describe('the policy tests on counters agree with investigate()', () => {
  it('rule 3: a degraded hour against its baseline', () => {
    // A plainly answered call, billed as expected: rule 3 is the first rule that can apply to it.
    const call = cdr({ callId: 'probe', answeredAt: at(2), endedAt: at(12), billedSeconds: 10, billingIncrement: { minimumSeconds: 1, incrementSeconds: 1 } });
    const seen = new Set<boolean>();
    fc.assert(
      fc.property(countersArb, countersArb, (hour, baseline) => {
        const expected = investigateProbe(call, [{ hour: HOUR, counters: hour }, { hour: at(-3600).replace('.000Z', 'Z'), counters: baseline }]) === 'NETWORK_DEGRADATION';
        seen.add(expected);
        expect(hourDegraded(hour, baseline, policy)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(seen).toEqual(new Set([true, false]));
  });

  it("rule 4: the destination's false-answer test", () => {
    // Answered in 0.5 s with 1 s of talk; no baseline, so rule 3 cannot apply first.
    const call = cdr({ callId: 'probe', answeredAt: at(0.5), endedAt: at(1.5), billedSeconds: 1, billingIncrement: { minimumSeconds: 1, incrementSeconds: 1 } });
    const seen = new Set<boolean>();
    fc.assert(
      fc.property(countersArb, (window) => {
        const expected = investigateProbe(call, [{ hour: HOUR, counters: window }]) === 'FALSE_ANSWER_SUSPECTED';
        seen.add(expected);
        expect(falseAnswerDestination(window, policy)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    expect(seen).toEqual(new Set([true, false]));
  });

  it('rules 1 and 2: the calls and credits a WRONG_DURATION investigation gives', () => {
    const perMinute = { minimumSeconds: 60, incrementSeconds: 60 };
    const calls = [
      unanswered('bu-1', { charge: { amountMinor: 15, currency: 'USD' }, billedSeconds: 60 }),
      unanswered('fine-1'),
      // 30 s of talk billed as two minutes: one minute too many; credit 5 - round_half_up(5 * 60 / 120) = 2.
      cdr({ callId: 'ob-1', answeredAt: at(3), endedAt: at(33), billedSeconds: 120, charge: { amountMinor: 5, currency: 'USD' }, billingIncrement: perMinute }),
      cdr({ callId: 'fine-2', answeredAt: at(3), endedAt: at(33), billedSeconds: 60, charge: { amountMinor: 2, currency: 'USD' }, billingIncrement: perMinute }),
      // The same call id from another switch is a different call.
      unanswered('bu-1', { source: 'sw2', charge: { amountMinor: 7, currency: 'EUR' }, billedSeconds: 60 }),
    ];
    const credits = billingCredits(calls).map((c) => [c.cdr.callId, c.cdr.source, c.type, c.creditMinor]);
    expect(credits.sort()).toEqual(
      [
        ['bu-1', 'sw1', 'BILLED_UNANSWERED', 15],
        ['bu-1', 'sw2', 'BILLED_UNANSWERED', 7],
        ['ob-1', 'sw1', 'OVERBILLED_DURATION', 2],
      ].sort(),
    );
  });

  it('rules 1 and 2: each call credited as its proactive dispute (a WRONG_DURATION investigation) credits it', () => {
    const callArb = fc
      .record({
        answered: fc.boolean(),
        ttaMs: fc.nat(8000),
        talkMs: fc.nat(400_000),
        billedSeconds: fc.nat(600),
        amountMinor: fc.nat(5000),
        increment: fc.constantFrom({ minimumSeconds: 1, incrementSeconds: 1 }, { minimumSeconds: 60, incrementSeconds: 60 }, { minimumSeconds: 30, incrementSeconds: 6 }),
      })
      .map(({ answered, ttaMs, talkMs, billedSeconds, amountMinor, increment }) =>
        answered
          ? cdr({ callId: 'p', answeredAt: at(ttaMs / 1000), endedAt: at((ttaMs + talkMs) / 1000), billedSeconds, charge: { amountMinor, currency: 'USD' }, billingIncrement: increment })
          : unanswered('p', { billedSeconds, charge: { amountMinor, currency: 'USD' }, billingIncrement: increment }),
      );
    const seen = new Set<string>();
    fc.assert(
      fc.property(callArb, (call) => {
        const rec = investigate({
          dispute: { accountId: 'acct-1', claim: 'WRONG_DURATION', openedAt: at(7200), displayOffset: '+00:00' },
          calls: [call],
          destinations: [],
          priorDisputes: [],
          policy,
          generatedAt: at(7200),
        });
        const assessed = rec.calls[0]!;
        const reason = assessed.reasons[0]!;
        const credited = assessed.verdict === 'CREDIT' && (reason === 'BILLED_UNANSWERED' || reason === 'OVERBILLED_DURATION');
        const expected = credited ? [[reason, assessed.creditMinor]] : [];
        seen.add(credited ? reason : 'none');
        expect(billingCredits([call]).map((c) => [c.type, c.creditMinor])).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
    expect(seen).toEqual(new Set(['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'none']));
  });
});

describe('one hour of CDRs', () => {
  it('recounts what ingest counts, page by page, and keeps the billing calls and charges', () => {
    const calls = [
      ...Array.from({ length: 12 }, (_, i) => unanswered(`nf-${i}`, { calledNumber: '+16145550999', disposition: 'FAILED', releaseCause: 34, charge: { amountMinor: i === 0 ? 3 : 0, currency: 'USD' } })),
      cdr({ callId: 'a-1', calledNumber: '+16145550999', accountId: 'acct-2' }),
      cdr({ callId: 'a-2', calledNumber: '+16145550123', answeredAt: at(0.2), endedAt: at(2), billedSeconds: 2 }),
      cdr({ callId: 'a-3', calledNumber: '+16145550123' }),
    ];
    const scan = new HourScan(HOUR, policy);
    scan.add(calls.slice(0, 5), calls.slice(0, 5).map(() => '2026-11-02T11:00:00.000Z'));
    scan.add(calls.slice(5), calls.slice(5).map((_, i) => (i === 0 ? '2026-11-02T12:00:00.000Z' : undefined)));
    const result = scan.finish(4);
    expect(result.cdrs).toBe(15);
    const rows = result.groups.flat();
    const byNumber = new Map(rows.map((r) => [r.calledNumber, r]));
    for (const bucket of bucketize(calls)) expect(unpackCounters(byNumber.get(bucket.calledNumber)!.counters)).toEqual(bucket.counters);
    // 13 attempts, 1 answered: the hour may be degraded, so the accounts charged for answered calls are kept.
    expect(byNumber.get('+16145550999')!.answeredCharges).toEqual([['acct-2', 'USD', 1, 2]]);
    expect(byNumber.get('+16145550999')!.lastIngestedAt).toBe('2026-11-02T12:00:00.000Z');
    expect(byNumber.get('+16145550123')!.answeredCharges).toBeUndefined();
    expect(byNumber.get('+16145550123')!.falseAnswerCharges).toEqual([['acct-1', 'USD', 1, 2]]);
    expect(result.billing.map((b) => [b.callId, b.type, b.creditMinor])).toEqual([['nf-0', 'BILLED_UNANSWERED', 3]]);
  });
});

describe('one destination against its stored statistics', () => {
  const period = { from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' };
  const counters = (over: Partial<ConnectCounters>): ConnectCounters => ({ ...emptyCounters(), ...over });
  const row = (c: ConnectCounters, over: Partial<DestinationHour> = {}): DestinationHour => ({ calledNumber: '+16145550123', counters: packCounters(c), ...over });

  it('reports differing buckets, stored buckets without CDRs, missing buckets, and not zero buckets', () => {
    const a = counters({ attempts: 2, answered: 2, talkMillis: 60_000, ttaHistogram: [0, 2, 0, 0, 0, 0] });
    const hours = new Map([
      ['2026-11-02T10:00:00Z', row(a)],
      ['2026-11-02T11:00:00Z', row(a)],
      ['2026-11-02T12:00:00Z', row(a)],
    ]);
    const stored = [
      { calledNumber: '+16145550123', hour: '2026-11-02T10:00:00Z', counters: a },
      { calledNumber: '+16145550123', hour: '2026-11-02T11:00:00Z', counters: { ...a, attempts: 3 } },
      { calledNumber: '+16145550123', hour: '2026-11-02T15:00:00Z', counters: counters({ attempts: 4, networkFailures: 4 }) },
      { calledNumber: '+16145550123', hour: '2026-11-02T16:00:00Z', counters: emptyCounters() },
    ];
    const { drift } = examineDestination({ calledNumber: '+16145550123', period, hours, stored, before: [], policy });
    expect(drift.map((d) => [d.hour, d.differences, d.stored?.attempts ?? null, d.recounted.attempts])).toEqual([
      ['2026-11-02T11:00:00Z', ['attempts'], 3, 2],
      ['2026-11-02T12:00:00Z', ['attempts', 'answered', 'talkMillis', 'tta[1,3)'], null, 2],
      ['2026-11-02T15:00:00Z', ['attempts', 'networkFailures'], 4, 0],
    ]);
  });

  it('tests rule 3 against the 168 hours before each hour: stored before the period, the recount inside it', () => {
    const healthy = counters({ attempts: 20, answered: 20, ttaHistogram: [0, 20, 0, 0, 0, 0] });
    const bad = counters({ attempts: 12, answered: 2, networkFailures: 10, ttaHistogram: [0, 2, 0, 0, 0, 0] });
    const hours = new Map([
      ['2026-11-02T01:00:00Z', row(healthy)],
      ['2026-11-02T05:00:00Z', row(bad, { answeredCharges: [['acct-9', 'USD', 2, 6]] })],
    ]);
    const found = examineDestination({ calledNumber: '+16145550123', period, hours, stored: [], before: [], policy });
    expect(found.degradation).toHaveLength(1);
    expect(found.degradation[0]).toMatchObject({ hour: '2026-11-02T05:00:00Z', attempts: 12, accounts: [{ accountId: 'acct-9', calls: 2, charged: { amountMinor: 6, currency: 'USD' } }], charged: [{ amountMinor: 6, currency: 'USD' }] });
    expect(found.degradation[0]!.baselineNer.value).toBe(1);
    // Without the healthy hour there is no baseline to fall from.
    const alone = examineDestination({ calledNumber: '+16145550123', period, hours: new Map([...hours].slice(1)), stored: [], before: [], policy });
    expect(alone.degradation).toEqual([]);
    // A stored baseline before the period counts too.
    const before = [{ calledNumber: '+16145550123', hour: '2026-11-01T20:00:00Z', counters: healthy }];
    expect(examineDestination({ calledNumber: '+16145550123', period, hours: new Map([...hours].slice(1)), stored: [], before, policy }).degradation).toHaveLength(1);
  });
});

const decision = (reviewer: string, action: Decision['action'], over: Partial<Decision> = {}): Decision => ({
  action,
  outcome: action === 'ACCEPT' ? 'CREDIT' : 'DENY',
  creditAmount: { amountMinor: action === 'ACCEPT' ? 30 : 0, currency: 'USD' },
  reviewer,
  decidedAt: '2026-11-02T12:00:00.000Z',
  difference: { outcomeChanged: action === 'OVERRIDE', creditDeltaMinor: action === 'OVERRIDE' ? -30 : 0 },
  ...over,
});

function dispute(over: Partial<Dispute>): Dispute {
  return { disputeId: 'd', accountId: 'acct-1', claim: 'NEVER_CONNECTED', ticketId: 't', origin: 'TICKET', status: 'RECOMMENDED', openedAt: '2026-10-30T00:00:00.000Z', displayOffset: '+00:00', history: [], ...over };
}

describe('reviews and rejects', () => {
  it('finds recommendations waiting more than 48 h since their latest recommendation', () => {
    const entry = (at: string) => ({ at, by: 'investigator', status: 'RECOMMENDED' as const, note: '' });
    const found = overdueFindings(
      [
        dispute({ disputeId: 'old', history: [entry('2026-10-30T00:00:00.000Z')] }),
        dispute({ disputeId: 'just', history: [entry('2026-10-31T12:00:00.000Z')] }),
        dispute({ disputeId: 'reinvestigated', history: [entry('2026-10-29T00:00:00.000Z'), entry('2026-11-01T00:00:00.000Z')] }),
      ],
      '2026-11-02T12:00:00.000Z',
    );
    expect(found.map((f) => [f.disputeId, f.hoursWaiting])).toEqual([['old', 84]]);
  });

  it('counts decisions and overrides per reviewer in the period only', () => {
    const found = reviewerFindings(
      [
        { decision: decision('rita', 'ACCEPT') },
        { decision: decision('bob', 'OVERRIDE') },
        { decision: decision('bob', 'ACCEPT') },
        { decision: decision('bob', 'ACCEPT', { decidedAt: '2026-11-03T00:00:00.000Z' }) },
        {},
      ],
      { from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
    );
    expect(found.map((f) => [f.reviewer, f.decisions, f.overridden, f.overrideRate.value, f.teamOverrideRate.value])).toEqual([
      ['bob', 2, 1, 0.5, 1 / 3],
      ['rita', 1, 0, 0, 1 / 3],
    ]);
    expect(found[0]!.credited).toEqual([{ amountMinor: 30, currency: 'USD' }]);
    expect(found[0]!.creditDelta).toEqual([{ amountMinor: -30, currency: 'USD' }]);
  });

  it('groups rejects by reason and source', () => {
    const found = rejectFindings([
      { source: 'sw1', reasons: ['calledNumber: must be E.164', 'charge: Required'] },
      { source: 'sw2', reasons: ['calledNumber: must be E.164'], status: 'REPLAYED' },
    ]);
    expect(found).toEqual([
      { type: 'REJECTED_INPUT', reason: 'calledNumber: must be E.164', rejects: 2, open: 1, replayed: 1, sources: [{ source: 'sw1', rejects: 1 }, { source: 'sw2', rejects: 1 }] },
      { type: 'REJECTED_INPUT', reason: 'charge: Required', rejects: 1, open: 1, replayed: 0, sources: [{ source: 'sw1', rejects: 1 }] },
    ]);
  });
});

const billed = (n: number, accountId = 'acct-1'): BillingFinding => billingFindings(
  Array.from({ length: n }, (_, i) => ({
    type: 'BILLED_UNANSWERED' as const,
    accountId,
    callId: `c-${String(i).padStart(5, '0')}`,
    source: 'sw1',
    calledNumber: '+16145550123',
    startedAt: at(i),
    answered: false,
    billedSeconds: 60,
    expectedBilledSeconds: 0,
    charge: { amountMinor: 3, currency: 'USD' },
    creditMinor: 3,
  })),
)[0]!;

describe('proactive disputes', () => {
  it('chunks calls by 500 and leaves out calls other disputes of the account cover', () => {
    const finding = billed(1203);
    const [plan] = planDisputes([finding], new Map(), () => false);
    expect(plan!.chunks.map((c) => c.length)).toEqual([MAX_CALLS_PER_DISPUTE, MAX_CALLS_PER_DISPUTE, 203]);
    expect(plan!.claim).toBe('NEVER_CONNECTED');

    const earlier = dispute({ disputeId: 'audit-1', origin: 'AUDIT', callIds: finding.calls.slice(0, 500).map((c) => c.callId) });
    const customer = dispute({ disputeId: 'ticket-1', calledNumber: '+16145550123', from: at(1000), to: at(1100) });
    const own = dispute({ disputeId: 'mine', origin: 'AUDIT', callIds: finding.calls.slice(500).map((c) => c.callId) });
    const [again] = planDisputes([finding], new Map([['acct-1', [earlier, customer, own]]]), (d) => d.disputeId === 'mine');
    expect(again!.alreadyDisputed).toBe(600);
    expect(again!.chunks.flat()).toHaveLength(603);
    expect(again!.chunks.flat()).not.toContain('c-00001');
    expect(again!.chunks.flat()).not.toContain('c-01050');
  });
});

describe('findings in items of bounded size', () => {
  it('cuts long lists between parts and joins them back in order', () => {
    const findings: Finding[] = [billed(2000, 'acct-a'), { type: 'REJECTED_INPUT', reason: 'x', rejects: 1, open: 1, replayed: 0, sources: [{ source: 's', rejects: 1 }] }, billed(3, 'acct-b')];
    const parts = findingParts(findings, 50_000);
    expect(parts.length).toBeGreaterThan(5);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p.finding))).toBeLessThanOrEqual(50_000);
    expect(joinFindingParts([...parts].reverse())).toEqual(findings);
  });
});

describe('summary and exports', () => {
  const findings: Finding[] = [
    { ...billed(2, 'acct-a'), disputes: [{ disputeId: 'D1', ticketId: 'T1', calls: 2, created: true }] },
    { ...billed(1, 'acct-b'), credit: { amountMinor: 3, currency: 'EUR' } },
    { type: 'STATS_DRIFT', calledNumber: '+16145550123', hour: HOUR, stored: null, recounted: { ...emptyCounters(), attempts: 1 }, differences: ['attempts'], repair: 'REPAIRED' },
    { type: 'REJECTED_INPUT', reason: '=cmd|calc', rejects: 2, open: 2, replayed: 0, sources: [{ source: '+sw', rejects: 2 }] },
  ];
  const report: AuditReport = {
    auditId: 'A1',
    trigger: 'cli',
    period: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
    repair: true,
    status: 'COMPLETED',
    startedAt: '2026-11-03T00:05:00.000Z',
    progress: { hours: 24, hoursDone: 24, groups: 8, groupsDone: 8 },
    cdrsExamined: 1234,
    summary: summarize(findings, 2),
    disputes: { opened: 1, accounts: 1, calls: 2, alreadyDisputed: 0 },
    findings,
  };

  it('sums money per currency and lists every finding type', () => {
    expect(report.summary.map((s) => s.type)).toHaveLength(8);
    expect(report.summary.find((s) => s.type === 'BILLED_UNANSWERED')).toEqual({ type: 'BILLED_UNANSWERED', findings: 2, count: 3, unit: 'calls', accounts: 2, totals: [{ amountMinor: 3, currency: 'EUR' }, { amountMinor: 6, currency: 'USD' }] });
    expect(report.summary.find((s) => s.type === 'NETWORK_DEGRADATION')).toMatchObject({ findings: 0, count: 0, totals: [] });
  });

  it('prints a summary with money in its currency', () => {
    const text = auditSummary(report);
    expect(text).toContain('BILLED_UNANSWERED');
    expect(text).toContain('2 accounts, 3 calls; credit €0.03 + $0.06');
    expect(text).toContain('1 bucket, 1 repaired');
    expect(text).toContain('disputes opened: 1 for 1 account (2 calls)');
  });

  it('writes one CSV row per finding line that reads back, formulas defused', () => {
    const rows = parse<Record<string, string>>(auditToCsv(report), { columns: true });
    expect(rows).toHaveLength(2 + 1 + 1 + 1);
    expect(rows[0]).toMatchObject({ auditId: 'A1', type: 'BILLED_UNANSWERED', accountId: 'acct-a', callId: 'c-00000', calledNumber: '+16145550123', amountMinor: '3', currency: 'USD' });
    expect(rows[3]).toMatchObject({ type: 'STATS_DRIFT', reason: 'REPAIRED', detail: 'attempts 0 stored, 1 recounted' });
    expect(rows[4]).toMatchObject({ type: 'REJECTED_INPUT', reason: "'=cmd|calc", source: "'+sw", count: '2' });
  });
});

describe('the period', () => {
  const now = new Date('2026-11-03T00:17:00Z');
  it('defaults to the previous 24 whole hours and rounds a given period out to whole hours', () => {
    expect(normalisePeriod({}, now)).toEqual({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' });
    expect(normalisePeriod({ from: '2026-11-02T10:30:00+01:00', to: '2026-11-02T12:00:01+01:00' }, now)).toEqual({ from: '2026-11-02T09:00:00.000Z', to: '2026-11-02T12:00:00.000Z' });
  });
  it.each([
    [{ from: '2026-11-02T10:00:00Z' }, 'to'],
    [{ from: '2026-11-02T10:00:00', to: '2026-11-02T11:00:00Z' }, 'from'],
    [{ from: '2026-11-02T10:00:00Z', to: '2026-11-02T10:00:00Z' }, 'to'],
    [{ from: '2026-10-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, 'to'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => normalisePeriod(options, now)).toThrow(ValidationError);
    try {
      normalisePeriod(options, now);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

it('packs counters without loss', () => {
  fc.assert(
    fc.property(countersArb, (c) => {
      expect(unpackCounters(packCounters(c))).toEqual(sumCounters([c]));
    }),
  );
});
