// A number field is read as a number only when the whole field is one (digits with spaces, dots, dashes, brackets
// and a leading +), exactly as the direct SQS path takes only E.164: a number inside other text is rejected, naming
// the field, and never turned into a valid CDR. Before this rule libphonenumber's extraction accepted 39 of these 50.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCdr } from '../../lib/domain/cdr';
import { type AdaptedRecord, type AdapterOptions, type FormatName, adapt } from '../../lib/adapters/switch-files/index';
import { readNumber } from '../../lib/adapters/switch-files/normalise';

const NOT_A_NUMBER = 'not a phone number: the field may hold only digits, spaces, dots, dashes, brackets and a leading +';

/** Fields that contain a valid number and something else. */
const POISON: string[] = [
  '+1 212 555 0000;DROP',
  'call +1 212 555 0000 now',
  "+12125550000'; DROP TABLE cdrs;--",
  '+12125550000 OR 1=1',
  '<script>+12125550000</script>',
  'tel:+12125550000',
  'sip:+12125550000@evil.example',
  '+12125550000@evil.example',
  'https://evil.example/+12125550000',
  '+12125550000\u0000',
  '+1 212 555 0000 ext 5',
  '+1 212 555 0000 x5',
  '+1-212-555-0000#',
  '+12125550000,+13125550100',
  '+12125550000 +13125550100',
  '+12125550000/+13125550100',
  '＋１２１２５５５００００',
  '+1 212 555 0000 ☎',
  '☎ +1 212 555 0000',
  '+1 212 555 0000\u202e',
  '+1(212)555-0000abc',
  'abc+12125550000',
  'number: +12125550000',
  '+12125550000\\n',
  '+1 212 555 0000 -- comment',
  '=HYPERLINK("+12125550000")',
  '=+12125550000',
  '@+12125550000',
  '+12125550000!',
  '+12125550000?',
  '(+1) 212 555 0000 [office]',
  '+1 212 555 0000 / fax',
  '+1 212 555 0000 and +1 212 555 0001',
  '{"n":"+12125550000"}',
  '+12125550000%00',
  '%2B12125550000',
  '+1 212 555 0000\t;rm -rf /',
  '$(+12125550000)',
  '`+12125550000`',
  '+1 212 555 0000 & echo',
  '+1 212 555 0000 | cat',
  '+12125550000 ;',
  'Alice <+12125550000>',
  '"+12125550000"',
  '+1 212 555 0000 (mobile)',
  '+1 212-555-0000 ext.12',
  '+1.212.555.0000.x',
  '+1-800-FLOWERS',
  '++12125550000',
  '+1 212 555 0000 +1',
];

/** Whole-field numbers in the groupings switches write, with their E.164 (national ones read with --country US). */
const VALID: [string, string][] = [
  ['+1 212 555 0000', '+12125550000'],
  ['(212) 555-0000', '+12125550000'],
  ['212.555.0000', '+12125550000'],
  ['+1-212-555-0000', '+12125550000'],
  ['1 (212) 555-0000', '+12125550000'],
  ['+44 20 7946 0958', '+442079460958'],
  ['011 44 20 7946 0958', '+442079460958'],
  ['+1 (614) 555-0123', '+16145550123'],
  ['  +16145550123  ', '+16145550123'],
  ['614\u00a0555\u00a00123', '+16145550123'],
];

const OPTIONS: AdapterOptions = { source: 'poison', timezone: 'America/New_York', account: 'acct-1', country: 'US' };

async function all(format: FormatName, text: string, options: AdapterOptions = OPTIONS): Promise<AdaptedRecord[]> {
  const out: AdaptedRecord[] = [];
  for await (const r of adapt(format, Readable.from([Buffer.from(text)]), options)) out.push(r);
  return out;
}

const asterisk = (o: { src?: string; dst?: string; uniqueid: string }) =>
  [
    '',
    o.src ?? '2125550100',
    o.dst ?? '6145550123',
    'default',
    '"Bob" <2125550100>',
    'SIP/a',
    'SIP/b',
    'Dial',
    'SIP/b',
    '2026-01-05 10:00:00',
    '2026-01-05 10:00:02',
    '2026-01-05 10:00:40',
    '40',
    '38',
    'ANSWERED',
    'DOCUMENTATION',
    o.uniqueid,
    '',
  ]
    .map((f) => `"${f.replace(/"/g, '""')}"`)
    .join(',');

const json = (o: { callingNumber?: string; calledNumber?: string; callId: string }) =>
  JSON.stringify({
    callId: o.callId,
    accountId: 'acct-1',
    callingNumber: o.callingNumber ?? '+12125550100',
    calledNumber: o.calledNumber ?? '+16145550123',
    startedAt: '2026-01-05T10:00:00-05:00',
    answeredAt: '2026-01-05T10:00:02-05:00',
    endedAt: '2026-01-05T10:00:40-05:00',
    disposition: 'ANSWERED',
    billedSeconds: 38,
    charge: { amountMinor: 0, currency: 'USD' },
  });

