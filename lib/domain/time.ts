// Instants shown to people in the offset the dispute was opened with; compared everywhere else as instants.

/** `instant` rewritten in `offset` (`+HH:MM`/`-HH:MM`), milliseconds kept: 2026-10-27T15:00:00Z in -05:00 → 2026-10-27T10:00:00.000-05:00. */
export function inOffset(instant: string, offset: string): string {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const shifted = new Date(Date.parse(instant) + minutes * 60_000).toISOString();
  return `${shifted.slice(0, -1)}${match ? offset : '+00:00'}`;
}

// Ingest reads every CDR's instants several times, and Date.parse and toISOString were a large share of its CPU: the
// instants a switch writes (RFC 3339: `2026-11-02T08:15:00.123-06:00`) are read and written by hand here.

const DAY_MS = 86_400_000;
/** Days in each month of a common year; February of a leap year has 29. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The value of two ASCII digits at `i`, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Epoch milliseconds of an RFC 3339 instant with seconds and a zone (`Z` or `±HH:MM`), exactly the strings the CDR
 * contract's `Instant` accepts (zod's `iso.datetime({ offset: true })`: real calendar days, hours 00-23, any number of
 * fraction digits); NaN for any other string. Equal to Date.parse wherever it is not NaN (fractions beyond
 * milliseconds are cut, as Date.parse cuts them).
 */
export function rfc3339Millis(s: string): number {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const year = century * 100 + yy;
  if (day > (month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!)) return NaN;
  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === 46) {
    // `.` and at least one digit; the first three are the milliseconds.
    const start = ++i;
    for (let c = s.charCodeAt(i) - 48; c >= 0 && c <= 9; c = s.charCodeAt(++i) - 48) {
      if (i - start < 3) millis = millis * 10 + c;
    }
    if (i === start) return NaN;
    for (let k = Math.min(i - start, 3); k < 3; k++) millis *= 10;
  }
  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90) {
    if (i + 1 !== n) return NaN;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return NaN;
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (zone === 45 ? -1 : 1) * (oh * 60 + om);
  } else return NaN;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}

// The last instant read: a CDR's item and its statistics read the same startedAt several times in a row.
let lastText = '';
let lastMillis = NaN;
/** Whether lastText is RFC 3339 as rfc3339Millis reads it. */
let lastStrict = false;

/** Date.parse, read by hand for the instants CDRs carry. */
export function instantMillis(s: string): number {
  if (s !== lastText) {
    const ms = rfc3339Millis(s);
    lastStrict = ms === ms;
    lastMillis = lastStrict ? ms : Date.parse(s);
    lastText = s;
  }
  return lastMillis;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: outside them toISOString writes six-digit years.
const FOUR_DIGIT_YEARS = [-62_167_219_200_000, 253_402_300_799_999] as const;

/** `new Date(ms).toISOString()`, written by hand for four-digit years (and throwing like it for an invalid time). */
export function isoUtc(ms: number): string {
  if (!(ms >= FOUR_DIGIT_YEARS[0] && ms <= FOUR_DIGIT_YEARS[1]) || ms !== Math.floor(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Hinnant's civil_from_days.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  return `${PAD2[Math.floor(year / 100)]}${PAD2[year % 100]}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[rest - second * 1000]}Z`;
}

/** `new Date(instant).toISOString()` for an instant string: the same text, without Date's cost for RFC 3339 input. */
export function utcIso(instant: string): string {
  const ms = instantMillis(instant);
  // Already in that form (`2026-11-02T14:15:00.123Z`, as most switches write UTC): the same text back. Only when
  // read strictly: Date.parse also takes 2026-02-30T00:00:00.000Z, which is 2026-03-02.
  return lastStrict && instant.length === 24 && instant.charCodeAt(19) === 46 && instant.charCodeAt(23) === 90 ? instant : isoUtc(ms);
}
