// Structured JSON logs (Powertools logger) shared by every handler. Phone numbers never reach a log line whole:
// the JSON replacer masks every number-like run of digits in every string, whatever code logged it (messages,
// attributes, error messages and stacks included).
import { Logger } from '@aws-lambda-powertools/logger';

/** Phone numbers in logs show their last 4 digits only. */
export const maskNumber = (e164: string) => `${'*'.repeat(Math.max(0, e164.length - 4))}${e164.slice(-4)}`;

// Either an ISO-8601 date or instant (kept: it is digits too), or a phone number in E.164 or national format: an
// optional +, then 8–15 digits, possibly grouped by spaces, dots, dashes or brackets, not inside an identifier.
const DATE_OR_PHONE = /(\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)|(?<![\w-])\+?\(?\d(?:[\s.\-()]{0,2}\d){7,14}(?![\w-])/g;

export function maskPhoneNumbers(text: string): string {
  return text.replace(DATE_OR_PHONE, (match, date: string | undefined) => {
    if (date) return match;
    const digits = match.replace(/\D/g, '');
    return `${match.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
  });
}

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dispute-pipeline',
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? maskPhoneNumbers(value) : value),
});
