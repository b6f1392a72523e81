// Normalising what switches write: numbers to E.164 (libphonenumber-js, with the operator's country for national
// numbers), zone-less wall-clock stamps to instants with their offset (luxon, in the operator's IANA zone).
import { type CountryCode, Metadata, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { DateTime } from 'luxon';

/** `notNumberText`: the field holds more than a number (letters, other signs, a second number): see NUMBER_TEXT. */
export type NumberReading = { kind: 'e164' | 'extension'; value: string } | { kind: 'empty' } | { kind: 'invalid'; notNumberText?: true };

const E164 = /^\+[1-9]\d{7,14}$/;
const EXTENSION = /^[0-9*#]{1,7}$/;
/**
 * What a field must look like, as a whole, to be read as a phone number: an optional leading `+`, then ASCII digits
 * grouped by spaces, dots, dashes or brackets, and nothing else. A number inside other text (`+1 212 555 0000;DROP`,
 * `call +1 212 555 0000 now`, `tel:…`, `… ext 5`, full-width digits, letters) is not one: the direct SQS path takes
 * only E.164, so a file must not get a number out of text that path would refuse.
 */
const NUMBER_TEXT = /^\+?[ \u00a0.()-]*\d[\d \u00a0.()-]*$/;

/** Remembers up to `size` results, then starts afresh: switch files repeat numbers and minutes a lot. */
function memo<T>(size: number, compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= size) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

const numberOf = memo(50_000, (key) => {
  const [country, text] = [key.slice(0, 2).trim() || undefined, key.slice(2)];
  // `extract: false`: the whole text must be the number (libphonenumber's default finds one anywhere in a text).
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: country as CountryCode | undefined, extract: false });
  return parsed?.isValid() && E164.test(parsed.number) ? parsed.number : '';
});

/** Fewer digits than this are never a local number: PBX dial plans use such short numbers for extensions. */
export const MIN_LOCAL_DIGITS = 5;

interface DialPlan {
  /** The national (trunk) prefix: `1` in NANP, `0` in most of Europe; none where numbers are always dialled in full. */
  nationalPrefix?: string;
  /** The international (IDD) prefix, a pattern: `011` in NANP, `00` in most of Europe. */
  idd: RegExp;
}

/**
 * A country's dialling prefixes, from libphonenumber's metadata. `IDDPrefix()` is public API; `nationalPrefix()` is
 * not typed but is what the library's own parser uses (test/unit/switch-files-numbers.test.ts pins it for the
 * countries in the docs, so an upgrade that changes it fails there, not in an import).
 */
const dialPlanOf = memo(300, (country): DialPlan | undefined => {
  if (!isSupportedCountry(country)) return undefined;
  const metadata = new Metadata();
  metadata.selectNumberingPlan(country);
  const plan = metadata.numberingPlan as unknown as { IDDPrefix(): string; nationalPrefix?: () => unknown };
  const prefix = plan.nationalPrefix?.();
  return { nationalPrefix: typeof prefix === 'string' && /^\d+$/.test(prefix) ? prefix : undefined, idd: new RegExp(`^(?:${plan.IDDPrefix()})`) };
});

/** Why `--area-code` cannot be used with `country`, or undefined when it can. */
export function areaCodeProblem(country: string | undefined, areaCode: string): string | undefined {
  if (!country) return 'needs --country: the area code is read with that country\'s national prefix rules';
  const plan = dialPlanOf(country);
  if (!plan) return `${country} is not a country libphonenumber knows`;
  if (!plan.nationalPrefix) return `${country} numbers are always dialled in full (no national prefix, no local numbers): leave out --area-code`;
  if (areaCode.replace(/^0+/, '') === '') return 'must be an area code, e.g. 614 or 01524';
  return undefined;
}

/**
 * A local number (subscriber number without its area code) as E.164: the way a caller in that area would dial it,
 * national prefix + area code + the number, as libphonenumber reads it for `country`. Only digits that cannot be
 * anything else are read so: at least MIN_LOCAL_DIGITS of them, not starting with the national prefix (that is a
 * national number) or the international prefix, and only when the result is a valid number.
 */
function localNumber(text: string, country: string, areaCode: string): string {
  const plan = dialPlanOf(country);
  if (!plan?.nationalPrefix || text.startsWith('+')) return '';
  const digits = text.replace(/\D/g, '');
  if (digits.length < MIN_LOCAL_DIGITS || digits.startsWith(plan.nationalPrefix) || plan.idd.test(digits)) return '';
  const area = areaCode.startsWith(plan.nationalPrefix) ? areaCode : `${plan.nationalPrefix}${areaCode}`;
  return numberOf(`${country}${area}${digits}`);
}

/**
 * A number as E.164 when the whole field is one (a valid number for `country`, or international; spaces, dots,
 * dashes and brackets allowed), else an extension shape, else invalid: never a number found inside other text.
 * With an `areaCode` (and `country`), a number as a PBX writes local calls is read as a local number of that area
 * first (see localNumber): in Europe and NANP a number dialled without the national prefix is a local one.
 */
