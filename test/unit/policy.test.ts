// Every threshold of policy v1 (PRODUCT.md §4.4) just below, at and just above, on hand-built counters.
import { describe, expect, it } from 'vitest';
import type { Cdr } from '../../lib/domain/cdr';
import { type InvestigationInput, type PriorDispute, destinationRanges, investigate } from '../../lib/domain/investigation/investigate';
import { DEFAULT_POLICY, parsePolicy } from '../../lib/domain/policy/policy';
import { billedUnansweredCredit, falseAnswerShaped, overbilledCredit, ruleCall, subSecondAnswers } from '../../lib/domain/policy/rules';
import { type ConnectCounters, SHORT_CALL_SECONDS, TTA_BIN_EDGES, bucketize, emptyCounters } from '../../lib/domain/statistics/connect-statistics';

const NUMBER = '+16145550123';
const HOUR = '2026-10-27T15:00:00Z';
const BASELINE_HOUR = '2026-10-26T15:00:00Z';
const counters = (c: Partial<ConnectCounters>): ConnectCounters => ({ ...emptyCounters(), ...c });

function call(overrides: Partial<Cdr> & { ttaMs?: number; talkMs?: number } = {}): Cdr {
  const { ttaMs = 4000, talkMs = 90_000, ...rest } = overrides;
  const started = Date.parse(HOUR) + 600_000;
  return {
    callId: 'c1',
    source: 'sw1',
    accountId: 'acct',
    callingNumber: '+13125550100',
    calledNumber: NUMBER,
    startedAt: new Date(started).toISOString(),
    answeredAt: new Date(started + ttaMs).toISOString(),
    endedAt: new Date(started + ttaMs + talkMs).toISOString(),
    disposition: 'ANSWERED',
    releaseCause: 16,
    billedSeconds: Math.max(60, Math.ceil(talkMs / 60_000) * 60),
    charge: { amountMinor: 20, currency: 'USD' },
    billingIncrement: { minimumSeconds: 60, incrementSeconds: 60 },
    ...rest,
  };
}

const healthyBaseline = counters({ attempts: 100, answered: 90, userFailures: 5, networkFailures: 5 });

function run(options: { calls?: Cdr[]; window?: Partial<ConnectCounters>; baseline?: Partial<ConnectCounters>; prior?: PriorDispute[]; claim?: 'NEVER_CONNECTED' | 'WRONG_DURATION' } = {}) {
  const dispute = { accountId: 'acct', claim: options.claim ?? 'NEVER_CONNECTED', openedAt: '2026-11-10T12:00:00Z', displayOffset: '-05:00', calledNumber: NUMBER, from: HOUR, to: '2026-10-27T16:00:00Z' } as const;
  const calls = options.calls ?? [call()];
  const buckets = [
    { calledNumber: NUMBER, hour: HOUR, counters: counters(options.window ?? { attempts: 40, answered: 30, userFailures: 8, networkFailures: 2 }) },
    { calledNumber: NUMBER, hour: BASELINE_HOUR, counters: options.baseline ? counters(options.baseline) : healthyBaseline },
  ];
  const input: InvestigationInput = {
    dispute,
    calls,
    destinations: destinationRanges(dispute, calls, DEFAULT_POLICY).map((r) => ({ ...r, buckets })),
    priorDisputes: options.prior ?? [],
    policy: DEFAULT_POLICY,
    generatedAt: '2026-11-10T12:00:01Z',
  };
  const rec = investigate(input);
  return { rec, codes: rec.reasons.map((r) => r.code), verdict: rec.calls[0]?.reasons[0], input };
}

