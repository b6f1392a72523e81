// The period an audit covers: whole UTC hours, at most MAX_AUDIT_DAYS.
import { Instant } from '../cdr';
import { ValidationError } from '../errors';
import { hoursBetween, utcHour } from '../statistics/connect-statistics';
import { MAX_AUDIT_DAYS } from './findings';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The default period: the previous 24 hours, on whole UTC hours. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = Date.parse(utcHour(now.getTime()));
  return { from: new Date(to - DAY_MS).toISOString(), to: new Date(to).toISOString() };
}

/**
 * The period an audit covers: `from` rounded down and `to` rounded up to whole UTC hours, because connect
 * statistics are hourly and a recount of part of an hour cannot be compared with them.
 */
export function normalisePeriod(options: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  if (options.from === undefined && options.to === undefined) return defaultPeriod(now);
  for (const field of ['from', 'to'] as const) {
    const value = options[field];
    if (value === undefined) throw new ValidationError(field === 'from' ? 'from' : 'to', 'give both from and to, or neither');
    if (!Instant.safeParse(value).success) throw new ValidationError(field, 'must be ISO-8601 with an offset');
  }
  const from = Date.parse(utcHour(options.from!));
  const to = Math.ceil(Date.parse(options.to!) / HOUR_MS) * HOUR_MS;
  if (Date.parse(options.to!) <= Date.parse(options.from!)) throw new ValidationError('to', 'must be after from');
  if (to - from > MAX_AUDIT_DAYS * DAY_MS) throw new ValidationError('to', `an audit covers at most ${MAX_AUDIT_DAYS} days`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The UTC hours of a period, in order. */
export const periodHours = (period: { from: string; to: string }): string[] => hoursBetween(period.from, period.to);
