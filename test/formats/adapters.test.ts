// The format adapters on their own: column orders and quirks of each switch, numbers, zones, causes and rating.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type AdaptedRecord, type AdapterOptions, type FormatName, adapt, adaptText, detectFormat } from '../../lib/adapters/switch-files/index';
import { readNumber, readTime } from '../../lib/adapters/switch-files/normalise';
import { billedSecondsFor, chargeFor } from '../../lib/adapters/switch-files/pbx';
import { MAX_RECORD_BYTES, rawRecords } from '../../lib/adapters/switch-files/records';
import { ROOT } from '../../lib/config';

const SAMPLES = join(ROOT, 'test', 'fixtures', 'cdr-samples');

async function all(format: FormatName, input: string | Buffer | NodeJS.ReadableStream, options: AdapterOptions = {}): Promise<AdaptedRecord[]> {
  const stream = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([Buffer.from(input)]) : (input as AsyncIterable<Buffer>);
  const out: AdaptedRecord[] = [];
  for await (const r of adapt(format, stream as AsyncIterable<Buffer>, options)) out.push(r);
  return out;
}
const ok = (r: AdaptedRecord | undefined) => {
  if (!r?.result.ok) throw new Error(`not accepted: ${JSON.stringify(r?.result)}`);
  return r.result.cdr;
};
const problems = (r: AdaptedRecord | undefined) => (r && !r.result.ok ? r.result.problems : []);

describe('numbers', () => {
  it('reads international and national numbers into E.164 and tells extensions from garbage', () => {
    expect(readNumber('+16145550123')).toEqual({ kind: 'e164', value: '+16145550123' });
    expect(readNumber('(614) 555-0123', 'US')).toEqual({ kind: 'e164', value: '+16145550123' });
    expect(readNumber('011 44 20 7946 0958', 'US')).toEqual({ kind: 'e164', value: '+442079460958' });
    expect(readNumber('020 7946 0958', 'GB')).toEqual({ kind: 'e164', value: '+442079460958' });
    expect(readNumber('6145550123')).toEqual({ kind: 'invalid' }); // national, but no country to read it with
    expect(readNumber('1002', 'US')).toEqual({ kind: 'extension', value: '1002' });
    expect(readNumber('*97')).toEqual({ kind: 'extension', value: '*97' });
    expect(readNumber('&')).toEqual({ kind: 'invalid', notNumberText: true });
    expect(readNumber('  ')).toEqual({ kind: 'empty' });
  });
});

describe('times', () => {
  it('reads zone-less wall-clock stamps in the operator’s zone and keeps their offset', () => {
    expect(readTime('2026-07-01 09:00:00', 'America/Chicago')).toMatchObject({ ok: true, iso: '2026-07-01T09:00:00-05:00', seconds: true });
    expect(readTime('2026-01-01 09:00:00', 'America/Chicago')).toMatchObject({ ok: true, iso: '2026-01-01T09:00:00-06:00' });
    expect(readTime('2020/2/10 22:41', 'Asia/Shanghai')).toMatchObject({ ok: true, iso: '2020-02-10T22:41:00+08:00', seconds: false });
    expect(readTime('2026-07-01 09:00:00.250', 'UTC')).toMatchObject({ ok: true, iso: '2026-07-01T09:00:00.250Z' });
    expect(readTime('2026-07-01T09:00:00+02:00', undefined)).toMatchObject({ ok: true, iso: '2026-07-01T09:00:00+02:00' });
  });

  it('refuses what cannot be an instant, saying why', () => {
    expect(readTime('2026-07-01 09:00:00', undefined)).toEqual({ ok: false, reason: 'has no offset: name the zone it was written in with --timezone' });
    expect(readTime('2026-03-08 02:30:00', 'America/Chicago')).toEqual({ ok: false, reason: 'does not exist in America/Chicago: skipped by a daylight-saving change' });
    expect(readTime('2026-02-30 10:00:00', 'UTC')).toEqual({ ok: false, reason: 'not a valid date and time' });
    expect(readTime('yesterday', 'UTC')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a date and time/) });
    // The hour a fall-back change repeats takes standard time.
    expect(readTime('2026-11-01 01:30:00', 'America/Chicago')).toMatchObject({ ok: true, iso: '2026-11-01T01:30:00-06:00' });
  });
});

