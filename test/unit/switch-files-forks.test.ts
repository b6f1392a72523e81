// A forked call counted once: the legs Asterisk writes per dialled phone become one attempt, answered if any leg
// answered, within a bounded window of the file; without the option every leg stays an attempt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORK_WINDOW_RECORDS, MAX_LEGS } from '../../lib/adapters/switch-files/forks';
import { type AdaptedRecord, type AdapterOptions, adaptText } from '../../lib/adapters/switch-files/index';
import { ROOT } from '../../lib/config';
import type { Cdr } from '../../lib/domain/cdr';

const FIXTURE = readFileSync(join(ROOT, 'test', 'fixtures', 'cdr-samples', 'asterisk-master-21col-forked.csv'), 'utf8');
const PBX: AdapterOptions = { source: 'lune', country: 'GB', areaCode: '01524', timezone: 'Europe/London', account: 'acct-lune', caller: '+441524960000', allowExtensions: true };

const cdrs = (records: AdaptedRecord[]): Cdr[] => records.map((r) => (r.result.ok ? r.result.cdr : expect.fail(JSON.stringify(r.result.problems))));
const asr = (list: Cdr[]) => list.filter((c) => c.answeredAt !== null).length / list.length;

/** One 21-column row; `over` replaces fields by name. */
function row(over: Record<string, string>): string {
  const r: Record<string, string> = { accountcode: '', src: '960123', dst: '960000', dcontext: 'from-trunk', clid: '960123', channel: 'PJSIP/trunk-1', dstchannel: 'PJSIP/201-2', lastapp: 'Dial', lastdata: 'PJSIP/201&PJSIP/202,30', start: '2026-06-10 09:00:00', answer: '', end: '2026-06-10 09:00:30', duration: '30', billsec: '0', disposition: 'NO ANSWER', amaflags: 'DOCUMENTATION', uniqueid: '1781078400.1', userfield: '', peeraccount: '', linkedid: '1781078400.1', sequence: '1', ...over };
  return Object.values(r).map((v) => `"${v}"`).join(',');
}

