import { describe, expect, it } from 'vitest';
import { type Cdr, expectedBilledSeconds, outcomeClass, parseCdr, talkSeconds, ttaSeconds } from '../../lib/domain/cdr';

const base: Cdr = {
  callId: 'c1',
  source: 'sw1',
  accountId: 'a1',
  callingNumber: '+13125550100',
  calledNumber: '+16145550123',
  startedAt: '2026-10-27T10:00:00.000-05:00',
  answeredAt: '2026-10-27T10:00:03.500-05:00',
  endedAt: '2026-10-27T10:01:05.000-05:00',
  disposition: 'ANSWERED',
  releaseCause: 16,
  billedSeconds: 120,
  charge: { amountMinor: 20, currency: 'USD' },
  billingIncrement: { minimumSeconds: 60, incrementSeconds: 60 },
};
const with_ = (o: Partial<Cdr>): Cdr => ({ ...base, ...o });

describe('CDR facts', () => {
  it('measures TTA and talk in fractional seconds across offsets', () => {
    expect(ttaSeconds(with_({ answeredAt: '2026-10-27T15:00:03.500Z' }))).toBe(3.5);
    expect(talkSeconds(base)).toBe(61.5);
    expect(ttaSeconds(with_({ answeredAt: null }))).toBeNull();
  });

  it.each([
    [{ minimumSeconds: 60, incrementSeconds: 60 }, 61.5, 120],
    [{ minimumSeconds: 60, incrementSeconds: 60 }, 60, 60],
    [{ minimumSeconds: 60, incrementSeconds: 60 }, 0.2, 60],
    [{ minimumSeconds: 30, incrementSeconds: 6 }, 31, 36],
    [{ minimumSeconds: 30, incrementSeconds: 6 }, 12, 30],
    [{ minimumSeconds: 1, incrementSeconds: 1 }, 27.1, 28],
  ])('expected billed seconds with increment %o and talk %d s is %d', (billingIncrement, talk, expected) => {
    const answeredAt = '2026-10-27T15:00:00.000Z';
    const endedAt = new Date(Date.parse(answeredAt) + talk * 1000).toISOString();
    expect(expectedBilledSeconds(with_({ startedAt: answeredAt, answeredAt, endedAt, billingIncrement }))).toBe(expected);
  });

  it('bills nothing for an unanswered call', () => {
    expect(expectedBilledSeconds(with_({ answeredAt: null }))).toBe(0);
  });

  it.each([
    [{}, 'ANSWERED'],
    [{ answeredAt: null, disposition: 'BUSY', releaseCause: 17 }, 'USER_FAILURE'],
    [{ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: undefined }, 'USER_FAILURE'],
    [{ answeredAt: null, disposition: 'CANCELLED', releaseCause: 16 }, 'CALLER_ABANDON'],
    [{ answeredAt: null, disposition: 'FAILED', releaseCause: 1 }, 'CALLER_ERROR'],
    [{ answeredAt: null, disposition: 'FAILED', releaseCause: 34 }, 'NETWORK_FAILURE'],
    [{ answeredAt: null, disposition: 'CONGESTION', releaseCause: undefined }, 'NETWORK_FAILURE'],
    [{ answeredAt: null, disposition: 'NO_ANSWER', releaseCause: 16 }, 'USER_FAILURE'],
  ] as const)('classifies %o as %s', (overrides, expected) => {
    expect(outcomeClass(with_(overrides as Partial<Cdr>))).toBe(expected);
  });

  it('flags a disposition that contradicts answer supervision, and keeps the CDR', () => {
    const parsed = parseCdr(with_({ disposition: 'NO_ANSWER' }));
    expect(parsed).toMatchObject({ ok: true, flags: ['DISPOSITION_CONFLICT'] });
  });

  it('rejects zone-less times and float money with the field named', () => {
    const parsed = parseCdr({ ...base, startedAt: '2026-10-27T10:00:00', charge: { amountMinor: 0.5, currency: 'usd' } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.field).sort()).toEqual(['charge.amountMinor', 'charge.currency', 'startedAt']);
  });
});
