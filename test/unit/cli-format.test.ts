// The CLI's terminal formats and command-line checks, and money written in currency units in what people read.
import { describe, expect, it } from 'vitest';
import { type Recommendation, decide } from '../../lib/domain/disputes/dispute';
import { ValidationError } from '../../lib/domain/errors';
import { dateTimeAt, fit, signedMoney, table } from '../../lib/cli/format';
import { commandUsage } from '../../lib/cli/help';
import { amount, calledNumber, instant, oneArgument, period, wholeNumber } from '../../lib/cli/validate';

describe('table', () => {
  it('sizes columns to their widest cell, right-aligns numbers and wraps the last column within the width', () => {
    const lines = table(
      [{ header: 'When' }, { header: 'Charge', align: 'right' }, { header: 'Reasons' }],
      [
        ['10:00', '$0.15', 'Billed unanswered, Call connected, Destination healthy'],
        ['11:30', '$12.00', 'Call connected'],
      ],
      '  ',
      40,
    );
    expect(lines).toEqual([
      '  When   Charge  Reasons',
      '  10:00   $0.15  Billed unanswered, Call',
      '                 connected, Destination',
      '                 healthy',
      '  11:30  $12.00  Call connected',
    ]);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(40);
  });

  it('fits a long line under its first words', () => {
    expect(fit('    CODE: one two three four five', 2, 20)).toBe('    CODE: one two\n      three four\n      five');
    expect(fit('short', 2, 20)).toBe('short');
  });
});

describe('formats', () => {
  it('writes an instant at the dispute offset, as the console does', () => {
    expect(dateTimeAt('2026-10-27T13:04:30Z', '-05:00')).toBe('2026-10-27 08:04:30');
    expect(dateTimeAt('2026-10-27T00:30:00+01:00', '+00:00', false)).toBe('2026-10-26 23:30');
  });

  it('signs amounts in their currency', () => {
    expect(signedMoney(55, 'USD')).toBe('+$0.55');
    expect(signedMoney(-120, 'EUR')).toBe('-€1.20');
    expect(signedMoney(300, 'JPY')).toBe('+¥300');
    expect(signedMoney(0, 'USD')).toBe('$0.00');
  });
});

describe('command-line checks', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return [(error as ValidationError).field, (error as Error).message];
    }
    throw new Error('not refused');
  };

  it('names the option and says what to type', () => {
    expect(refusal(() => instant('from', '2026-10-27'))).toEqual(['from', '--from must be a date and time with an offset, e.g. 2026-10-26T19:00:00-05:00 or 2026-10-27T00:00:00Z (got "2026-10-27")']);
    expect(refusal(() => period('2026-10-28T00:00:00Z', '2026-10-27T00:00:00Z'))).toEqual(['to', '--to (2026-10-27T00:00:00Z) must be after --from (2026-10-28T00:00:00Z)']);
    expect(refusal(() => wholeNumber('limit', '101', 1, 100))).toEqual(['limit', '--limit must be a whole number from 1 to 100 (got "101")']);
    expect(refusal(() => amount('credit', '1,20'))).toEqual(['credit', '--credit must be an amount in currency units, digits and a point, e.g. 1.20 for $1.20 (got "1,20")']);
    expect(refusal(() => oneArgument('show', 'DISPUTE_ID', []))).toEqual(['DISPUTE_ID', 'show needs DISPUTE_ID: disputes show DISPUTE_ID']);
    expect(refusal(() => oneArgument('history', 'ACCOUNT', ['acct', '1']))).toEqual(['ACCOUNT', 'history takes one ACCOUNT; also given: 1 (quote a text with spaces)']);
  });

  it('reads a number written with spaces, dots or dashes as E.164, or a stored extension', () => {
    expect(calledNumber('+E164', '+1 (614) 555-0123')).toBe('+16145550123');
    expect(calledNumber('+E164', '101')).toBe('101');
    expect(refusal(() => calledNumber('number', '0614 555 0123'))[1]).toMatch(/^--number must be E\.164, .* or a stored extension of up to 7 digits \(got "0614 555 0123"\)$/);
  });
});

describe('help', () => {
  it('prints one command with its continuation lines, and nothing of the others', () => {
    const help = commandUsage('reinvestigate')!;
    expect(help.split('\n')[0]).toBe('usage:');
    expect(help).toContain('disputes reinvestigate DISPUTE_ID [--reason TEXT] [--wait-seconds N] [--json]');
    expect(help).toContain('exit status 3 when none came');
    expect(help).not.toContain('disputes show');
    expect(commandUsage('frob')).toBeUndefined();
  });
});

describe('money in messages people read', () => {
  const rec = (o: Partial<Recommendation> = {}): Recommendation => ({
    outcome: 'DENY',
    disputedAmount: { amountMinor: 30, currency: 'USD' },
    creditAmount: { amountMinor: 0, currency: 'USD' },
    calls: [],
    reasons: [],
    goodwill: { eligible: true, amountMinor: 25 },
    flags: [],
    evidence: {},
    policyVersion: 'v1',
    generatedAt: '2026-11-05T00:00:00Z',
    ...o,
  });

  it('says the disputed amount and the goodwill limit in currency units', () => {
    expect(() => decide(rec(), { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 31, currency: 'USD' }, reason: 'r' }, 'rita', '2026-11-05T01:00:00Z')).toThrow('must not exceed the disputed amount ($0.30)');
    expect(() => decide(rec(), { action: 'GOODWILL', reason: 'r', creditAmount: { amountMinor: 26, currency: 'USD' } }, 'rita', '2026-11-05T01:00:00Z')).toThrow('a goodwill credit is more than $0.00 and at most the suggested $0.25');
    const yen = rec({ disputedAmount: { amountMinor: 300, currency: 'JPY' }, creditAmount: { amountMinor: 0, currency: 'JPY' } });
    expect(() => decide(yen, { action: 'OVERRIDE', outcome: 'CREDIT', creditAmount: { amountMinor: 301, currency: 'JPY' }, reason: 'r' }, 'rita', '2026-11-05T01:00:00Z')).toThrow('must not exceed the disputed amount (¥300)');
  });
});