describe('the forked-call fixture (a small PBX’s Master.csv, 21 columns)', () => {
  it('per leg (the default): 31 attempts, 8 answered', async () => {
    const list = cdrs(await adaptText('asterisk', FIXTURE, PBX));
    expect(list).toHaveLength(31);
    const toDid = list.filter((c) => c.calledNumber === '+441524960000');
    expect([toDid.length, toDid.filter((c) => c.answeredAt).length]).toEqual([20, 4]);
    expect(asr(toDid)).toBe(0.2);
    expect(list.filter((c) => c.calledNumber === '600').map((c) => c.callId)).toEqual(['1781085600.82/125', '1781085600.82/126', '1781085600.82/127', '1781086800.86/128', '1781086800.86/129', '1781086800.86/130']);
  });

  it('counted once: 12 calls; each forked call is its answered leg, or its most telling leg when none answered', async () => {
    const records = await adaptText('asterisk', FIXTURE, { ...PBX, countForkedOnce: true });
    const list = cdrs(records);
    expect(list).toHaveLength(12);
    const toDid = list.filter((c) => c.calledNumber === '+441524960000');
    expect(toDid.map((c) => [c.callId, c.callingNumber, c.answeredAt, c.billedSeconds, c.disposition])).toEqual([
      ['1781078530.49', '+441524960123', '2026-06-10T09:02:18+01:00', 95, 'ANSWERED'],
      ['1781079300.54', '+441614960000', '2026-06-10T09:15:05+01:00', 241, 'ANSWERED'],
      ['1781080300.59', '+441524960456', null, 0, 'NO_ANSWER'], // three legs rang out, one was busy
      ['1781082300.66', '+441524960789', '2026-06-10T10:05:12+01:00', 60, 'ANSWERED'], // legs not adjacent in the file
      ['1781084400.75', '+12125550123', '2026-06-10T10:40:03+01:00', 30, 'ANSWERED'],
    ]);
    expect(asr(toDid)).toBe(0.8);
    // The record of a forked call is its legs: line of the first, the legs' text (what a replay re-reads).
    const c4 = records.find((r) => r.result.ok && r.result.cdr.callId === '1781082300.66')!;
    const lines = FIXTURE.split('\n');
    expect(c4.line).toBe(14);
    expect(c4.raw).toBe([lines[13], lines[14], lines[16], lines[17]].join('\n'));
    expect(cdrs(await adaptText('asterisk', c4.raw, { ...PBX, countForkedOnce: true }))).toEqual([expect.objectContaining({ callId: '1781082300.66', billedSeconds: 60 })]);
  });

  it('groups by uniqueid when the file has no linkedid, and keeps a row without either as its own (rejected) record', async () => {
    const text = [row({ linkedid: '', sequence: '1' }), row({ linkedid: '', sequence: '2', answer: '2026-06-10 09:00:07', billsec: '23', disposition: 'ANSWERED' }), row({ uniqueid: '', linkedid: '' })].join('\n');
    const records = await adaptText('asterisk', text, { ...PBX, countForkedOnce: true });
    // The row without a call is given out at once; the call when the file ends.
    expect(records.map((r) => r.line)).toEqual([3, 1]);
    expect(records[0]!.result).toMatchObject({ ok: false, problems: [{ field: 'uniqueid', reason: 'empty' }] });
    expect(records[1]!.result).toMatchObject({ ok: true, cdr: { callId: '1781078400.1', answeredAt: '2026-06-10T09:00:07+01:00', billedSeconds: 23 } });
  });

  it('takes the earliest answer when several legs answered; an all-busy call is busy', async () => {
    const answered = [row({ sequence: '1', answer: '2026-06-10 09:00:09', billsec: '21', disposition: 'ANSWERED' }), row({ sequence: '2', answer: '2026-06-10 09:00:05', billsec: '25', disposition: 'ANSWERED' })];
    expect(cdrs(await adaptText('asterisk', answered.join('\n'), { ...PBX, countForkedOnce: true }))).toEqual([expect.objectContaining({ answeredAt: '2026-06-10T09:00:05+01:00', billedSeconds: 25 })]);
    const busy = [row({ sequence: '1', disposition: 'BUSY' }), row({ sequence: '2', disposition: 'FAILED' }), row({ sequence: '3', disposition: 'BUSY' })];
    expect(cdrs(await adaptText('asterisk', busy.join('\n'), { ...PBX, countForkedOnce: true }))).toEqual([expect.objectContaining({ disposition: 'BUSY', answeredAt: null })]);
  });

  it(`a leg more than ${FORK_WINDOW_RECORDS} rows after its call's last leg starts a new record of the call (ingest counts it a duplicate or conflict)`, async () => {
    const others = Array.from({ length: FORK_WINDOW_RECORDS }, (_, i) => row({ uniqueid: `1781078401.${i}`, linkedid: `1781078401.${i}` }));
    const text = [row({ sequence: '1' }), ...others, row({ sequence: '2', answer: '2026-06-10 09:00:07', billsec: '23', disposition: 'ANSWERED' })].join('\n');
    const records = await adaptText('asterisk', text, { ...PBX, countForkedOnce: true });
    expect(records).toHaveLength(FORK_WINDOW_RECORDS + 2);
    expect(cdrs(records).filter((c) => c.callId === '1781078400.1').map((c) => c.answeredAt)).toEqual([null, '2026-06-10T09:00:07+01:00']);
    // One row fewer in between, and the call's legs are one record.
    const near = [row({ sequence: '1' }), ...others.slice(1), row({ sequence: '2', answer: '2026-06-10 09:00:07', billsec: '23', disposition: 'ANSWERED' })].join('\n');
    expect(cdrs(await adaptText('asterisk', near, { ...PBX, countForkedOnce: true })).filter((c) => c.callId === '1781078400.1').map((c) => c.answeredAt)).toEqual(['2026-06-10T09:00:07+01:00']);
  });

  it(`a call of more than ${MAX_LEGS} legs is given out in parts`, async () => {
    const legs = Array.from({ length: MAX_LEGS + 1 }, (_, i) => row({ sequence: String(i + 1) }));
    const records = await adaptText('asterisk', legs.join('\n'), { ...PBX, countForkedOnce: true });
    expect(records.map((r) => r.raw.split('\n').length)).toEqual([MAX_LEGS, 1]);
  });
});

describe('an unformatted mapping', () => {
  it('reads epoch stamps, numeric dispositions and fractional seconds as Asterisk writes them with u and f', async () => {
    const columns = ['src', 'dst', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'uniqueid'];
    const text = ['"960123","960000","1781078400.250000","1781078407.000000","1781078430.900000","30.650000","23.900000","8","1781078400.1"', '"960123","960000","1781078500","0.000000","1781078530","30","0","0","1781078500.2"'].join('\n');
    const list = cdrs(await adaptText('asterisk', text, { ...PBX, columns }));
    expect(list.map((c) => [c.startedAt, c.answeredAt, c.endedAt, c.billedSeconds, c.disposition])).toEqual([
      ['2026-06-10T09:00:00.250+01:00', '2026-06-10T09:00:07+01:00', '2026-06-10T09:00:30.900+01:00', 23, 'ANSWERED'],
      ['2026-06-10T09:01:40+01:00', null, '2026-06-10T09:02:10+01:00', 0, 'NO_ANSWER'],
    ]);
  });
});
