// Checks of the command line, each answering in one line that names the option and says what to type instead.
// They run before the stack is looked at: a wrong command line never starts any work.
import { CalledNumber, Instant } from '../domain/cdr';
import { ValidationError } from '../domain/errors';

const EXAMPLE_INSTANT = '2026-10-26T19:00:00-05:00';

/** The one argument a command takes (a dispute id, an account, a number); refuses none or more than one. */
export function oneArgument(command: string, what: string, positionals: string[]): string {
  const [first, ...rest] = positionals;
  if (first === undefined || first === '') throw new ValidationError(what, `${command} needs ${what}: disputes ${command} ${what}`);
  if (rest.length > 0) throw new ValidationError(what, `${command} takes one ${what}; also given: ${rest.join(' ')} (quote a text with spaces)`);
  return first;
}

/** Refuses any argument: for commands that read options only. */
export function noArguments(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new ValidationError('(argument)', `${command} takes options only; not understood: ${positionals.join(' ')} (quote a text with spaces)`);
}

/** An ISO-8601 instant with an offset. */
export function instant(option: string, value: string): string {
  if (!Instant.safeParse(value).success) throw new ValidationError(option, `--${option} must be a date and time with an offset, e.g. ${EXAMPLE_INSTANT} or 2026-10-27T00:00:00Z (got "${value}")`);
  return value;
}

/** `from` before `to`, both instants, when given. */
export function period(from: string | undefined, to: string | undefined): void {
  if (from !== undefined) instant('from', from);
  if (to !== undefined) instant('to', to);
  if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)) throw new ValidationError('to', `--to (${to}) must be after --from (${from})`);
}

/**
 * A called number as ingest stores it: E.164, or an internal extension (up to 7 digits) from a feed imported with
 * --allow-extensions. Spaces, dots, dashes and brackets people write between digits are dropped.
 */
export function calledNumber(what: string, value: string): string {
  const number = value.replace(/[\s().-]/g, '');
  if (!CalledNumber.safeParse(number).success) {
    throw new ValidationError(what, `${what === '+E164' ? 'the number' : `--${what}`} must be E.164, + then the country code and number, 8-15 digits, e.g. +16145550123, or a stored extension of up to 7 digits (got "${value}")`);
  }
  return number;
}

/** A whole number in [min, max]. */
export function wholeNumber(option: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new ValidationError(option, `--${option} must be a whole number from ${min} to ${max} (got "${value}")`);
  return Number(value);
}

/** One of a few words. */
export function oneOf<const T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(option, `--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** An amount in currency units as typed ("1.20", "0"); the currency's decimals are checked once it is known. */
export function amount(option: string, value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new ValidationError(option, `--${option} must be an amount in currency units, digits and a point, e.g. 1.20 for $1.20 (got "${value}")`);
  return value;
}

/** Refuses options that mean nothing with the rest of the command line. */
export function without(values: Record<string, unknown>, options: string[], why: string): void {
  const given = options.filter((o) => values[o] !== undefined && values[o] !== false);
  if (given.length > 0) throw new ValidationError(given[0]!, `${given.map((o) => `--${o}`).join(' and ')} ${given.length === 1 ? 'does' : 'do'} not go with ${why}`);
}
