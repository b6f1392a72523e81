// Every log line is JSON with phone numbers masked to their last 4 digits, wherever in the line they appear.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, maskPhoneNumbers } from '../../lib/adapters/logger';

/** Every form a phone number reaches a log in, with its masked form: the prefix stays, the last 4 digits stay. */
const NUMBERS: [string, string][] = [
  ['+16145550123', '+*******0123'],
  ['called +1 614-555-0123 at 2026-11-04T10:00:00-05:00', 'called +*******0123 at 2026-11-04T10:00:00-05:00'],
  ['(614) 555-0123', '******0123'],
  ['+1 (614) 555-0123', '+*******0123'],
  ['+1 614 555 0123', '+*******0123'],
  ['+1.614.555.0123', '+*******0123'],
  ['1-614-555-0123', '*******0123'],
  ['16145550123', '*******0123'],
  ['%2B16145550123', '%2B*******0123'],
  ['%2b1%20614%20555%200123', '%2b*******0123'],
  ['/v1/numbers/%2B16145550123/stats?from=2026-11-04T00:00:00Z', '/v1/numbers/%2B*******0123/stats?from=2026-11-04T00:00:00Z'],
  ['tel%3A%2B16145550123', 'tel%3A%2B*******0123'],
  ['x16145550123', 'x*******0123'],
  ['tel:+442079460958;ext', 'tel:+********0958;ext'],
  ['tel:16145550123', 'tel:*******0123'],
  ['sip:+16145550123@pbx.example.com', 'sip:+*******0123@pbx.example.com'],
  ['sip:16145550123@10.0.0.1', 'sip:*******0123@10.0.0.1'],
  ['12345678', '****5678'],
  ['+1234567890123456', '+************3456'],
  ['123456789012345678', '**************5678'],
  ['+123 4567 8901 2345 678', '+**************5678'],
];

/** Digits that are not phone numbers: identifiers and times the logs must keep whole. */
const NOT_NUMBERS = [
  'arn:aws:lambda:us-east-1:123456789012:function:x',
  'arn:aws:iam::123456789012:role/ingest-cdrs',
  'arn:aws:sqs:us-east-1:123456789012:t1-cdr-ingest-dlq',
  'https://sqs.us-east-1.amazonaws.com/123456789012/cdr-ingest',
  '01JC2Z8Q6S8W3X4Y5Z6A7B8C9D',
  '01K9ZQ3M5X1234567890ABCDEF',
  '12345678-1234-1234-1234-123456789012',
  'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  '1-5759e988-bd862e3fe1be46a994272793',
  'JCIM4jZaoAMEPfA=',
  '2026-11-04',
  '2026-11-04T10:00:00-05:00',
  '2026-11-04T15:00:00.123Z',
  'count 42 and 1234567',
  'ACC-1001',
  '0x4294967295',
];

describe('maskPhoneNumbers', () => {
  it.each(NUMBERS)('%s → %s', (input, masked) => expect(maskPhoneNumbers(input)).toBe(masked));

  it.each(NOT_NUMBERS)('leaves %s alone', (text) => expect(maskPhoneNumbers(text)).toBe(text));

  it('leaves a longer run of digits (19) alone: no number has that many', () => expect(maskPhoneNumbers('1234567890123456789')).toBe('1234567890123456789'));
});

describe('log lines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('SILENT');
  });

  it('mask numbers in the message, attributes, nested values and errors, and stay one JSON object per line', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    logger.setLogLevel('INFO');
    logger.appendKeys({ correlationId: 'req-1' });
    logger.info('call to +16145550123 rejected', { cdr: { callingNumber: '+13125550188', calledNumber: '+16145550123' }, numbers: ['+18005550199'] });
    logger.error('failed', { error: new Error('no route to +18005550199') });
    logger.removeKeys(['correlationId']);
    const text = lines.join('');
    expect(text).not.toMatch(/\d{5,}0123|5550188|5550199/);
    const parsed = text.trim().split('\n').map((line) => JSON.parse(line));
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 'INFO', message: 'call to +*******0123 rejected', correlationId: 'req-1', cdr: { callingNumber: '+*******0188' } });
    expect(parsed[1].error.message).toBe('no route to +*******0199');
  });

  it('mask every form of a number in real log lines and keep identifiers whole', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    logger.setLogLevel('INFO');
    for (const [input] of NUMBERS) logger.info(input, { value: input, nested: [{ value: input }] });
    logger.info('identifiers', { values: NOT_NUMBERS, functionArn: NOT_NUMBERS[0] });
    logger.error('failed', { error: new Error('no route to %2B16145550123 from x13125550188 via arn:aws:lambda:us-east-1:123456789012:function:x') });
    const parsed = lines.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(NUMBERS.length + 2);
    NUMBERS.forEach(([, masked], i) => expect(parsed[i]).toMatchObject({ message: masked, value: masked, nested: [{ value: masked }] }));
    expect(parsed[NUMBERS.length]).toMatchObject({ values: NOT_NUMBERS, functionArn: NOT_NUMBERS[0] });
    expect((parsed[NUMBERS.length + 1]!.error as { message: string }).message).toBe('no route to %2B*******0123 from x*******0188 via arn:aws:lambda:us-east-1:123456789012:function:x');
    expect(lines.join('')).not.toMatch(/5550123|5550188|6145550|%2B1614/);
  });
});
