// The exact customer-facing message of every reason code (PRODUCT.md §4.5), from realistic evidence: one and many
// calls, money in US dollars, euros and yen (integer minor units), numbers written for people.
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../lib/domain/disputes/dispute';
import type { CallsEvidence, DestinationEvidence, StatsEvidence } from '../../lib/domain/investigation/evidence';
import { describeReason, formatMoney, formatNumber } from '../../lib/domain/investigation/explain';
import { ratio } from '../../lib/domain/statistics/connect-statistics';

const LOTTERY = '+16145550123';
const LONDON = '+442071838750';
const TOKYO = '+81312345678';

const calls = (over: Partial<CallsEvidence> = {}): CallsEvidence => ({
  calls: 1,
  of: 1,
  creditMinor: 0,
  currency: 'USD',
  callIds: ['sw1-0001'],
  calledNumbers: [LOTTERY],
  ...over,
});

const window = (over: Partial<StatsEvidence> = {}): StatsEvidence => ({
  from: '2026-10-26T19:00:00.000-05:00',
  to: '2026-11-05T19:00:00.000-05:00',
  attempts: 1456,
  answered: 801,
  asr: ratio(801, 1456),
  ner: ratio(1427, 1456),
  scr: ratio(12, 801),
  acdSeconds: 41.5,
  ttaHistogram: { '[0,1)': 1, '[1,3)': 620, '[3,6)': 164, '[6,12)': 16, '[12,24)': 0, '[24,inf)': 0 },
  ...over,
});

const destination = (over: Partial<DestinationEvidence> = {}): DestinationEvidence => ({
  calledNumber: LOTTERY,
  window: window(),
  accountAttempts: { total: 40, answered: 22, charged: 22, uncharged: 18, failed: 18, failedCharged: 0 },
  firstRingAnswers: ratio(784, 801),
  ...over,
});

describe('formatting', () => {
  it('writes numbers in international format and money in its currency', () => {
    expect(formatNumber(LOTTERY)).toBe('+1 614 555 0123');
    expect(formatNumber(LONDON)).toBe('+44 20 7183 8750');
    expect(formatNumber(TOKYO)).toBe('+81 3 1234 5678');
    expect(formatNumber(undefined)).toBe('the number');
    expect(formatMoney(220, 'USD')).toBe('$2.20');
    expect(formatMoney(123456, 'EUR')).toBe('€1,234.56');
    expect(formatMoney(300, 'JPY')).toBe('¥300');
  });
});

