// The operator's options for real PBX files, through the real pipeline (adapter → SQS emulator → ingest handler →
// DynamoDB Local → statistics API): local numbers with --area-code, a cdr_custom column mapping, a forked call
// counted once or per leg, and statistics and a dispute on an extension stored with --allow-extensions.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient } from '../../lib/adapters/aws';
import { mappingColumns } from '../../lib/adapters/switch-files/asterisk-mapping';
import type { AdapterOptions } from '../../lib/adapters/switch-files/index';
import { ROOT } from '../../lib/config';
import { sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { testStack } from '../support/stack';
// The switch samples are real files of 2010 and 2020, older than the 400-day retention: kept here as if recent.
process.env.CDR_RETENTION_DAYS = '36500';

const SAMPLES = join(ROOT, 'test', 'fixtures', 'cdr-samples');
const FORKED = join(SAMPLES, 'asterisk-master-21col-forked.csv');
const CUSTOM = join(SAMPLES, 'asterisk-cdr-custom-19col.csv');
const CUSTOM_CONF = join(SAMPLES, 'cdr_custom.conf');
/** The small PBX of the forked fixture: Lancaster (area 01524), 6-digit local numbers, its main number for extensions. */
const LUNE: AdapterOptions = { country: 'GB', areaCode: '01524', timezone: 'Europe/London', account: 'acct-lune', caller: '+441524960000', allowExtensions: true, rate: 12, currency: 'GBP' };
const DID = '+441524960000';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const tmp = mkdtempSync(join(tmpdir(), 'file-ingest-options-'));

/**
 * The fixtures' days in the latest year in which they are past: ingest keeps only the last 400 days, and the same
 * month keeps their offsets (June: BST, +01:00; late November: EST, -05:00).
 */
const pastYear = (monthDay: string) => {
  const now = new Date();
  return Date.parse(`${now.getUTCFullYear()}-${monthDay}T23:59:59Z`) < now.getTime() ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
};
const Y = pastYear('06-12');
const NOV = `${pastYear('11-24')}-11-24`;

/** A fixture moved to another day (the forked one: each way of counting gets statistics of its own). */
const moved = (fixture: string, from: string, day: string, name: string) => {
  const path = join(tmp, name);
  writeFileSync(path, readFileSync(fixture, 'utf8').replaceAll(from, day));
  return path;
};
const onDay = (day: string, name: string) => moved(FORKED, '2026-06-10', `${Y}-${day}`, name);
const custom = () => moved(CUSTOM, '2026-11-24', NOV, 'Master.csv');

async function ingest(path: string, adapter: AdapterOptions) {
  const sent = await sendFile(path, { adapter });
  await stack.drainIngest();
  const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 });
  return { sent, summary };
}

async function stored(source: string) {
  const out = await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }));
  return (out.Items ?? []).filter((i) => i.source === source);
}

const dayStats = async (number: string, day: string) => {
  const res = await api.call('GET', `/v1/numbers/${encodeURIComponent(number)}/stats?from=${day}T00:00:00Z&to=${day}T23:00:00Z&granularity=day`, { token: 'test-reviewer' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { calledNumber: string; total: { attempts: number; answered: number; asr: { value: number | null; n: number } } };
};

beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
  api = await stack.startApi();
});
afterAll(async () => api?.close());