describe('rating', () => {
  it('applies the billing increment to talk time and charges whole minor units, half up', () => {
    expect(billedSecondsFor(0, { minimumSeconds: 60, incrementSeconds: 60 })).toBe(0);
    expect(billedSecondsFor(1, { minimumSeconds: 60, incrementSeconds: 60 })).toBe(60);
    expect(billedSecondsFor(61, { minimumSeconds: 60, incrementSeconds: 60 })).toBe(120);
    expect(billedSecondsFor(31, { minimumSeconds: 30, incrementSeconds: 6 })).toBe(36);
    expect(billedSecondsFor(7, { minimumSeconds: 1, incrementSeconds: 1 })).toBe(7);
    expect(chargeFor(10, 120)).toBe(20);
    expect(chargeFor(1, 30)).toBe(1); // 0.5 rounds up
    expect(chargeFor(1, 29)).toBe(0);
  });
});

describe('record framing', () => {
  const frame = async (text: string | Buffer, quoted = true) => {
    const out = [];
    for await (const r of rawRecords(Readable.from([Buffer.from(text)]), { quoted })) out.push({ line: r.line, text: r.text, utf8: r.utf8, oversize: r.oversize });
    return out;
  };

  it('gives line numbers, skips blank lines, takes CRLF, a BOM and a last line without newline', async () => {
    expect(await frame('\uFEFFa,b\r\n\r\n  \nc,d')).toEqual([
      { line: 1, text: 'a,b', utf8: true, oversize: undefined },
      { line: 4, text: 'c,d', utf8: true, oversize: undefined },
    ]);
  });

  it('keeps a quoted field that spans lines in one record, but a stray quote costs only its own line', async () => {
    expect((await frame('"a\nb",c\nd,e\n')).map((r) => [r.line, r.text])).toEqual([
      [1, '"a\nb",c'],
      [3, 'd,e'],
    ]);
    const lines = ['x,"open', ...Array.from({ length: 30 }, (_, i) => `ok,${i}`)];
    const framed = await frame(lines.join('\n'));
    expect(framed).toHaveLength(31);
    expect(framed[0]).toMatchObject({ line: 1, text: 'x,"open' });
    expect(framed[30]).toMatchObject({ line: 31, text: 'ok,29' });
  });

  it('cuts an oversize line, keeping its start, without holding it', async () => {
    const [big, next] = await frame(`${'x'.repeat(MAX_RECORD_BYTES * 3)}\nafter\n`);
    expect(big).toMatchObject({ line: 1, oversize: MAX_RECORD_BYTES * 3 });
    expect(big!.text.length).toBe(4096);
    expect(next).toMatchObject({ line: 2, text: 'after' });
  });

  it('marks bytes that are not UTF-8', async () => {
    const [r] = await frame(Buffer.from([0x61, 0xff, 0x62]));
    expect(r).toMatchObject({ text: 'a\uFFFDb', utf8: false });
  });
});

describe('detecting the format', () => {
  it('tells JSON lines, Asterisk (18 and 21 columns) and FreeSWITCH from the first line', () => {
    expect(detectFormat('\n{"callId":"x"}\n')).toBe('jsonl');
    expect(detectFormat('[{"callId":"x"}]')).toBe('jsonl');
    expect(detectFormat(`${'"",'.repeat(17)}""`)).toBe('asterisk');
    expect(detectFormat(`${'"",'.repeat(20)}""`)).toBe('asterisk');
    expect(detectFormat(`${','.repeat(14)}`)).toBe('freeswitch');
    expect(detectFormat('a,b,c')).toBeUndefined();
  });
});

