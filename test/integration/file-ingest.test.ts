// Switch files through the real pipeline (adapter → SQS emulator → ingest handler → DynamoDB Local): the samples
// from real switches import, every record read is accounted for, rejects are kept with file, line and reasons,
// and a replay with the operator's corrections goes through.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient } from '../../lib/adapters/aws';
import { listRejects } from '../../lib/adapters/reject-store';
import type { AdapterOptions, FormatName } from '../../lib/adapters/switch-files/index';
import { replayRejects, sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { ROOT } from '../../lib/config';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';
// The switch samples are real files of 2010 and 2020, older than the 400-day retention: kept here as if recent.
process.env.CDR_RETENTION_DAYS = '36500';

const SAMPLES = join(ROOT, 'test', 'fixtures', 'cdr-samples');
const FS_SAMPLE = join(SAMPLES, 'freeswitch-example-template.csv');
const ASTERISK_SAMPLE = join(SAMPLES, 'asterisk-master-18col.csv');
const PBX: AdapterOptions = { timezone: 'Asia/Shanghai', account: 'acct-pbx', caller: '+13125550100', allowExtensions: true };

let stack: Awaited<ReturnType<typeof testStack>>;
const tmp = mkdtempSync(join(tmpdir(), 'file-ingest-'));
const file = (name: string, lines: string[]) => {
  const path = join(tmp, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

async function ingest(path: string, adapter: AdapterOptions, format?: FormatName) {
  const sent = await sendFile(path, { adapter, format });
  await stack.drainIngest();
  const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 });
  return { sent, summary };
}

async function storedCdrs(source: string) {
  const out = await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }));
  return (out.Items ?? []).filter((i) => i.source === source);
}

const rejectsOf = async (source: string) => (await listRejects({ source, all: true })).sort((a, b) => Number(a.origin.line) - Number(b.origin.line));

beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
});