describe('a small PBX’s Master.csv: 6-digit local numbers and calls forked to every phone', () => {
  it('without --area-code its local numbers are extensions, and the reason says what to add', async () => {
    const { summary } = await ingest(onDay('06-08', 'bare.csv'), { ...LUNE, source: 'lune-bare', areaCode: undefined, allowExtensions: false });
    // Only the national and international calls (dialled with their prefixes) get in.
    expect(summary).toMatchObject({ total: 31, accepted: 2, rejected: 29 });
    expect(summary.byReason).toEqual({
      'dst: an internal extension: allowed only when the operator allows extensions (--allow-extensions); a local number needs --area-code': 23,
      'dst: an internal extension: allowed only when the operator allows extensions (--allow-extensions)': 6,
    });
  });

  it('per leg (the default, as for a carrier’s rated CDRs): every leg an attempt, ASR 20% for the DID', async () => {
    const { sent, summary } = await ingest(onDay('06-10', 'legs.csv'), { ...LUNE, source: 'lune-legs' });
    expect(sent).toMatchObject({ format: 'asterisk', records: 31, rejectedAtEdge: 0 });
    expect(summary).toMatchObject({ total: 31, accepted: 31, rejected: 0 });
    const stats = await dayStats(DID, `${Y}-06-10`);
    expect(stats.total).toMatchObject({ attempts: 20, answered: 4, asr: { value: 0.2, n: 20 } });
    expect((await dayStats('600', `${Y}-06-10`)).total).toMatchObject({ attempts: 6, answered: 1 });
  });

  it('with --count-forked-once: one attempt per call, answered if any leg answered, ASR 80% for the same calls', async () => {
    const { sent, summary } = await ingest(onDay('06-11', 'calls.csv'), { ...LUNE, source: 'lune-calls', countForkedOnce: true });
    expect(sent).toMatchObject({ records: 12, rejectedAtEdge: 0 });
    expect(summary).toMatchObject({ total: 12, accepted: 12, rejected: 0 });
    const stats = await dayStats(DID, `${Y}-06-11`);
    expect(stats.total).toMatchObject({ attempts: 5, answered: 4, asr: { value: 0.8, n: 5 } });
    expect((await dayStats('600', `${Y}-06-11`)).total).toMatchObject({ attempts: 2, answered: 1, asr: { value: 0.5 } });

    const cdrs = await stored('lune-calls');
    // The answered leg's times and talk; the caller's 6-digit local number in E.164; a call the PBX's phones made
    // to a local number, billed from the PBX's main number.
    expect(cdrs.find((c) => c.callId === '1781078530.49')).toMatchObject({ callingNumber: '+441524960123', calledNumber: DID, startedAt: `${Y}-06-11T09:02:10+01:00`, answeredAt: `${Y}-06-11T09:02:18+01:00`, billedSeconds: 95, charge: { amountMinor: 19, currency: 'GBP' } });
    expect(cdrs.find((c) => c.callId === '1781081100.64')).toMatchObject({ callingNumber: DID, calledNumber: '+441524960456', billedSeconds: 120 });
    expect(cdrs.find((c) => c.callId === '1781085000.80')).toMatchObject({ calledNumber: '+12125550123' });
    expect(cdrs.map((c) => c.calledNumber).sort()).toEqual([...Array(5).fill(DID), '+12125550123', '+441524960123', '+441524960456', '+441524960789', '+441614960000', '600', '600'].sort());
  });

  it('an extension stored with --allow-extensions can be queried and disputed like a number', async () => {
    const stats = await dayStats('600', `${Y}-06-11`);
    expect(stats.calledNumber).toBe('600');
    const opened = await api.call('POST', '/v1/disputes', {
      token: 'test-ticketing',
      body: { accountId: 'acct-lune', claim: 'NEVER_CONNECTED', ticketId: 'T-LUNE-600', calledNumber: '600', from: `${Y}-06-11T00:00:00Z`, to: `${Y}-06-12T00:00:00Z` },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(202);
    await stack.drainInvestigations();
    const dispute = await api.call('GET', `/v1/disputes/${opened.body.disputeId}`, { token: 'test-reviewer' });
    expect(dispute.body).toMatchObject({ calledNumber: '600', status: 'RECOMMENDED' });
    const calls = dispute.body.recommendation.calls as { callId: string; answered: boolean; billedSeconds: number }[];
    expect(calls.map((c) => [c.callId, c.answered, c.billedSeconds]).sort()).toEqual([
      ['1781085600.82', true, 45],
      ['1781086800.86', false, 0],
    ]);
    // Still refused: what ingest can never store.
    expect((await api.call('GET', '/v1/numbers/12345678/stats', { token: 'test-reviewer' })).status).toBe(400);
  });
});

describe('an Asterisk file written by a custom cdr_custom mapping (19 columns in another order)', () => {
  const OHIO: AdapterOptions = { source: 'ohio', country: 'US', areaCode: '614', timezone: 'America/New_York', accountColumn: 'accountcode', caller: '+16145550110' };

  it('cannot be read without its mapping: its width is no Asterisk layout', async () => {
    await expect(sendFile(custom(), { adapter: OHIO })).rejects.toMatchObject({ field: 'format', message: expect.stringContaining('give an Asterisk file\'s columns with --columns or --columns-file') });
    const sent = await sendFile(custom(), { adapter: { ...OHIO, source: 'ohio-unmapped' }, format: 'asterisk' });
    await stack.drainIngest();
    const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 });
    expect(summary).toMatchObject({ total: 7, rejected: 7, byReason: { '(record): expected 18 or 21 columns (Asterisk cdr_csv), found 19': 7 } });
  });

  it('with the mapping from cdr_custom.conf: columns by name, 7-digit local numbers in E.164, the account from accountcode', async () => {
    const columns = mappingColumns(readFileSync(CUSTOM_CONF, 'utf8'), 'Master.csv');
    const { sent, summary } = await ingest(custom(), { ...OHIO, columns });
    expect(sent).toMatchObject({ format: 'asterisk', records: 7 });
    expect(summary).toMatchObject({ total: 7, accepted: 6, rejected: 1, byReason: { 'dst: an internal extension: allowed only when the operator allows extensions (--allow-extensions)': 1 } });
    const cdrs = await stored('ohio');
    expect(cdrs.find((c) => c.callId === '1795527072.21/0')).toMatchObject({ accountId: 'acct-ohio', callingNumber: '+16145550110', calledNumber: '+16145550147', startedAt: `${NOV}T08:31:12-05:00`, answeredAt: `${NOV}T08:31:19-05:00`, billedSeconds: 182 });
    expect(cdrs.find((c) => c.callId === '1795533150.26/5')).toMatchObject({ callingNumber: '+16145550188', calledNumber: '+16145550123' });
    expect(cdrs.map((c) => c.calledNumber).sort()).toEqual(['+13125550100', '+16145550100', '+16145550123', '+16145550147', '+16145550199', '+441614960000']);
  });
});