describe('rule 1 and 2: billing arithmetic', () => {
  it('credits a charged unanswered call in full', () => {
    const { rec, verdict } = run({ calls: [call({ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 60 })] });
    expect(verdict).toBe('BILLED_UNANSWERED');
    expect(rec.creditAmount.amountMinor).toBe(20);
    expect(rec.outcome).toBe('CREDIT');
  });

  it('credits the excess of an overbilled call, rounded half up', () => {
    // 25 × 60/120 = 12.5 → 13 fair, 12 credited.
    const { rec, verdict } = run({ calls: [call({ talkMs: 28_000, billedSeconds: 120, charge: { amountMinor: 25, currency: 'USD' } })] });
    expect(verdict).toBe('OVERBILLED_DURATION');
    expect(rec.creditAmount.amountMinor).toBe(12);
    expect(rec.outcome).toBe('PARTIAL_CREDIT');
  });

  it('denies a correctly billed call of a WRONG_DURATION claim even at a degraded destination', () => {
    const { verdict } = run({ claim: 'WRONG_DURATION', window: { attempts: 10, answered: 4, networkFailures: 6 }, baseline: { attempts: 100, answered: 70, networkFailures: 30 } });
    expect(verdict).toBe('CALL_CONNECTED');
  });
});

describe('rule 3: network degradation', () => {
  const degraded = { attempts: 10, answered: 4, networkFailures: 6 }; // hour NER 0.4
  it.each([
    ['hour attempts 9', { attempts: 9, answered: 4, networkFailures: 5 }, { attempts: 100, answered: 90, networkFailures: 10 }, false],
    ['hour attempts 10', degraded, { attempts: 100, answered: 90, networkFailures: 10 }, true],
    ['hour NER exactly 0.50', { attempts: 10, answered: 5, networkFailures: 5 }, { attempts: 100, answered: 90, networkFailures: 10 }, false],
    ['hour NER 0.49', { attempts: 100, answered: 49, networkFailures: 51 }, { attempts: 100, answered: 90, networkFailures: 10 }, true],
    ['drop 0.29', degraded, { attempts: 100, answered: 69, networkFailures: 31 }, false],
    ['drop exactly 0.30', degraded, { attempts: 100, answered: 70, networkFailures: 30 }, true],
    ['drop 0.31', degraded, { attempts: 100, answered: 71, networkFailures: 29 }, true],
    ['no baseline', degraded, { attempts: 0 }, false],
  ])('%s → degraded %s', (_, window, baseline, expected) => {
    const { verdict } = run({ window, baseline });
    expect(verdict === 'NETWORK_DEGRADATION').toBe(expected);
  });
});

describe('rule 4: false answer supervision', () => {
  const fas = { attempts: 40, answered: 20, userFailures: 20, shortCalls: 10, ttaHistogram: [10, 10, 0, 0, 0, 0] };
  const quick = call({ ttaMs: 500, talkMs: 3000 });
  it.each([
    ['the destination test met at every threshold', fas, quick, true],
    ['answered 19', { ...fas, answered: 19, ttaHistogram: [10, 9, 0, 0, 0, 0] }, quick, false],
    ['SCR just below 0.5', { ...fas, shortCalls: 9 }, quick, false],
    ['sub-second answers just below half', { ...fas, ttaHistogram: [9, 11, 0, 0, 0, 0] }, quick, false],
    ['the call answered at exactly 1 s', fas, call({ ttaMs: 1000, talkMs: 3000 }), false],
    ['the call answered at 0.999 s', fas, call({ ttaMs: 999, talkMs: 3000 }), true],
    ['the call talking exactly 6 s', fas, call({ ttaMs: 500, talkMs: 6000 }), false],
    ['the call talking 5.999 s', fas, call({ ttaMs: 500, talkMs: 5999 }), true],
  ])('%s → suspected %s', (_, window, c, expected) => {
    const { verdict } = run({ window, calls: [c] });
    expect(verdict === 'FALSE_ANSWER_SUSPECTED').toBe(expected);
  });
});

describe('rule 5: low sample', () => {
  it.each([
    [29, 'LOW_SAMPLE'],
    [30, 'CALL_CONNECTED'],
    [31, 'CALL_CONNECTED'],
  ])('%i attempts in window and baseline → %s', (total, expected) => {
    const { rec, verdict } = run({ window: { attempts: 10, answered: 10 }, baseline: { attempts: total - 10, answered: total - 10 } });
    expect(verdict).toBe(expected);
    expect(rec.outcome).toBe(expected === 'LOW_SAMPLE' ? 'ESCALATE' : 'DENY');
  });
});

