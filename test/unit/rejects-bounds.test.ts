// Rejects are bounded whatever the input: every text within its limit, cut at a character boundary and marked.
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../lib/domain/canonical';
import { CDR_TEXT_LIMITS, parseCdr } from '../../lib/domain/cdr';
import { CUT_MARK, REJECT_LIMITS, boundRejectTexts, boundText, cutUtf8 } from '../../lib/domain/rejects/bounds';

describe('cutUtf8', () => {
  it('keeps a text within the limit whole', () => {
    expect(cutUtf8('abc', 3)).toBe('abc');
    expect(cutUtf8('é😀', 6)).toBe('é😀');
  });

  it('cuts at a character boundary, never inside a multi-byte character or a surrogate pair', () => {
    expect(cutUtf8('aé', 2)).toBe('a'); // é is 2 bytes
    expect(cutUtf8('ab😀', 5)).toBe('ab'); // 😀 is 4 bytes
    expect(cutUtf8('ab😀', 6)).toBe('ab😀');
    expect(cutUtf8('中中中', 8)).toBe('中中');
    const cut = cutUtf8('😀'.repeat(1000), 1001);
    expect(utf8Length(cut)).toBe(1000);
    expect(cut.length).toBe(500);
  });
});

describe('boundText', () => {
  it('marks a cut text and keeps it within the limit, mark included', () => {
    const { text, cut } = boundText('x'.repeat(3000), 256);
    expect(cut).toBe(true);
    expect(text.endsWith(CUT_MARK)).toBe(true);
    expect(utf8Length(text)).toBe(256);
    expect(boundText('short', 256)).toEqual({ text: 'short', cut: false });
  });
});

describe('boundRejectTexts', () => {
  it('a 3 KB source, a 450 KB raw record and 80 long problems come out within every limit, each cut named', () => {
    const raw = JSON.stringify({ callId: 'c', source: 's'.repeat(3000), junk: 'j'.repeat(450_000) });
    const problems = Array.from({ length: 80 }, (_, i) => ({ field: `f${i}${'F'.repeat(i === 0 ? 500 : 0)}`, reason: 'r'.repeat(i === 1 ? 5000 : 10) }));
    const out = boundRejectTexts({ source: 's'.repeat(3000), raw, problems, origin: { file: 'n'.repeat(5000), line: 7, messageId: 'm-1' } });
    expect(utf8Length(out.source)).toBe(REJECT_LIMITS.sourceBytes);
    expect(out.raw).toBe(raw.slice(0, REJECT_LIMITS.rawBytes));
    expect(out.problems).toHaveLength(REJECT_LIMITS.problems + 1);
    expect(out.problems.at(-1)).toEqual({ field: '(record)', reason: '30 more failing fields not kept' });
    expect(utf8Length(out.problems[0]!.field)).toBe(REJECT_LIMITS.problemFieldBytes);
    expect(utf8Length(out.problems[1]!.reason)).toBe(REJECT_LIMITS.problemReasonBytes);
    expect(out.problems[2]).toEqual({ field: 'f2', reason: 'r'.repeat(10) });
    expect(utf8Length(String(out.origin.file))).toBe(REJECT_LIMITS.originTextBytes);
    expect(out.origin.line).toBe(7);
    expect(out.truncated).toEqual(['source', 'raw', 'problems[0].field', 'problems[1].reason', 'problems', 'origin.file']);
    // The whole item stays far below DynamoDB's 400 KB.
    expect(utf8Length(JSON.stringify(out))).toBeLessThan(100_000);
  });

  it('leaves an ordinary reject as it is, and names an empty source so it can be an index key', () => {
    const input = { source: 'pbx-1', raw: '"a","b"', problems: [{ field: 'accountId', reason: 'missing' }], origin: { file: 'x.csv', line: 2 } };
    expect(boundRejectTexts(input)).toEqual({ ...input, truncated: [] });
    expect(boundRejectTexts({ ...input, source: '' }).source).toBe('(none)');
  });

  it('cuts base64 bytes at whole groups', () => {
    const out = boundRejectTexts({ source: 's', raw: 'x', rawBase64: 'QUJD'.repeat(10_000), problems: [], origin: {} });
    expect(out.rawBase64!.length % 4).toBe(0);
    expect(Buffer.from(out.rawBase64!, 'base64').length).toBeLessThanOrEqual(REJECT_LIMITS.rawBytes);
    expect(out.truncated).toEqual(['rawBase64']);
  });
});

describe('the CDR contract bounds its key and text fields', () => {
  const cdr = { callId: 'c1', source: 'sw', accountId: 'a1', callingNumber: '+13125550100', calledNumber: '+16145550123', startedAt: '2026-01-01T00:00:00Z', answeredAt: null, endedAt: '2026-01-01T00:00:10Z', disposition: 'NO_ANSWER', billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } };
  it.each([
    ['callId', CDR_TEXT_LIMITS.callId],
    ['source', CDR_TEXT_LIMITS.source],
    ['accountId', CDR_TEXT_LIMITS.accountId],
  ] as const)('%s: at most %i characters, said plainly', (field, max) => {
    expect(parseCdr({ ...cdr, [field]: 'x'.repeat(max) }).ok).toBe(true);
    expect(parseCdr({ ...cdr, [field]: 'x'.repeat(max + 1) })).toEqual({ ok: false, problems: [{ field, reason: `must be at most ${max} characters` }] });
    expect(parseCdr({ ...cdr, [field]: '' })).toEqual({ ok: false, problems: [{ field, reason: 'must not be empty' }] });
  });

  it('a key at its limit stays within DynamoDB key sizes whatever its characters', () => {
    expect(utf8Length('😀'.repeat(CDR_TEXT_LIMITS.source / 2))).toBeLessThanOrEqual(1024);
    expect(utf8Length('中'.repeat(CDR_TEXT_LIMITS.callId))).toBeLessThanOrEqual(2048);
  });
});
