// Structured JSON logs (Powertools logger) shared by every handler. Phone numbers never reach a log line whole:
// the JSON replacer masks every number-like run of digits in every string, whatever code logged it (messages,
// attributes, error messages and stacks included).
import { Logger } from '@aws-lambda-powertools/logger';
import { setting } from '../config';

/** Phone numbers in logs show their last 4 digits only. */
export const maskNumber = (e164: string) => `${'*'.repeat(Math.max(0, e164.length - 4))}${e164.slice(-4)}`;

// Kept as written although they are digits too: ISO-8601 dates and instants, and the AWS account id inside an ARN
// (`arn:aws:lambda:us-east-1:123456789012:function:x`) or a queue URL (`…amazonaws.com/123456789012/queue`).
const KEEP = String.raw`\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{12}(?!\d)|\bamazonaws\.com(?:\.cn)?/\d{12}(?!\d)`;
// A phone number in any form a switch, a URL or a person writes it: an optional prefix (`+`, `%2B` as URLs encode
// it, `x`; `tel:` and `sip:` end in a colon, which is no part of a number), then 8–18 digits, possibly grouped by
// spaces (also `%20`), dots, dashes or brackets, and not inside a longer identifier (ULID, UUID, hex, request id);
// after a URL escape (`tel%3A%2B1…`, `%2016…`) too.
const PHONE = String.raw`(?:(?<![\w-])|(?<=%[\dA-Fa-f]{2}))(?:\+|%2[bB]|[xX])?\(?\d(?:(?:[\s.\-()]|%20){0,2}\d){7,17}(?![\w-])`;
const KEEP_OR_PHONE = new RegExp(`(${KEEP})|${PHONE}`, 'g');

export function maskPhoneNumbers(text: string): string {
  return text.replace(KEEP_OR_PHONE, (match, kept: string | undefined) => {
    if (kept) return match;
    const prefix = /^(?:\+|%2[bB]|[xX])/.exec(match)?.[0] ?? '';
    const digits = match.slice(prefix.length).replace(/%20/g, '').replace(/\D/g, '');
    return `${prefix}${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
  });
}

export const logger = new Logger({
  serviceName: setting('POWERTOOLS_SERVICE_NAME'),
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? maskPhoneNumbers(value) : value),
});