describe('the FreeSWITCH sample', () => {
  it('imports with the operator’s account, zone and caller; its repeated uuid is counted once and its conflicting copy kept', async () => {
    const { sent, summary } = await ingest(FS_SAMPLE, { ...PBX, source: 'fs-1' });
    expect(sent).toMatchObject({ format: 'freeswitch', records: 10, rejectedAtEdge: 0 });
    expect(summary).toMatchObject({ complete: true, total: 10, accepted: 8, duplicates: 1, conflicts: 1, rejected: 0 });

    const stored = await storedCdrs('fs-1');
    expect(stored).toHaveLength(8);
    const repeated = stored.find((c) => c.callId === '7adced1a-4c7c-11ea-b08c-2bfc2a06d67d')!;
    // The first of the three is kept; the USER_BUSY copy is the conflict.
    expect(repeated).toMatchObject({ releaseCause: 16, disposition: 'ANSWERED', calledNumber: '1004', callingNumber: '+13125550100', startedAt: '2020-02-11T11:13:00+08:00', answeredAt: '2020-02-11T11:13:11+08:00', endedAt: '2020-02-11T11:13:31+08:00', billedSeconds: 20 });
    expect(stored.find((c) => c.callId === '559758f2-4c7b-11ea-b071-2bfc2a06d67d')).toMatchObject({ releaseCause: 102, callingNumber: '+13125550100', calledNumber: '1004' });
    expect(stored.find((c) => c.callId === 'f1542038-4c15-11ea-97ca-9dd79410affb')).toMatchObject({ releaseCause: 18, disposition: 'NO_ANSWER', answeredAt: null, billedSeconds: 0 });

    const [conflict, ...others] = await rejectsOf('fs-1');
    expect(others).toEqual([]);
    expect(conflict).toMatchObject({ kind: 'CONFLICT', format: 'freeswitch', origin: { file: 'freeswitch-example-template.csv', line: 10, ingestRun: sent.ingestRun } });
    expect(conflict!.raw).toBe(readFileSync(FS_SAMPLE, 'utf8').split('\n')[9]);
    expect(conflict!.problems.slice(1)).toEqual([{ field: 'releaseCause', reason: 'stored 16, this one 17' }]);
  });

  it('without operator options rejects every row with its line and reasons; a replay with them goes through', async () => {
    const { summary } = await ingest(FS_SAMPLE, { source: 'fs-bare' });
    expect(summary).toMatchObject({ total: 10, accepted: 0, rejected: 10 });
    expect(summary.byReason).toMatchObject({
      'start_stamp: has no offset: name the zone it was written in with --timezone': 10,
      'accountId: the file names no account: give --account or --account-column': 10,
    });
    const kept = await rejectsOf('fs-bare');
    // Lines 8 and 9 are the same text: one reject, seen twice.
    expect(kept.map((r) => [r.origin.line, r.sightings])).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1], [8, 2], [10, 1]]);
    expect(kept[7]!.lastOrigin).toMatchObject({ line: 9 });
    expect(kept[2]).toMatchObject({ kind: 'INVALID', format: 'freeswitch', options: { source: 'fs-bare' }, status: 'OPEN' });
    expect(kept[2]!.raw).toBe(',0,1002,default,2020/2/10 22:41,,2020/2/10 22:41,2,0,NO_USER_RESPONSE,f1542038-4c15-11ea-97ca-9dd79410affb,,,,');
    expect(kept[2]!.problems).toEqual(
      expect.arrayContaining([
        { field: 'caller_id_number', reason: 'an internal extension: name the E.164 number these calls are billed from with --caller' },
        { field: 'destination_number', reason: 'an internal extension: allowed only when the operator allows extensions (--allow-extensions)' },
      ]),
    );
    expect((await listRejects({ source: 'fs-bare', reason: 'destination_number' })).map((r) => r.origin.line)).toEqual([3, 7]);

    // A replay without the missing options changes nothing but says why again.
    const stillBad = await replayRejects({ ids: [kept[0]!.rejectId] }, { overrides: { timezone: 'Asia/Shanghai' } });
    expect(stillBad.replayed).toEqual([]);
    expect(stillBad.stillRejected[0]!.problems.map((p) => p.field)).toEqual(['accountId', 'callingNumber', 'caller_id_number']);

    const replay = await replayRejects({ filter: { source: 'fs-bare' } }, { overrides: PBX });
    expect(replay).toMatchObject({ records: 9, stillRejected: [], skipped: [] });
    await stack.drainIngest();
    expect(await waitForRun(replay.ingestRun, 9, { stallSeconds: 5, pollMs: 50 })).toMatchObject({ accepted: 8, duplicates: 0, conflicts: 1, rejected: 0 });
    const after = await rejectsOf('fs-bare');
    expect(after.filter((r) => r.status === 'REPLAYED')).toHaveLength(9);
    expect(after.filter((r) => r.status === 'OPEN').map((r) => [r.kind, r.origin.line])).toEqual([['CONFLICT', 10]]);
    expect(await storedCdrs('fs-bare')).toHaveLength(8);
  });
});