describe('the CLI', () => {
  it('imports with --columns-file, --area-code and --count-forked-once, and refuses options that cannot apply before sending anything', async () => {
    const stateFile = join(tmp, 'stack.json');
    writeFileSync(stateFile, JSON.stringify({ apiUrl: api.base, endpoints: inject('endpoints'), env: stack.env, tokens: {} }));
    const disputes = async (...args: string[]) => {
      const run = promisify(execFile)(process.execPath, [join(ROOT, 'lib', 'cli', 'disputes.js'), ...args], { env: { ...process.env, DISPUTES_STATE: stateFile }, cwd: ROOT });
      // The test plays the stack's ingest poller while the command waits for its run to be counted.
      let done = false;
      const polling = (async () => {
        while (!done) {
          await stack.drainIngest();
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      try {
        const { stdout, stderr } = await run;
        return { status: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { status: e.code, stdout: e.stdout, stderr: e.stderr };
      } finally {
        done = true;
        await polling;
      }
    };

    const mapped = await disputes('ingest', custom(), '--columns-file', CUSTOM_CONF, '--source', 'ohio-cli', '--country', 'US', '--area-code', '614', '--timezone', 'America/New_York', '--account-column', 'accountcode', '--caller', '+16145550110', '--allow-extensions');
    expect(mapped.stderr).not.toContain('disputes:');
    expect(mapped.status).toBe(0);
    expect(mapped.stdout).toMatch(/Master\.csv \(asterisk\): 7 records read and sent/);
    expect((await stored('ohio-cli')).map((c) => c.calledNumber).sort()).toEqual(['+13125550100', '+16145550100', '+16145550123', '+16145550147', '+16145550199', '+441614960000', '911']);

    const forked = await disputes('ingest', onDay('06-12', 'cli.csv'), '--count-forked-once', '--source', 'lune-cli', '--country', 'GB', '--area-code', '01524', '--timezone', 'Europe/London', '--account', 'acct-lune', '--caller', '+441524960000', '--allow-extensions');
    expect(forked.status).toBe(0);
    expect(forked.stdout).toMatch(/cli\.csv \(asterisk\): 12 records read and sent/);
    expect(await stored('lune-cli')).toHaveLength(12);

    const refusals: [string[], string][] = [
      [['--area-code', '01524'], 'disputes: --area-code 01524: needs --country: the area code is read with that country\'s national prefix rules'],
      [['--country', 'ES', '--area-code', '91'], 'disputes: --area-code 91: ES numbers are always dialled in full (no national prefix, no local numbers): leave out --area-code'],
      [['--format', 'freeswitch', '--count-forked-once'], 'disputes: --count-forked-once groups the legs Asterisk writes per call: it does not apply to --format freeswitch'],
      [['--columns', 'clid,src,dst'], 'disputes: the mapping has no uniqueid, start, answer, end, duration, billsec, disposition: a CDR needs uniqueid, src, dst, start, answer, end, duration, billsec, disposition (Asterisk field names, in file order)'],
      [['--columns-file', CUSTOM_CONF, '--account-column', 'peeraccount'], 'disputes: --account-column must be one of clid, src, dst'],
    ];
    for (const [options, message] of refusals) {
      const refused = await disputes('ingest', CUSTOM, '--source', 'never', ...options);
      expect(refused.status, options.join(' ')).toBe(1);
      expect(refused.stderr).toContain(message);
    }
    expect(await stored('never')).toEqual([]);
  }, 120_000);
});
