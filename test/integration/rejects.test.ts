// Nothing lost, nothing counted twice: a file run's counters and rejects survive SQS redelivery, and the `disputes`
// command ingests, lists and replays against a running stack (its pollers, its emulators) as an operator would.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { enqueueBatch } from '../../lib/adapters/queues';
import { getRun, listRejects } from '../../lib/adapters/reject-store';
import { QUEUES } from '../../lib/adapters/resources';
import type { IngestEnvelope } from '../../lib/formats/envelope';
import { createIngestBatch } from '../../lib/ingest-cdrs';
import { pollOnce } from '../../lib/local/runner';
import { ROOT } from '../../lib/local/state';
import { testStack } from '../support/stack';

const run = promisify(execFile);
const SAMPLES = join(ROOT, 'test', 'fixtures', 'cdr-samples');

let stack: Awaited<ReturnType<typeof testStack>>;
beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
});

const cdr = (callId: string, o: Record<string, unknown> = {}) => ({
  callId,
  source: 'redelivery',
  accountId: 'acct-r',
  callingNumber: '+13125550100',
  calledNumber: '+16145550123',
  startedAt: '2026-05-01T10:00:00Z',
  answeredAt: '2026-05-01T10:00:05Z',
  endedAt: '2026-05-01T10:01:00Z',
  disposition: 'ANSWERED',
  billedSeconds: 55,
  charge: { amountMinor: 9, currency: 'USD' },
  ...o,
});

const envelope = (ingestRun: string, seq: number, records: IngestEnvelope['records']): string =>
  JSON.stringify({ ingestRun, seq, file: 'redelivered.jsonl', format: 'jsonl', options: { source: 'redelivery' }, records } satisfies IngestEnvelope);

describe('redelivery', () => {
  it('a message handled twice adds to its run and to the rejects once', async () => {
    const body = envelope('run-twice', 0, [
      { line: 1, raw: 'r1', cdr: cdr('twice-1') },
      { line: 2, raw: 'r2', source: 'redelivery', problems: [{ field: '(record)', reason: 'not valid JSON' }] },
      { line: 3, raw: 'r3', cdr: cdr('twice-3', { calledNumber: '6145550123' }) },
    ]);
    for (let i = 0; i < 2; i++) await createIngestBatch().ingestMessage(body, { messageId: 'message-1' }, 1_780_000_000_000);
    expect(await getRun('run-twice')).toMatchObject({ total: 3, accepted: 1, rejected: 2, duplicates: 0 });
    const kept = (await listRejects({ source: 'redelivery' })).filter((r) => r.origin.ingestRun === 'run-twice');
    expect(kept.map((r) => r.origin.line)).toEqual([2, 3]);
  });

  it('a Lambda that dies after its work but before SQS deletes the message: the redelivery counts nothing again', async () => {
    await enqueueBatch('cdrIngest', [envelope('run-died', 0, [{ line: 1, raw: 'd1', cdr: cdr('died-1') }, { line: 2, raw: 'd2', cdr: cdr('died-2', { charge: { amountMinor: -1, currency: 'USD' } }) }])]);
    const url = stack.env[QUEUES.cdrIngest.env]!;
    await pollOnce(url, 'ingest-cdrs', async (event, context) => {
      await stack.handlers.ingest(event, context);
      throw new Error('timed out before returning');
    });
    expect(await getRun('run-died')).toMatchObject({ total: 2, accepted: 1, rejected: 1 });
    await new Promise((r) => setTimeout(r, 1200));
    expect(await stack.drainIngest()).toBe(1); // redelivered
    expect(await getRun('run-died')).toMatchObject({ total: 2, accepted: 1, rejected: 1, duplicates: 0 });
    expect((await listRejects({ source: 'redelivery' })).filter((r) => r.origin.ingestRun === 'run-died')).toHaveLength(1);
  });
});

describe('the disputes command', () => {
  let pollers: { stop: () => Promise<void> }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const stateFile = join(dir, 'stack.json');

  beforeAll(() => {
    writeFileSync(stateFile, JSON.stringify({ apiUrl: 'http://127.0.0.1:9', endpoints: inject('endpoints'), env: stack.env, tokens: {} }));
    pollers = stack.startPollers();
  });
  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
  });

  const disputes = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'lib', 'local', 'disputes.js'), ...args], { env: { ...process.env, DISPUTES_STATE: stateFile }, cwd: ROOT });
      return { status: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { status: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('ingests the FreeSWITCH sample with a summary and exit status 2 for its conflict, lists it, and will not replay it', async () => {
    const file = join(SAMPLES, 'freeswitch-example-template.csv');
    const ingest = await disputes('ingest', file, '--timezone', 'Asia/Shanghai', '--account', 'acct-cli', '--caller', '312 555 0100', '--country', 'US', '--allow-extensions', '--source', 'cli-fs', '--wait-seconds', '30');
    expect(ingest.stdout).toMatch(/freeswitch-example-template\.csv \(freeswitch\): 10 records read and sent/);
    expect(ingest.stdout).toMatch(/accepted +8\n +duplicates +1 .*\n +conflicts +1 .*\n +rejected +0/);
    expect(ingest.status).toBe(2);

    const list = await disputes('rejects', 'list', '--source', 'cli-fs', '--reason', 'conflict', '--json');
    expect(list.status).toBe(0);
    const listed = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'CONFLICT', origin: { file: 'freeswitch-example-template.csv', line: 10 } });

    const replay = await disputes('rejects', 'replay', '--all', '--source', 'cli-fs');
    expect(replay.stdout).toMatch(/skipped .*: a conflict is kept for review/);
    expect(replay.status).toBe(0);
  }, 60_000);

  it('rejects at the edge and exits 2, then a replay with the missing option exits 0', async () => {
    const file = join(dir, 'Master.csv');
    writeFileSync(file, '"","+13125550100","+16145550123","default","","SIP/a","SIP/b","Dial","","2026-01-05 10:00:00","2026-01-05 10:00:02","2026-01-05 10:00:40",40,38,"ANSWERED","DOCUMENTATION","1767600000.1",""\n');
    const ingest = await disputes('ingest', file, '--format', 'asterisk', '--timezone', 'America/New_York', '--source', 'cli-ast');
    expect(ingest.status).toBe(2);
    expect(ingest.stdout).toMatch(/rejected +1 .*\n +1 +accountId: the file names no account/);
    expect(ingest.stderr).toMatch(/storing: 100%, 1 records/); // plain progress lines: stderr is not a terminal here

    const replay = await disputes('rejects', 'replay', '--all', '--source', 'cli-ast', '--account', 'acct-late');
    expect(replay.stdout).toMatch(/1 rejects re-validated and sent through ingest/);
    expect(replay.stdout).toMatch(/accepted +1/);
    expect(replay.status).toBe(0);
    expect((await disputes('rejects', 'list', '--source', 'cli-ast')).stdout).toMatch(/^0 rejects/m);
  }, 60_000);

  it('says what is wrong with the options and exits 1', async () => {
    const bad = await disputes('ingest', join(SAMPLES, 'asterisk-master-18col.csv'), '--timezone', 'Mars/Olympus', '--increment', '60');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--increment must be MIN\/STEP/);
  });
});