describe('Asterisk cdr_csv', () => {
  it('the 18-column sample: a PBX-answered console call has no caller ID and dials extension 1, both said; with the operator’s options it imports', async () => {
    const bare = await ingest(ASTERISK_SAMPLE, { source: 'ast-bare', timezone: 'America/Chicago', account: 'acct-pbx' });
    expect(bare.sent.format).toBe('asterisk');
    expect(bare.summary).toMatchObject({ total: 2, rejected: 2 });
    expect(Object.keys(bare.summary.byReason).sort()).toEqual([
      'dst: an internal extension: allowed only when the operator allows extensions (--allow-extensions)',
      'src: empty: name the E.164 number these calls are billed from with --caller',
    ]);
    const { summary } = await ingest(ASTERISK_SAMPLE, { ...PBX, timezone: 'America/Chicago', source: 'ast-sample' });
    expect(summary).toMatchObject({ accepted: 2, rejected: 0 });
    expect((await storedCdrs('ast-sample')).find((c) => c.callId === '1270167992.0')).toMatchObject({
      startedAt: '2010-04-02T00:26:32-05:00',
      answeredAt: '2010-04-02T00:26:32-05:00',
      endedAt: '2010-04-02T00:26:39-05:00',
      calledNumber: '1',
      billedSeconds: 7,
    });
  });

  it('a 21-column file with national numbers, a rate and an increment; bad rows rejected by reason, good neighbours stored', async () => {
    const row = (o: Record<string, string>) => {
      const r = { accountcode: 'acct-7', src: '3125550100', dst: '6145550123', start: '2026-03-07 10:00:00', answer: '2026-03-07 10:00:04', end: '2026-03-07 10:01:05', duration: '65', billsec: '61', disposition: 'ANSWERED', uniqueid: '1700000000.1', sequence: '1', ...o };
      return [r.accountcode, r.src, r.dst, 'from-internal', `"Alice" <${r.src}>`, 'PJSIP/100-0001', 'PJSIP/trunk-0002', 'Dial', 'PJSIP/trunk', r.start, r.answer, r.end, r.duration, r.billsec, r.disposition, 'DOCUMENTATION', r.uniqueid, '', '', '1700000000.1', r.sequence]
        .map((f) => (/^\d+$/.test(f) && f.length < 4 ? f : `"${f.replace(/"/g, '""')}"`))
        .join(',');
    };
    const path = file('Master.csv', [
      row({}),
      row({ uniqueid: '1700000000.2', answer: '', billsec: '0', disposition: 'NO ANSWER', accountcode: '' }),
      row({ uniqueid: '1700000000.3', start: '2026-03-08 02:30:00', answer: '', end: '2026-03-08 03:30:05', billsec: '0', disposition: 'BUSY' }), // in the DST gap
      row({ uniqueid: '1700000000.4', disposition: 'LOST' }),
      '"acct-7","3125550100","6145550123","broken',
      row({ uniqueid: '1700000000.5', sequence: '7' }),
      'only,three,columns',
      row({}),
      row({ billsec: '125' }),
    ]);
    const { sent, summary } = await ingest(path, { source: 'ast-21', country: 'US', timezone: 'America/Chicago', accountColumn: 'accountcode', account: 'acct-fallback', rate: 10, increment: { minimumSeconds: 60, incrementSeconds: 60 } });
    expect(sent).toMatchObject({ format: 'asterisk', records: 9, rejectedAtEdge: 4 });
    expect(summary).toMatchObject({ accepted: 3, duplicates: 1, conflicts: 1, rejected: 4, total: 9 });
    expect(summary.byReason).toEqual({
      'start: does not exist in America/Chicago: skipped by a daylight-saving change': 1,
      'disposition: not an Asterisk disposition: expected ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, CANCEL': 1,
      '(record): not valid CSV: a quoted field is not closed': 1,
      '(record): expected 18 or 21 columns (Asterisk cdr_csv), found 3': 1,
    });
    const stored = await storedCdrs('ast-21');
    expect(stored.find((c) => c.callId === '1700000000.1/1')).toMatchObject({
      accountId: 'acct-7',
      callingNumber: '+13125550100',
      calledNumber: '+16145550123',
      startedAt: '2026-03-07T10:00:00-06:00',
      billedSeconds: 120,
      charge: { amountMinor: 20, currency: 'USD' },
      billingIncrement: { minimumSeconds: 60, incrementSeconds: 60 },
    });
    expect(stored.find((c) => c.callId === '1700000000.2/1')).toMatchObject({ accountId: 'acct-fallback', answeredAt: null, disposition: 'NO_ANSWER', charge: { amountMinor: 0 } });
    expect(stored.find((c) => c.callId === '1700000000.5/7')).toBeDefined();
    const kept = await rejectsOf('ast-21');
    expect(kept.map((r) => [r.origin.line, r.kind])).toEqual([
      [3, 'INVALID'],
      [4, 'INVALID'],
      [5, 'INVALID'],
      [7, 'INVALID'],
      [9, 'CONFLICT'],
    ]);
    expect(kept[2]!.raw).toBe('"acct-7","3125550100","6145550123","broken');

    // The operator corrects the broken line's text: the replay re-reads it with the file's adapter and options.
    const corrected = row({ uniqueid: '1700000000.9' });
    const replay = await replayRejects({ ids: [kept[2]!.rejectId] }, { correctedRaw: corrected });
    expect(replay.replayed).toEqual([kept[2]!.rejectId]);
    await stack.drainIngest();
    expect(await waitForRun(replay.ingestRun, 1, { stallSeconds: 5, pollMs: 50 })).toMatchObject({ accepted: 1 });
    expect((await storedCdrs('ast-21')).find((c) => c.callId === '1700000000.9/1')).toMatchObject({ charge: { amountMinor: 20 } });
    expect((await rejectsOf('ast-21'))[2]).toMatchObject({ status: 'REPLAYED', correctedRaw: corrected, replayRun: replay.ingestRun });
  });
});

