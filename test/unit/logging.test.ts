// Every log line is JSON with phone numbers masked to their last 4 digits, wherever in the line they appear.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, maskPhoneNumbers } from '../../lib/logger';

describe('maskPhoneNumbers', () => {
  it.each([
    ['+16145550123', '+*******0123'],
    ['called +1 614-555-0123 at 2026-11-04T10:00:00-05:00', 'called +*******0123 at 2026-11-04T10:00:00-05:00'],
    ['(614) 555-0123', '******0123'],
    ['tel:+442079460958;ext', 'tel:+********0958;ext'],
  ])('%s → %s', (input, masked) => expect(maskPhoneNumbers(input)).toBe(masked));

  it.each(['01JC2Z8Q6S8W3X4Y5Z6A7B8C9D', '12345678-1234-1234-1234-123456789012', '2026-11-04', 'count 42 and 1234567', 'ACC-1001'])('leaves %s alone', (text) =>
    expect(maskPhoneNumbers(text)).toBe(text),
  );
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
});
