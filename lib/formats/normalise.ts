// Normalising what switches write: numbers to E.164 (libphonenumber-js, with the operator's country for national
// numbers), zone-less wall-clock stamps to instants with their offset (luxon, in the operator's IANA zone).
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { DateTime } from 'luxon';

export type NumberReading = { kind: 'e164' | 'extension'; value: string } | { kind: 'empty' | 'invalid' };

const E164 = /^\+[1-9]\d{7,14}$/;
const EXTENSION = /^[0-9*#]{1,7}$/;

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
  const parsed = parsePhoneNumberFromString(text, country as CountryCode | undefined);
  return parsed?.isValid() && E164.test(parsed.number) ? parsed.number : '';
});

/** A number as E.164 when it is one (a valid number for `country`, or international), else an extension shape. */
export function readNumber(text: string, country?: string): NumberReading {
  const t = text.trim();
  if (t === '') return { kind: 'empty' };
  if (E164.test(t)) return { kind: 'e164', value: t };
  const e164 = t.length <= 64 ? numberOf(`${(country ?? '').padEnd(2)}${t}`) : '';
  if (e164) return { kind: 'e164', value: e164 };
  if (EXTENSION.test(t)) return { kind: 'extension', value: t };
  return { kind: 'invalid' };
}

/** Why a number that should be E.164 is not, in words that say what the operator can do about it. */
export function numberProblem(reading: NumberReading, country: string | undefined): string {
  if (reading.kind === 'empty') return 'empty';
  if (reading.kind === 'extension') return 'an internal extension: allowed only when the operator allows extensions (--allow-extensions)';
  return country ? `not a valid phone number, read as international or as a national number of ${country}` : 'not E.164, and no --country to read it as a national number';
}

export type TimeReading = { ok: true; iso: string; seconds: boolean; time: () => DateTime } | { ok: false; reason: string };

const LOCAL = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

export const isoOf = (time: DateTime): string => time.toISO({ suppressMilliseconds: true })!;

/**
 * A switch timestamp: ISO-8601 with an offset as written, or a zone-less `YYYY-MM-DD HH:MM[:SS[.fff]]` (also with
 * `/` and one-digit fields, as FreeSWITCH writes) read as wall-clock time in `zone`. A wall-clock time that a
 * daylight-saving change skips is refused; one it repeats takes the zone's later (standard-time) offset.
 */
export function readTime(text: string, zone: string | undefined): TimeReading {
  const t = text.trim();
  if (t === '') return { ok: false, reason: 'empty' };
  if (ZONED.test(t)) {
    const time = DateTime.fromISO(t, { setZone: true });
    return time.isValid ? { ok: true, time: () => time, iso: isoOf(time), seconds: /T\d{2}:\d{2}:/.test(t) } : { ok: false, reason: 'not a valid date and time' };
  }
  const m = LOCAL.exec(t);
  if (!m) return { ok: false, reason: 'not a date and time: expected YYYY-MM-DD HH:MM:SS, YYYY/M/D H:MM or ISO-8601 with an offset' };
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
  return { time, iso: time.toISO({ suppressMilliseconds: true })! };
});