describe('canonical JSON lines', () => {
  it('normalises national numbers and zone-less times, keeps arrays, bad JSON and invalid records with their lines', async () => {
    const cdr = (callId: string, o: Record<string, unknown> = {}) =>
      JSON.stringify({ callId, accountId: 'acct-j', callingNumber: '(312) 555-0100', calledNumber: '+16145550123', startedAt: '2026-07-01 09:00:00', answeredAt: '2026-07-01T09:00:03-05:00', endedAt: '2026-07-01T09:01:00-05:00', disposition: 'ANSWERED', billedSeconds: 60, charge: { amountMinor: 10, currency: 'USD' }, ...o });
    const path = file('cdrs.jsonl', [cdr('j-1'), '', `[${cdr('j-2')},${cdr('j-3', { charge: { amountMinor: 1.5, currency: 'USD' } })}]`, '{"callId": "j-4",', cdr('j-5', { calledNumber: '911' })]);
    const { sent, summary } = await ingest(path, { source: 'json-1', country: 'US', timezone: 'America/Chicago' });
    expect(sent).toMatchObject({ format: 'jsonl', records: 5 });
    expect(summary).toMatchObject({ accepted: 2, rejected: 3 });
    expect(summary.byReason).toEqual({
      'charge.amountMinor: Invalid input: expected int, received number': 1,
      '(record): not valid JSON': 1,
      'calledNumber: an internal extension: allowed only when the operator allows extensions (--allow-extensions)': 1,
    });
    expect((await storedCdrs('json-1')).find((c) => c.callId === 'j-1')).toMatchObject({ callingNumber: '+13125550100', startedAt: '2026-07-01T09:00:00-05:00' });
    const kept = await rejectsOf('json-1');
    expect(kept.map((r) => [r.origin.line, r.origin.index])).toEqual([
      [3, 1],
      [4, undefined],
      [5, undefined],
    ]);
    expect(JSON.parse(kept[0]!.raw).callId).toBe('j-3');
  });
});