describe('Asterisk cdr_csv', () => {
  const PBX: AdapterOptions = { source: 'pbx-1', timezone: 'America/New_York', account: 'acct-1', country: 'US' };
  const row = (o: Partial<Record<string, string>> = {}) => {
    const r = { accountcode: '', src: '2125550100', dst: '6145550123', clid: '"Bob" <2125550100>', start: '2026-01-05 10:00:00', answer: '2026-01-05 10:00:02', end: '2026-01-05 10:00:40', duration: '40', billsec: '38', disposition: 'ANSWERED', uniqueid: '1767600000.1', ...o };
    return [r.accountcode, r.src, r.dst, 'default', r.clid, 'SIP/a', 'SIP/b', 'Dial', 'SIP/b', r.start, r.answer, r.end, r.duration, r.billsec, r.disposition, 'DOCUMENTATION', r.uniqueid, ''].map((f) => `"${f.replace(/"/g, '""')}"`).join(',');
  };

  it('reads the 18-column sample file, rejecting what it cannot say and why', async () => {
    const records = await all('asterisk', createReadStream(join(SAMPLES, 'asterisk-master-18col.csv')), { timezone: 'UTC' });
    expect(records.map((r) => r.line)).toEqual([1, 2]);
    expect(problems(records[0]).map((p) => p.field)).toEqual(['source', 'accountId', 'src', 'dst']);
  });

  it('maps columns, dispositions and unanswered calls; the header line, if any, is not a record', async () => {
    const header = 'accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,uniqueid,userfield';
    const records = await all('asterisk', [header, row(), row({ uniqueid: '2', answer: '', billsec: '0', disposition: 'NO ANSWER' }), row({ uniqueid: '3', answer: '0000-00-00 00:00:00', billsec: '0', disposition: 'CANCEL' })].join('\n'), PBX);
    expect(records.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(ok(records[0])).toEqual({
      callId: '1767600000.1',
      source: 'pbx-1',
      accountId: 'acct-1',
      callingNumber: '+12125550100',
      calledNumber: '+16145550123',
      startedAt: '2026-01-05T10:00:00-05:00',
      answeredAt: '2026-01-05T10:00:02-05:00',
      endedAt: '2026-01-05T10:00:40-05:00',
      disposition: 'ANSWERED',
      billedSeconds: 38,
      charge: { amountMinor: 0, currency: 'USD' },
    });
    expect(ok(records[1])).toMatchObject({ answeredAt: null, disposition: 'NO_ANSWER', billedSeconds: 0 });
    expect(ok(records[2])).toMatchObject({ answeredAt: null, disposition: 'CANCELLED' });
  });

  it('extensions: a called one is kept only when allowed; a calling one is billed from --caller', async () => {
    const text = row({ src: '1001', dst: '1002' });
    expect(problems((await all('asterisk', text, PBX))[0])).toEqual([
      { field: 'src', reason: 'an internal extension: name the E.164 number these calls are billed from with --caller' },
      { field: 'dst', reason: 'an internal extension: allowed only when the operator allows extensions (--allow-extensions)' },
    ]);
    expect(ok((await all('asterisk', text, { ...PBX, caller: '+12125550199', allowExtensions: true }))[0])).toMatchObject({ callingNumber: '+12125550199', calledNumber: '1002' });
  });

  it('takes the account from a column, falling back on --account', async () => {
    const records = await all('asterisk', [row({ accountcode: 'acct-col' }), row({ uniqueid: '2' })].join('\n'), { ...PBX, accountColumn: 'accountcode', account: 'acct-fallback' });
    expect(records.map((r) => ok(r).accountId)).toEqual(['acct-col', 'acct-fallback']);
    expect(problems((await all('asterisk', row(), { ...PBX, account: undefined, accountColumn: 'accountcode' }))[0])).toEqual([{ field: 'accountcode', reason: 'empty, and no --account to fall back on' }]);
  });

  it('21 columns: the sequence tells apart the CDRs Asterisk writes for one channel', async () => {
    const r21 = (seq: string) => `${row()},"","1767600000.1","${seq}"`;
    const records = await all('asterisk', [r21('11'), r21('12')].join('\n'), PBX);
    expect(records.map((r) => ok(r).callId)).toEqual(['1767600000.1/11', '1767600000.1/12']);
  });

  it('names the column of every problem, and the canonical field of rule violations', async () => {
    const [r] = await all('asterisk', row({ start: '2026-01-05 10:00', duration: 'x', disposition: 'LOST', end: '2026-01-05 09:00:00' }), { ...PBX });
    expect(problems(r)).toEqual([
      { field: 'disposition', reason: 'not an Asterisk disposition: expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CANCEL' },
      { field: 'duration', reason: 'not a whole number of seconds' },
    ]);
    const [late] = await all('asterisk', row({ end: '2026-01-05 09:00:00' }), PBX);
    expect(problems(late).map((p) => p.field).sort()).toEqual(['answeredAt', 'endedAt']);
  });

  it('bytes that are not UTF-8 spoil only the columns a CDR is made of', async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    expect(ok((await all('asterisk', latin1(row({ clid: '"José" <2125550100>' })), PBX))[0]).callId).toBe('1767600000.1');
    const [bad] = await all('asterisk', latin1(row({ uniqueid: 'é1' })), PBX);
    expect(problems(bad)).toEqual([{ field: 'uniqueid', reason: 'not valid UTF-8' }]);
    expect(bad!.rawBase64).toBe(latin1(row({ uniqueid: 'é1' })).toString('base64'));
  });
});