describe('the message of each reason code', () => {
  it('BILLED_UNANSWERED', () => {
    expect(describeReason('BILLED_UNANSWERED', calls({ creditMinor: 60 }))).toBe(
      'Your call to +1 614 555 0123 never connected but was charged; the $0.60 charged for them is credited in full.',
    );
    expect(describeReason('BILLED_UNANSWERED', calls({ calls: 3, of: 40, creditMinor: 45, callIds: ['a', 'b', 'c'] }))).toBe(
      '3 of your 40 calls to +1 614 555 0123 never connected but were charged; the $0.45 charged for them is credited in full.',
    );
    expect(describeReason('BILLED_UNANSWERED', calls({ calls: 2, of: 2, creditMinor: 1250, currency: 'EUR', callIds: ['a', 'b'], calledNumbers: [LOTTERY, LONDON] }))).toBe(
      'All 2 of your calls to 2 numbers never connected but were charged; the €12.50 charged for them is credited in full.',
    );
  });

  it('OVERBILLED_DURATION', () => {
    expect(describeReason('OVERBILLED_DURATION', calls({ of: 4, creditMinor: 48, currency: 'EUR', calledNumbers: [LONDON] }))).toBe(
      '1 of your 4 calls to +44 20 7183 8750 was billed for longer than the talk time and the billing increment allow; the excess of €0.48 is credited.',
    );
    expect(describeReason('OVERBILLED_DURATION', calls({ calls: 1200, of: 1200, creditMinor: 98_000, currency: 'JPY', calledNumbers: [TOKYO] }))).toBe(
      'All 1,200 of your calls to +81 3 1234 5678 were billed for longer than the talk time and the billing increment allow; the excess of ¥98,000 is credited.',
    );
  });

  it('NETWORK_DEGRADATION', () => {
    const hours = [
      { hour: '2026-10-29T10:00:00.000+01:00', attempts: 24, ner: ratio(6, 24) },
      { hour: '2026-10-29T11:00:00.000+01:00', attempts: 1300, ner: ratio(400, 1300) },
    ];
    expect(describeReason('NETWORK_DEGRADATION', { ...calls({ calls: 2, of: 5, creditMinor: 80, currency: 'EUR', calledNumbers: [LONDON] }), hours, baselineNer: ratio(930, 1000) })).toBe(
      '2 of your 5 calls to +44 20 7183 8750 connected during hours when the network to that number was failing: 10:00 (25% of 24 attempts reached the far end), 11:00 (31% of 1,300 attempts reached the far end) (times at UTC+01:00), against 93% in the week before. €0.80 is credited.',
    );
    expect(describeReason('NETWORK_DEGRADATION', { ...calls({ creditMinor: 40 }), hours: [{ hour: '2026-10-29T04:00:00.000-05:00', attempts: 12, ner: ratio(3, 12) }], baselineNer: ratio(95, 100) })).toBe(
      'Your call to +1 614 555 0123 connected during hours when the network to that number was failing: 04:00 (25% of 12 attempts reached the far end) (times at UTC-05:00), against 95% in the week before. $0.40 is credited.',
    );
  });

  it('FALSE_ANSWER_SUSPECTED', () => {
    const destinationFigures = { destinationAnswered: 530, destinationScr: ratio(480, 530), subSecondAnswers: ratio(412, 530) };
    expect(describeReason('FALSE_ANSWER_SUSPECTED', { ...calls({ calls: 3, of: 3, creditMinor: 300, currency: 'JPY', calledNumbers: [TOKYO] }), ...destinationFigures })).toBe(
      'All 3 of your calls to +81 3 1234 5678 were "answered" in under a second and lasted only a few seconds, as 78% of the 530 answered calls to that number were: the far end signals an answer without a person or service picking up (false answer supervision). ¥300 is credited.',
    );
    expect(describeReason('FALSE_ANSWER_SUSPECTED', { ...calls({ of: 7, creditMinor: 100 }), ...destinationFigures })).toBe(
      '1 of your 7 calls to +1 614 555 0123 were "answered" in under a second and lasted only a few seconds, as 78% of the 530 answered calls to that number were: the far end signals an answer without a person or service picking up (false answer supervision). $1.00 is credited.',
    );
  });

  it('LOW_SAMPLE', () => {
    expect(describeReason('LOW_SAMPLE', { ...calls(), windowAttempts: 4, baselineAttempts: 7, minAttempts: 30 })).toBe(
      'Your call to +1 614 555 0123 went to a number with only 11 calls from anyone in the period and the week before (30 are needed to judge how it connects); a reviewer should decide.',
    );
    expect(describeReason('LOW_SAMPLE', { ...calls({ calls: 5, of: 5 }), windowAttempts: 6, baselineAttempts: 0, minAttempts: 30 })).toBe(
      'All 5 of your calls to +1 614 555 0123 went to a number with only 6 calls from anyone in the period and the week before (30 are needed to judge how it connects); a reviewer should decide.',
    );
  });

  it('CALL_CONNECTED', () => {
    expect(describeReason('CALL_CONNECTED', calls({ calls: 22, of: 40 }))).toBe('22 of your 40 calls to +1 614 555 0123 connected: the far end answered and each was billed for its talk time.');
    expect(describeReason('CALL_CONNECTED', calls())).toBe('Your call to +1 614 555 0123 connected: the far end answered and each was billed for its talk time.');
  });

  it('UNANSWERED_NOT_CHARGED', () => {
    expect(describeReason('UNANSWERED_NOT_CHARGED', destination())).toBe('18 of your 40 calls to +1 614 555 0123 did not connect, and none of them was charged.');
    expect(describeReason('UNANSWERED_NOT_CHARGED', destination({ calledNumber: LONDON, accountAttempts: { total: 1, answered: 0, charged: 0, uncharged: 1, failed: 1, failedCharged: 0 } }))).toBe(
      '1 of your 1 calls to +44 20 7183 8750 did not connect, and none of them was charged.',
    );
  });

  it('DESTINATION_HEALTHY', () => {
    expect(describeReason('DESTINATION_HEALTHY', destination())).toBe(
      "Across all callers, 55% (95% interval 52%-58%) of the 1,456 calls to +1 614 555 0123 in the period connected, and 98% reached the far end's phone or service: the network to it was working.",
    );
  });

  it('AUTO_ATTENDANT_DETECTED', () => {
    expect(describeReason('AUTO_ATTENDANT_DETECTED', destination())).toBe(
      '+1 614 555 0123 answered within 1-6 seconds on 98% of its 801 answered calls: a recorded service that picks up on the first ring, so a call that "just rang once" did connect.',
    );
  });

  it('INSUFFICIENT_DATA', () => {
    expect(describeReason('INSUFFICIENT_DATA', { accountId: 'acct-lotto-fan', calledNumber: LOTTERY, from: '2026-10-26T19:00:00-05:00', to: '2026-11-05T19:00:00-05:00' })).toBe(
      'No call records for this account to +1 614 555 0123 in the disputed period have arrived yet; a reviewer should decide, or re-investigate once they arrive.',
    );
    expect(describeReason('INSUFFICIENT_DATA', { accountId: 'acct-lotto-fan', calledNumber: undefined, from: undefined, to: undefined })).toBe(
      'No call records for this account in the disputed period have arrived yet; a reviewer should decide, or re-investigate once they arrive.',
    );
  });

  it('REPEAT_DISPUTER', () => {
    expect(describeReason('REPEAT_DISPUTER', { disputesInLookback: 4, deniedInLookback: 2, lookbackDays: 90, creditedInLast365Days: false })).toBe(
      'This account opened 4 other disputes in the last 90 days, 2 of them denied.',
    );
  });

  it('GOODWILL_ELIGIBLE', () => {
    expect(describeReason('GOODWILL_ELIGIBLE', { amountMinor: 220, currency: 'USD', limitMinor: 500 })).toBe(
      'The records do not support a credit, but a goodwill credit of $2.20 is within policy if the reviewer chooses.',
    );
    expect(describeReason('GOODWILL_ELIGIBLE', { amountMinor: 450, currency: 'JPY', limitMinor: 500 })).toBe(
      'The records do not support a credit, but a goodwill credit of ¥450 is within policy if the reviewer chooses.',
    );
  });

  it('covers every reason code', () => {
    const tested = ['BILLED_UNANSWERED', 'OVERBILLED_DURATION', 'NETWORK_DEGRADATION', 'FALSE_ANSWER_SUSPECTED', 'LOW_SAMPLE', 'CALL_CONNECTED', 'UNANSWERED_NOT_CHARGED', 'DESTINATION_HEALTHY', 'AUTO_ATTENDANT_DETECTED', 'INSUFFICIENT_DATA', 'REPEAT_DISPUTER', 'GOODWILL_ELIGIBLE'];
    expect([...tested].sort()).toEqual([...REASON_CODES].sort());
  });
});