describe('evidence reasons', () => {
  it.each([
    ['29 attempts', { attempts: 29, answered: 20, userFailures: 4, networkFailures: 5 }, false],
    ['NER exactly 0.80 over 30', { attempts: 30, answered: 20, userFailures: 4, networkFailures: 6 }, true],
    ['NER just below 0.80', { attempts: 30, answered: 20, userFailures: 3, networkFailures: 7 }, false],
    ['ASR lower bound below 0.30', { attempts: 30, answered: 6, userFailures: 20, networkFailures: 4 }, false],
  ])('DESTINATION_HEALTHY with %s → %s', (_, window, expected) => {
    expect(run({ window }).codes.includes('DESTINATION_HEALTHY')).toBe(expected);
  });

  it.each([
    ['answered 19, all on the first ring', { attempts: 40, answered: 19, ttaHistogram: [0, 10, 9, 0, 0, 0] }, false],
    ['80% of 20 on the first ring', { attempts: 40, answered: 20, ttaHistogram: [0, 8, 8, 4, 0, 0] }, true],
    ['75% of 20 on the first ring', { attempts: 40, answered: 20, ttaHistogram: [0, 8, 7, 5, 0, 0] }, false],
  ])('AUTO_ATTENDANT_DETECTED with %s → %s', (_, window, expected) => {
    expect(run({ window }).codes.includes('AUTO_ATTENDANT_DETECTED')).toBe(expected);
  });

  it('UNANSWERED_NOT_CHARGED only when none of the failed attempts was charged', () => {
    const failed = (id: string, amountMinor: number) => call({ callId: id, answeredAt: null, disposition: 'BUSY', releaseCause: 17, billedSeconds: 0, charge: { amountMinor, currency: 'USD' } });
    expect(run({ calls: [call(), failed('f1', 0)] }).codes).toContain('UNANSWERED_NOT_CHARGED');
    expect(run({ calls: [call(), failed('f1', 0), failed('f2', 10)] }).codes).not.toContain('UNANSWERED_NOT_CHARGED');
  });
});

describe('customer history', () => {
  const prior = (days: number, outcome?: 'DENY' | 'CREDIT', creditedMinor?: number): PriorDispute => ({
    disputeId: `d${days}`,
    openedAt: new Date(Date.parse('2026-11-10T12:00:00Z') - days * 86_400_000).toISOString(),
    decidedOutcome: outcome,
    creditedMinor,
  });
  it.each([
    ['2 others, both denied', [prior(1, 'DENY'), prior(2, 'DENY')], false],
    ['3 others, 1 denied', [prior(1, 'DENY'), prior(2, 'CREDIT', 10), prior(3)], false],
    ['3 others, 2 denied', [prior(1, 'DENY'), prior(2, 'DENY'), prior(3)], true],
    ['3 others, one exactly 90 days before', [prior(1, 'DENY'), prior(2, 'DENY'), prior(90)], true],
    ['3 others, one 91 days before', [prior(1, 'DENY'), prior(2, 'DENY'), prior(91)], false],
  ])('REPEAT_DISPUTER with %s → %s', (_, history, expected) => {
    const { rec, codes } = run({ prior: history });
    expect(rec.flags.includes('REPEAT_DISPUTER')).toBe(expected);
    expect(codes.includes('REPEAT_DISPUTER')).toBe(expected);
    if (expected) expect(rec.goodwill.eligible).toBe(false);
  });

  it.each([
    [500, [], true],
    [501, [], false],
    [500, [prior(364, 'CREDIT', 100)], false],
    [500, [prior(366, 'CREDIT', 100)], true],
  ])('goodwill for a denied %i with history %j', (amountMinor, history, expected) => {
    const { rec, codes } = run({ calls: [call({ charge: { amountMinor, currency: 'USD' } })], prior: history });
    expect(rec.outcome).toBe('DENY');
    expect(rec.goodwill).toEqual({ eligible: expected, amountMinor: expected ? amountMinor : 0 });
    expect(codes.includes('GOODWILL_ELIGIBLE')).toBe(expected);
  });
});