describe('FreeSWITCH example template', () => {
  const OPTIONS: AdapterOptions = { source: 'fs-1', timezone: 'Asia/Shanghai', account: 'acct-fs', caller: '+13125550100', allowExtensions: true };
  const row = (o: Partial<Record<string, string>> = {}) => {
    const r = { name: 'Alice', number: '+13125550111', dest: '+16145550123', start: '2020-02-11 11:13:00', answer: '2020-02-11 11:13:05', end: '2020-02-11 11:14:00', duration: '60', billsec: '55', cause: 'NORMAL_CLEARING', uuid: 'u-1', ...o };
    return [r.name, r.number, r.dest, 'default', r.start, r.answer, r.end, r.duration, r.billsec, r.cause, r.uuid, '', '', 'PCMU', 'PCMU'].join(',');
  };

  it('maps named hangup causes to Q.850, and unanswered ones to a disposition', async () => {
    const cases: [string, string, number | undefined, string][] = [
      ['USER_BUSY', '', 17, 'BUSY'],
      ['NO_ANSWER', '', 19, 'NO_ANSWER'],
      ['NORMAL_CLEARING', '', 16, 'NO_ANSWER'],
      ['UNALLOCATED_NUMBER', '', 1, 'FAILED'],
      ['NORMAL_CIRCUIT_CONGESTION', '', 34, 'CONGESTION'],
      ['ORIGINATOR_CANCEL', '', 16, 'CANCELLED'], // FreeSWITCH reports its own causes to Q.850 as 16
      ['INTERWORKING', '', 127, 'FAILED'],
      ['41', '', 41, 'FAILED'],
      ['RECOVERY_ON_TIMER_EXPIRE', '2020-02-11 11:13:05', 102, 'ANSWERED'],
    ];
    for (const [cause, answer, q850, disposition] of cases) {
      const [r] = await all('freeswitch', row({ cause, answer, billsec: answer ? '55' : '0' }), OPTIONS);
      expect(ok(r), cause).toMatchObject({ releaseCause: q850, disposition });
    }
    const [unknown] = await all('freeswitch', row({ cause: 'COSMIC_RAY' }), OPTIONS);
    expect(problems(unknown)).toEqual([{ field: 'hangup_cause', reason: 'not a FreeSWITCH hangup cause or Q.850 number' }]);
  });

  it('rebuilds end and answer from duration and billsec when the stamps have no seconds; uses them as written otherwise', async () => {
    const [minutes] = await all('freeswitch', row({ start: '2020/2/10 22:40', answer: '2020/2/10 22:40', end: '2020/2/10 22:41', duration: '64', billsec: '61' }), OPTIONS);
    expect(ok(minutes)).toMatchObject({ startedAt: '2020-02-10T22:40:00+08:00', answeredAt: '2020-02-10T22:40:03+08:00', endedAt: '2020-02-10T22:41:04+08:00', billedSeconds: 61 });
    const [seconds] = await all('freeswitch', row(), OPTIONS);
    expect(ok(seconds)).toMatchObject({ startedAt: '2020-02-11T11:13:00+08:00', answeredAt: '2020-02-11T11:13:05+08:00', endedAt: '2020-02-11T11:14:00+08:00' });
  });

  it('an answered originate leg (destination `&`) called the endpoint in caller_id_number', async () => {
    const [leg] = await all('freeswitch', row({ name: 'Outbound Call', number: '1004', dest: '&' }), OPTIONS);
    expect(ok(leg)).toMatchObject({ calledNumber: '1004', callingNumber: '+13125550100' });
    const [unanswered] = await all('freeswitch', row({ dest: '&', answer: '', billsec: '0', cause: 'NO_ANSWER' }), OPTIONS);
    expect(problems(unanswered)).toEqual([{ field: 'destination_number', reason: 'not a phone number: the field may hold only digits, spaces, dots, dashes, brackets and a leading +' }]);
  });

  it('reads the sample file: ten records, the repeated uuid three times, one of them with another cause', async () => {
    const records = await all('freeswitch', createReadStream(join(SAMPLES, 'freeswitch-example-template.csv')), OPTIONS);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const repeated = records.slice(7).map(ok);
    expect(repeated.map((c) => c.callId)).toEqual(Array(3).fill('7adced1a-4c7c-11ea-b08c-2bfc2a06d67d'));
    expect(repeated[0]).toEqual(repeated[1]);
    expect(repeated[2]).toEqual({ ...repeated[0], releaseCause: 17 });
  });
});

