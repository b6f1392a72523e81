// Local numbers with --area-code: read with the country's national and international prefixes (libphonenumber's
// metadata), never out of an extension or a national or international number.
import { describe, expect, it } from 'vitest';
import { MIN_LOCAL_DIGITS, areaCodeProblem, numberProblem, readNumber } from '../../lib/adapters/switch-files/normalise';
import { CalledNumber } from '../../lib/domain/cdr';

describe('readNumber with an area code', () => {
  it.each([
    // NANP: trunk prefix 1, international prefix 011, 7-digit local numbers
    ['US', '614', '5550147', '+16145550147'],
    ['US', '614', '555-0147', '+16145550147'],
    ['US', '614', '6145550199', '+16145550199'], // 10-digit dialling: national, not a local number of 614
    ['US', '614', '16145550100', '+16145550100'], // trunk prefix + 10 digits
    ['US', '614', '3125550100', '+13125550100'], // another area, dialled in full
    ['US', '614', '011441614960000', '+441614960000'], // international prefix
    ['US', '1614', '5550147', '+16145550147'], // the area code written with the trunk prefix
    // GB: trunk prefix 0, international prefix 00, 6-digit local numbers in a 5-digit area code
    ['GB', '01524', '960123', '+441524960123'],
    ['GB', '1524', '960123', '+441524960123'],
    ['GB', '01524', '01614960000', '+441614960000'], // national: starts with the trunk prefix
    ['GB', '01524', '0012125550123', '+12125550123'], // international
    ['GB', '01524', '+44 1524 960123', '+441524960123'],
    // DE and FR: trunk prefix 0
    ['DE', '030', '1234567', '+49301234567'],
    ['DE', '30', '1234567', '+49301234567'],
    ['DE', '030', '0891234567', '+49891234567'], // a Munich number dialled from Berlin is national
    ['FR', '01', '12345678', '+33112345678'],
  ])('%s area %s: %s → %s', (country, areaCode, text, e164) => {
    expect(readNumber(text, country, areaCode)).toEqual({ kind: 'e164', value: e164 });
  });

  it(`keeps fields of fewer than ${MIN_LOCAL_DIGITS} digits as extensions, even where the area makes them a valid number`, () => {
    // 030 100 would be a valid Berlin number for libphonenumber: a PBX's extension 100 must not become one.
    expect(readNumber('100', 'DE', '030')).toEqual({ kind: 'extension', value: '100' });
    expect(readNumber('2001', 'DE', '030')).toEqual({ kind: 'extension', value: '2001' });
    expect(readNumber('600', 'GB', '01524')).toEqual({ kind: 'extension', value: '600' });
    expect(readNumber('*97', 'US', '614')).toEqual({ kind: 'extension', value: '*97' });
  });

  it('a local-length number that makes no valid number with the area stays what it was', () => {
    expect(readNumber('123456', 'US', '614')).toEqual({ kind: 'extension', value: '123456' }); // NANP locals are 7 digits
    expect(readNumber('1234567', 'US', '614')).toEqual({ kind: 'extension', value: '1234567' }); // starts with the trunk prefix
    expect(readNumber('555 0147 99', 'US', '614')).toEqual({ kind: 'invalid' });
  });

  it('without an area code, a local number is an extension shape, and the reason says how to read it', () => {
    const reading = readNumber('960123', 'GB');
    expect(reading).toEqual({ kind: 'extension', value: '960123' });
    expect(numberProblem(reading, 'GB')).toBe('an internal extension: allowed only when the operator allows extensions (--allow-extensions); a local number needs --area-code');
    expect(numberProblem(readNumber('960123'), undefined)).toBe('an internal extension: allowed only when the operator allows extensions (--allow-extensions); a local number needs --country and --area-code');
    // A short extension gets no such hint.
    expect(numberProblem(readNumber('600', 'GB'), 'GB')).toBe('an internal extension: allowed only when the operator allows extensions (--allow-extensions)');
    expect(numberProblem(readNumber('555 0147 99', 'US', '614'), 'US', '614')).toBe('not a valid phone number, read as international, as a national number of US or as a local number of area 614');
  });

  it('never reads a number out of other text', () => {
    expect(readNumber('960123;DROP', 'GB', '01524')).toEqual({ kind: 'invalid', notNumberText: true });
    expect(readNumber('tel:960123', 'GB', '01524')).toEqual({ kind: 'invalid', notNumberText: true });
  });
});

describe('areaCodeProblem', () => {
  it('needs a country with a national prefix', () => {
    expect(areaCodeProblem(undefined, '614')).toMatch(/^needs --country/);
    expect(areaCodeProblem('US', '614')).toBeUndefined();
    expect(areaCodeProblem('GB', '01524')).toBeUndefined();
    expect(areaCodeProblem('DE', '030')).toBeUndefined();
    expect(areaCodeProblem('FR', '01')).toBeUndefined();
    // Spain and Italy dial every number in full: there is no local number to complete.
    expect(areaCodeProblem('ES', '91')).toBe('ES numbers are always dialled in full (no national prefix, no local numbers): leave out --area-code');
    expect(areaCodeProblem('IT', '06')).toMatch(/^IT numbers are always dialled in full/);
    expect(areaCodeProblem('GB', '0')).toBe('must be an area code, e.g. 614 or 01524');
  });
});

describe('CalledNumber: what statistics and disputes accept', () => {
  it('is exactly what ingest may store as a destination', () => {
    for (const ok of ['+16145550123', '+441524960000', '600', '*97', '#1', '1234567']) expect(CalledNumber.safeParse(ok).success).toBe(true);
    for (const bad of ['12345678', '6145550123', '+0123456789', '', 'abc', '+1 614 555 0123']) expect(CalledNumber.safeParse(bad).success).toBe(false);
  });
});