/** The poison lines interleaved with valid neighbours: poison on odd lines, valid on even ones. */
function interleaved(line: (value: string, i: number, poisoned: boolean) => string): string {
  return POISON.flatMap((p, i) => [line(p, i, true), line(VALID[i % VALID.length]![0], i, false)]).join('\n');
}

const problemsOf = (r: AdaptedRecord) => (r.result.ok ? [] : r.result.problems);

describe('a number inside other text is not a number', () => {
  it('readNumber refuses every poison field, saying why, whatever the country', () => {
    expect(POISON).toHaveLength(50);
    for (const p of POISON) {
      for (const country of ['US', undefined]) {
        const reading = readNumber(p, country);
        expect(reading, `${JSON.stringify(p)} (${country})`).toEqual({ kind: 'invalid', notNumberText: true });
      }
    }
  });

  it('readNumber still reads whole-field numbers grouped by spaces, dots, dashes and brackets', () => {
    for (const [text, e164] of VALID) expect(readNumber(text, 'US'), text).toEqual({ kind: 'e164', value: e164 });
  });

  it('the direct SQS path refuses the same values (it takes E.164 only)', () => {
    for (const p of POISON) {
      const result = parseCdr(JSON.parse(json({ callId: 'c', calledNumber: p })));
      expect(result.ok, p).toBe(false);
    }
  });

  it('Asterisk: each poison dst or src line is rejected naming its column; its valid neighbours import', async () => {
    for (const column of ['dst', 'src'] as const) {
      const records = await all('asterisk', interleaved((value, i, poisoned) => asterisk({ [column]: value, uniqueid: `${poisoned ? 'p' : 'v'}${i}` })));
      expect(records).toHaveLength(100);
      const poisoned = records.filter((_, i) => i % 2 === 0);
      const neighbours = records.filter((_, i) => i % 2 === 1);
      poisoned.forEach((r, i) => {
        expect(r.result.ok, `${column} ${JSON.stringify(POISON[i])}`).toBe(false);
        expect(problemsOf(r), `${column} ${JSON.stringify(POISON[i])}`).toContainEqual({ field: column, reason: NOT_A_NUMBER });
      });
      neighbours.forEach((r, i) => {
        if (!r.result.ok) throw new Error(`neighbour ${i} rejected: ${JSON.stringify(r.result.problems)}`);
        const expected = VALID[i % VALID.length]![1];
        expect(column === 'dst' ? r.result.cdr.calledNumber : r.result.cdr.callingNumber).toBe(expected);
      });
    }
  });

  it('JSON lines: each poison calledNumber or callingNumber is rejected naming the field; its valid neighbours import', async () => {
    for (const field of ['calledNumber', 'callingNumber'] as const) {
      const records = await all('jsonl', interleaved((value, i, poisoned) => json({ [field]: value, callId: `${poisoned ? 'p' : 'v'}${i}` })));
      expect(records).toHaveLength(100);
      records.forEach((r, i) => {
        if (i % 2 === 0) {
          expect(problemsOf(r), `${field} ${JSON.stringify(POISON[i / 2])}`).toContainEqual({ field, reason: NOT_A_NUMBER });
        } else {
          if (!r.result.ok) throw new Error(`neighbour ${i} rejected: ${JSON.stringify(r.result.problems)}`);
          expect(r.result.cdr[field]).toBe(VALID[((i - 1) / 2) % VALID.length]![1]);
        }
      });
    }
  });

  it('FreeSWITCH: a poison destination_number is rejected naming the column', async () => {
    const row = (dest: string, uuid: string) => ['Alice', '+13125550111', dest, 'default', '2020-02-11 11:13:00', '2020-02-11 11:13:05', '2020-02-11 11:14:00', '60', '55', 'NORMAL_CLEARING', uuid, '', '', 'PCMU', 'PCMU'].join(',');
    // Unquoted columns: poison without commas or quotes, which would change the row's shape instead.
    const plain = POISON.filter((p) => !/[,"]/.test(p));
    const records = await all('freeswitch', plain.flatMap((p, i) => [row(p, `p${i}`), row('+1 (614) 555-0123', `v${i}`)]).join('\n'), { ...OPTIONS, timezone: 'Asia/Shanghai' });
    expect(records).toHaveLength(plain.length * 2);
    records.forEach((r, i) => {
      if (i % 2 === 0) expect(problemsOf(r), JSON.stringify(plain[i / 2])).toContainEqual({ field: 'destination_number', reason: NOT_A_NUMBER });
      else expect(r.result.ok && r.result.cdr.calledNumber).toBe('+16145550123');
    });
  });
});