describe('JSON lines', () => {
  it('a line may carry an array; a bad line is one reject, an empty array too', async () => {
    const cdr = { callId: 'c', accountId: 'a', callingNumber: '+13125550100', calledNumber: '+16145550123', startedAt: '2026-01-01T00:00:00Z', answeredAt: null, endedAt: '2026-01-01T00:00:10Z', disposition: 'NO_ANSWER', billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } };
    const records = await all('jsonl', [JSON.stringify([cdr, { ...cdr, callId: 'd' }]), '{bad', '[]', '7'].join('\n'), { source: 'sw' });
    expect(records.map((r) => [r.line, r.index, r.result.ok])).toEqual([
      [1, 0, true],
      [1, 1, true],
      [2, undefined, false],
      [3, undefined, false],
      [4, undefined, false],
    ]);
    expect(ok(records[0]).source).toBe('sw');
    expect(problems(records[3])).toEqual([{ field: '(record)', reason: 'an empty array: no CDR in the line' }]);
    expect(problems(records[4])).toEqual([{ field: '(record)', reason: 'not a JSON object' }]);
  });

  it('adaptText re-reads one stored record the way the file was read', async () => {
    const [r] = await adaptText('freeswitch', 'Alice,+13125550111,+16145550123,default,2020-02-11 11:13:00,,2020-02-11 11:13:30,30,0,NO_ANSWER,u-9,,,,', { source: 'fs-1', timezone: 'UTC', account: 'a' });
    expect(ok(r)).toMatchObject({ callId: 'u-9', disposition: 'NO_ANSWER', releaseCause: 19, startedAt: '2020-02-11T11:13:00Z' });
  });

  it('a record without a source is rejected naming the field, never stored under a made-up one', async () => {
    const cdr = { callId: 'c', accountId: 'a', callingNumber: '+13125550100', calledNumber: '+16145550123', startedAt: '2026-01-01T00:00:00Z', answeredAt: null, endedAt: '2026-01-01T00:00:10Z', disposition: 'NO_ANSWER', billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } };
    const records = await all('jsonl', [JSON.stringify({ ...cdr, source: 'own' }), JSON.stringify(cdr)].join('\n'));
    expect(ok(records[0]).source).toBe('own');
    expect(problems(records[1])).toEqual([{ field: 'source', reason: 'the record names no source and the import has no --source' }]);
    // --source is the fallback of records that name none; a record's own source wins.
    const withSource = await all('jsonl', [JSON.stringify({ ...cdr, source: 'own' }), JSON.stringify(cdr)].join('\n'), { source: 'sw' });
    expect(withSource.map((r) => ok(r).source)).toEqual(['own', 'sw']);
  });
});

describe('the source of PBX files', () => {
  it('is the operator’s --source: without it every row is rejected naming `source`', async () => {
    const row = 'Alice,+13125550111,+16145550123,default,2020-02-11 11:13:00,,2020-02-11 11:13:30,30,0,NO_ANSWER,u-9,,,,';
    const [bare] = await adaptText('freeswitch', row, { timezone: 'UTC', account: 'a' });
    expect(problems(bare)).toEqual([{ field: 'source', reason: 'the file names no source: give --source, the switch or feed these calls come from' }]);
    const [named] = await adaptText('freeswitch', row, { source: 'fs-9', timezone: 'UTC', account: 'a' });
    expect(ok(named).source).toBe('fs-9');
  });
});