export function readNumber(text: string, country?: string, areaCode?: string): NumberReading {
  const t = text.trim();
  if (t === '') return { kind: 'empty' };
  if (E164.test(t)) return { kind: 'e164', value: t };
  const numberText = NUMBER_TEXT.test(t) && t.length <= 64;
  const local = numberText && country && areaCode ? localNumber(t, country, areaCode) : '';
  if (local) return { kind: 'e164', value: local };
  const e164 = numberText ? numberOf(`${(country ?? '').padEnd(2)}${t}`) : '';
  if (e164) return { kind: 'e164', value: e164 };
  if (EXTENSION.test(t)) return { kind: 'extension', value: t };
  return NUMBER_TEXT.test(t) ? { kind: 'invalid' } : { kind: 'invalid', notNumberText: true };
}

/** Why a number that should be E.164 is not, in words that say what the operator can do about it. */
export function numberProblem(reading: NumberReading, country: string | undefined, areaCode?: string): string {
  if (reading.kind === 'empty') return 'empty';
  if (reading.kind === 'extension') {
    // A number of local length is what a small PBX writes for a local call: say how to read it as one.
    const local = !areaCode && /^\d+$/.test(reading.value) && reading.value.length >= MIN_LOCAL_DIGITS;
    return `an internal extension: allowed only when the operator allows extensions (--allow-extensions)${local ? `; a local number needs ${country ? '' : '--country and '}--area-code` : ''}`;
  }
  if (reading.kind === 'invalid' && reading.notNumberText) return 'not a phone number: the field may hold only digits, spaces, dots, dashes, brackets and a leading +';
  if (!country) return 'not E.164, and no --country to read it as a national number';
  return areaCode ? `not a valid phone number, read as international, as a national number of ${country} or as a local number of area ${areaCode}` : `not a valid phone number, read as international or as a national number of ${country}`;
}

export type TimeReading = { ok: true; iso: string; seconds: boolean; time: () => DateTime } | { ok: false; reason: string };

const LOCAL = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
/** Epoch seconds, as Asterisk writes stamps for `${CDR(start,u)}` or `start(int64)`/`start(double)` mappings. */
const EPOCH = /^\d{9,10}(?:\.\d{1,6})?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export const isoOf = (time: DateTime): string => time.toISO({ suppressMilliseconds: true })!;

/**
 * A switch timestamp: ISO-8601 with an offset as written, epoch seconds, or a zone-less `YYYY-MM-DD HH:MM[:SS[.fff]]`
 * (also with `/` and one-digit fields, as FreeSWITCH writes) read as wall-clock time in `zone`. A wall-clock time
 * that a daylight-saving change skips is refused; one it repeats takes the zone's later (standard-time) offset.
 */
export function readTime(text: string, zone: string | undefined): TimeReading {
  const t = text.trim();
  if (t === '') return { ok: false, reason: 'empty' };
  if (ZONED.test(t)) {
    const time = DateTime.fromISO(t, { setZone: true });
    return time.isValid ? { ok: true, time: () => time, iso: isoOf(time), seconds: /T\d{2}:\d{2}:/.test(t) } : { ok: false, reason: 'not a valid date and time' };
  }
  if (EPOCH.test(t)) {
    // An instant already: shown in the operator's zone when given.
    const time = DateTime.fromMillis(Math.floor(Number(t) * 1000), { zone: zone ?? 'UTC' });
    return time.isValid ? { ok: true, time: () => time, iso: isoOf(time), seconds: true } : { ok: false, reason: 'not a valid date and time' };
  }
  const m = LOCAL.exec(t);
  if (!m) return { ok: false, reason: 'not a date and time: expected YYYY-MM-DD HH:MM:SS, YYYY/M/D H:MM, ISO-8601 with an offset or epoch seconds' };
  if (!zone) return { ok: false, reason: 'has no offset: name the zone it was written in with --timezone' };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (second > 59) return { ok: false, reason: 'not a valid date and time' };
  const start = minuteIn(`${zone}|${year}|${month}|${day}|${hour}|${minute}`);
  if (typeof start === 'string') return { ok: false, reason: start };
  // Offsets change on whole minutes: the minute's offset (worked out once) holds for its seconds too.
  const millisecond = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const fraction = millisecond > 0 ? `.${String(millisecond).padStart(3, '0')}` : '';
  const iso = `${start.iso.slice(0, 17)}${String(second).padStart(2, '0')}${fraction}${start.iso.slice(19)}`;
  return { ok: true, iso, seconds: m[6] !== undefined, time: () => start.time.plus({ seconds: second, milliseconds: millisecond }) };
}

/** The start of a wall-clock minute in a zone, or why there is none; luxon's zone arithmetic is the slow part. */
const minuteIn = memo(10_000, (key): { time: DateTime; iso: string } | string => {
  const [zone, ...parts] = key.split('|');
  const [year, month, day, hour, minute] = parts.map(Number) as [number, number, number, number, number];
  const time = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
  if (!time.isValid) return 'not a valid date and time';
  if (time.hour !== hour || time.minute !== minute || time.day !== day) return `does not exist in ${zone}: skipped by a daylight-saving change`;
  return { time, iso: time.toISO({ suppressMilliseconds: true }) };
});