describe('reproducibility and configuration', () => {
  it('gives a byte-identical recommendation for the same inputs in any order', () => {
    const calls = [call({ callId: 'a' }), call({ callId: 'b', ttaMs: 2000 }), call({ callId: 'c', answeredAt: null, disposition: 'BUSY', releaseCause: 17, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } })];
    const first = run({ calls });
    const again = investigate({ ...first.input, calls: [...calls].reverse(), destinations: first.input.destinations.map((d) => ({ ...d, buckets: [...d.buckets].reverse() })) });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first.rec));
  });

  it('shows times in the offset the dispute was opened with', () => {
    const { rec } = run();
    expect(rec.calls[0]!.startedAt).toBe('2026-10-27T10:10:00.000-05:00');
    expect(rec.calls[0]!.hour.hour).toBe(HOUR);
  });

  it('refuses changed thresholds under a released version name', () => {
    expect(() => parsePolicy({ ...DEFAULT_POLICY, lowSample: { minAttempts: 40 } })).toThrow(/new version/);
    expect(parsePolicy({ ...DEFAULT_POLICY, version: 'v2', lowSample: { minAttempts: 40 } }).lowSample.minAttempts).toBe(40);
    expect(() => parsePolicy({ ...DEFAULT_POLICY, version: 'v2', healthy: { ...DEFAULT_POLICY.healthy, minNer: 1.2 } })).toThrow();
  });
});

describe('the rules module on its own', () => {
  it("rule 4's call test is the sub-second, short call the destination's counters count", () => {
    // PRODUCT.md §4.4 says TTA < 1 s and talk < 6 s: the histogram's first edge and the short-call edge.
    expect([TTA_BIN_EDGES[0], SHORT_CALL_SECONDS]).toEqual([1, 6]);
    const shaped = call({ ttaMs: 999, talkMs: 5999 });
    expect(falseAnswerShaped(shaped)).toBe(true);
    expect(falseAnswerShaped(call({ ttaMs: 1000, talkMs: 3000 }))).toBe(false);
    expect(falseAnswerShaped(call({ ttaMs: 500, talkMs: 6000 }))).toBe(false);
    expect(falseAnswerShaped(call({ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0 }))).toBe(false);
    const [bucket] = bucketize([shaped]);
    expect([subSecondAnswers(bucket!.counters), bucket!.counters.shortCalls]).toEqual([1, 1]);
  });

  it('rules 1 and 2 give their credit, or null when they do not apply', () => {
    expect(billedUnansweredCredit(call({ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 60 }))).toBe(20);
    expect(billedUnansweredCredit(call({ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } }))).toBeNull();
    expect(billedUnansweredCredit(call())).toBeNull();
    // 25 × 60/120 = 12.5 → 13 fair, 12 credited.
    expect(overbilledCredit(call({ talkMs: 28_000, billedSeconds: 120, charge: { amountMinor: 25, currency: 'USD' } }))).toBe(12);
    expect(overbilledCredit(call({ talkMs: 28_000, billedSeconds: 60 }))).toBeNull();
  });

  it('a WRONG_DURATION claim runs rules 1 and 2 only', () => {
    const degradedHour = counters({ attempts: 10, answered: 4, networkFailures: 6 });
    const destination = { hour: degradedHour, window: degradedHour, baseline: healthyBaseline };
    expect(ruleCall(call(), 'NEVER_CONNECTED', destination, DEFAULT_POLICY)).toEqual({ verdict: 'CREDIT', creditMinor: 20, reason: 'NETWORK_DEGRADATION' });
    expect(ruleCall(call(), 'WRONG_DURATION', destination, DEFAULT_POLICY)).toEqual({ verdict: 'DENY', creditMinor: 0, reason: 'CALL_CONNECTED' });
  });
});