describe('the source of a file', () => {
  const callIdsStored = async (callIds: string[]) => {
    const out = await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }));
    return (out.Items ?? []).filter((i) => callIds.includes(i.callId as string)).map((i) => `${i.source}/${i.callId}`).sort();
  };

  it('a PBX file without --source is refused before anything is sent; with it the calls are stored once, and a second import adds only duplicates', async () => {
    const options = { ...PBX, timezone: 'America/Chicago' };
    const path = file('Master-src.csv', readFileSync(ASTERISK_SAMPLE, 'utf8').trim().split('\n').map((l) => l.replace(/"(\d+)\.0"/, '"$1.7"')));
    await expect(sendFile(path, { adapter: options })).rejects.toMatchObject({ field: '--source', message: expect.stringContaining('Master-src.csv (asterisk) names no source: give --source') });
    await stack.drainIngest();
    expect(await callIdsStored(['1270167992.7', '1270168442.7'])).toEqual([]);

    const first = await ingest(path, { ...options, source: 'ast-once' });
    expect(first.sent.source).toBe('ast-once');
    expect(first.summary).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    const again = await ingest(path, { ...options, source: 'ast-once' });
    expect(again.summary).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    // Refused without --source, the file never entered under a second source.
    await expect(sendFile(path, { adapter: options })).rejects.toMatchObject({ field: '--source' });
    expect(await callIdsStored(['1270167992.7', '1270168442.7'])).toEqual(['ast-once/1270167992.7', 'ast-once/1270168442.7']);
  });

  const cdr = (callId: string, source?: string) =>
    JSON.stringify({ callId, ...(source ? { source } : {}), accountId: 'acct-s', callingNumber: '+13125550100', calledNumber: '+16145550123', startedAt: '2026-07-01T09:00:00-05:00', answeredAt: null, endedAt: '2026-07-01T09:00:09-05:00', disposition: 'NO_ANSWER', billedSeconds: 0, charge: { amountMinor: 0, currency: 'USD' } });

  it('JSON lines whose records all name their source need no --source; importing them again with one adds nothing', async () => {
    const path = file('sourced.jsonl', [cdr('s-1', 'feed-a'), cdr('s-2', 'feed-a'), cdr('s-3', 'feed-b')]);
    const first = await ingest(path, {});
    expect(first.sent).toMatchObject({ format: 'jsonl', records: 3 });
    expect(first.sent.source).toBeUndefined();
    expect(first.summary).toMatchObject({ accepted: 3, rejected: 0 });
    const again = await ingest(path, { source: 'feed-other' });
    expect(again.summary).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await callIdsStored(['s-1', 's-2', 's-3'])).toEqual(['feed-a/s-1', 'feed-a/s-2', 'feed-b/s-3']);
  });

  it('JSON lines with a record that names no source are refused without --source, naming its line; with --source they are stored once', async () => {
    const path = file('unsourced.jsonl', [cdr('u-1', 'feed-u'), '', cdr('u-2'), cdr('u-3')]);
    await expect(sendFile(path, { adapter: {} })).rejects.toMatchObject({ field: '--source', message: expect.stringContaining('unsourced.jsonl: the record on line 3 names no source') });
    await stack.drainIngest();
    expect(await callIdsStored(['u-1', 'u-2', 'u-3'])).toEqual([]);

    const withSource = await ingest(path, { source: 'feed-u' });
    expect(withSource.summary).toMatchObject({ accepted: 3, rejected: 0 });
    const again = await ingest(path, { source: 'feed-u' });
    expect(again.summary).toMatchObject({ accepted: 0, duplicates: 3 });
    expect(await callIdsStored(['u-1', 'u-2', 'u-3'])).toEqual(['feed-u/u-1', 'feed-u/u-2', 'feed-u/u-3']);
  });

  it('the CLI refuses a PBX file without --source (exit 1, nothing sent) and says so in its help', async () => {
    const stateFile = join(tmp, 'stack.json');
    writeFileSync(stateFile, JSON.stringify({ apiUrl: 'http://127.0.0.1:9', endpoints: inject('endpoints'), env: stack.env, tokens: {} }));
    const disputes = cliOf(stateFile);
    const refused = await disputes('ingest', FS_SAMPLE, '--timezone', 'Asia/Shanghai', '--account', 'acct-cli', '--caller', '+13125550100', '--allow-extensions');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('disputes: freeswitch-example-template.csv (freeswitch) names no source: give --source, the switch or feed these calls come from');
    expect(refused.stdout).not.toMatch(/records read and sent/);
    const help = await disputes('--help');
    expect(help.stdout).toMatch(/--source is required for Asterisk and FreeSWITCH files, and for JSON lines unless every record names its\n\s+own source/);
  }, 60_000);
});
