// Nothing lost, nothing counted twice: a file run's counters and rejects survive SQS redelivery; poison never
// blocks (a bad record of any size is kept bounded, or logged, and its neighbours are stored); the same bad record is
// one reject with a sighting count; and the `disputes` command ingests, lists and replays against a running stack
// (its pollers, its emulators) as an operator would.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { type SdkMiddleware, documentClient, newSqsClient, onEveryClient } from '../../lib/adapters/aws';
import { logger } from '../../lib/adapters/logger';
import { enqueueBatch } from '../../lib/adapters/queues';
import { getRun, listRejects } from '../../lib/adapters/reject-store';
import { QUEUES } from '../../lib/adapters/resources';
import { REJECT_LIMITS } from '../../lib/domain/rejects/bounds';
import { sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { dlqEnv } from '../../infra/local/provision';
import type { IngestEnvelope } from '../../lib/adapters/switch-files/envelope';
import { createIngestBatch } from '../../lib/use-cases/ingest/ingest-cdrs';
import { pollOnce } from '../../infra/local/runner';
import { ROOT } from '../../lib/config';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';
// The switch samples are real files of 2010 and 2020, older than the 400-day retention: kept here as if recent.
process.env.CDR_RETENTION_DAYS = '36500';

const SAMPLES = join(ROOT, 'test', 'fixtures', 'cdr-samples');

let stack: Awaited<ReturnType<typeof testStack>>;
/** Which AWS calls fail, as DynamoDB would refuse them (a fault injected on the real clients). */
let refuse: ((command: string, input: Record<string, unknown>) => boolean) | undefined;
beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
  const faults: SdkMiddleware = (next, context) => async (args) => {
    if (refuse?.(context.commandName ?? '', args.input)) throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
    return next(args);
  };
  onEveryClient((client) => client.middlewareStack.add(faults, { step: 'initialize', name: 'reject-faults' }));
});

async function queueDepth(url: string): Promise<number> {
  const out = await newSqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Nothing left on the ingest queue (not even in flight, to be retried) and nothing in its DLQ. */
async function nothingLeft(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1200)); // a failed message would be visible again by now
  expect(await stack.drainIngest()).toBe(0);
  expect(await queueDepth(stack.env[QUEUES.cdrIngest.env]!)).toBe(0);
  expect(await queueDepth(stack.env[dlqEnv(QUEUES.cdrIngest.env)]!)).toBe(0);
}

const storedIds = async (source: string) =>
  ((await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }))).Items ?? [])
    .filter((i) => i.source === source)
    .map((i) => String(i.callId))
    .sort();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A start within retention: the samples' own dates are years old. */
const recent = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
const fsDay = (d: Date) => `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;

const at = (seconds: number) => new Date(recent(10).getTime() + seconds * 1000).toISOString();
const cdr = (callId: string, o: Record<string, unknown> = {}) => ({
  callId,
  source: 'redelivery',
  accountId: 'acct-r',
  callingNumber: '+13125550100',
  calledNumber: '+16145550123',
  startedAt: at(0),
  answeredAt: at(5),
  endedAt: at(60),
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

describe('poison never blocks', () => {
  it('a 3 KB source, a 450 KB record and an empty source are kept bounded, and their neighbours in the message are stored', async () => {
    const longSource = cdr('poison-1', { source: 's'.repeat(3000) });
    const huge = cdr('poison-2', { source: 'poison', accountId: 'a'.repeat(450_000) });
    const noSource = cdr('poison-3', { source: '' });
    const body = JSON.stringify([cdr('ok-1', { source: 'poison' }), longSource, huge, noSource, cdr('ok-2', { source: 'poison' })]);
    expect(Buffer.byteLength(body)).toBeGreaterThan(450_000);
    await enqueueBatch('cdrIngest', [body]);
    expect(await stack.drainIngest()).toBe(1);
    await nothingLeft();
    expect(await storedIds('poison')).toEqual(['ok-1', 'ok-2']);

    const kept = (await listRejects()).filter((r) => String(r.raw).includes('poison-'));
    expect(kept).toHaveLength(3);
    const source = kept.find((r) => r.raw.includes('poison-1'))!;
    expect(Buffer.byteLength(source.source)).toBe(REJECT_LIMITS.sourceBytes);
    expect(source.source).toMatch(/^s+…$/);
    expect(source.truncated).toEqual(['source']);
    expect(source.problems).toEqual([{ field: 'source', reason: 'must be at most 128 characters' }]);

    const big = kept.find((r) => r.raw.includes('poison-2'))!;
    const whole = JSON.stringify(huge);
    expect(big).toMatchObject({ kind: 'INVALID', source: 'poison', rawBytes: Buffer.byteLength(whole), rawSha256: sha256(whole), truncated: ['raw'], sightings: 1, status: 'OPEN' });
    expect(big.raw).toBe(whole.slice(0, REJECT_LIMITS.rawBytes));
    expect(big.problems).toEqual([{ field: 'accountId', reason: 'must be at most 64 characters' }]);

    expect(kept.find((r) => r.raw.includes('poison-3'))).toMatchObject({ source: '(none)', problems: [{ field: 'source', reason: 'must not be empty' }] });
  });

  it("a malformed record of a file run is kept alone: the run's other records are stored and every record counted", async () => {
    const body = JSON.stringify({
      ingestRun: 'run-malformed',
      seq: 0,
      file: 'mixed.jsonl',
      format: 'jsonl',
      options: { source: 'malformed' },
      records: [{ line: 1, raw: 'a', cdr: cdr('mal-1', { source: 'malformed' }) }, { line: 2, raw: 42, cdr: 'not an object' }, { line: 3, raw: 'c', cdr: cdr('mal-3', { source: 'malformed' }) }],
    });
    await enqueueBatch('cdrIngest', [body]);
    await stack.drainIngest();
    await nothingLeft();
    expect(await storedIds('malformed')).toEqual(['mal-1', 'mal-3']);
    expect(await getRun('run-malformed')).toMatchObject({ total: 3, accepted: 2, rejected: 1 });
    const [kept] = await listRejects({ source: 'malformed' });
    expect(kept).toMatchObject({ raw: '{"line":2,"raw":42,"cdr":"not an object"}', origin: { file: 'mixed.jsonl', line: 2, ingestRun: 'run-malformed' } });
    expect(kept!.problems[0]!.field).toBe('(envelope record)');
  });

  it('a reject that cannot be kept at all is logged with its hash and place, and the rest of the message goes through', async () => {
    const error = vi.spyOn(logger, 'error');
    // DynamoDB refuses every write of this one reject, as it would an item too large.
    refuse = (command, input) => command === 'TransactWriteItemsCommand' && JSON.stringify(input).includes('unkeepable-1');
    try {
      const bad = cdr('unkeepable-1', { source: 'unkeepable', charge: { amountMinor: -5, currency: 'USD' } });
      await enqueueBatch('cdrIngest', [JSON.stringify([cdr('keepable-1', { source: 'unkeepable' }), bad, cdr('keepable-2', { source: 'unkeepable' })])]);
      expect(await stack.drainIngest()).toBe(1);
      await nothingLeft();
      expect(await storedIds('unkeepable')).toEqual(['keepable-1', 'keepable-2']);
      expect(await listRejects({ source: 'unkeepable' })).toEqual([]);
      const logged = error.mock.calls.filter(([message]) => message === 'a rejected record could not be kept');
      expect(logged).toHaveLength(1);
      expect(logged[0]![1]).toMatchObject({ kind: 'INVALID', position: 1, rawSha256: sha256(JSON.stringify(bad)), rawBytes: Buffer.byteLength(JSON.stringify(bad)) });
    } finally {
      refuse = undefined;
      error.mockRestore();
    }
  });
});

describe('rejects are idempotent', () => {
  it('the same message delivered 3 times (the Lambda dying each time before SQS deletes it) is one reject, seen once', async () => {
    const bad = cdr('idem-1', { source: 'idem', calledNumber: '6145550123' });
    await enqueueBatch('cdrIngest', [JSON.stringify([cdr('idem-ok', { source: 'idem' }), bad])]);
    const url = stack.env[QUEUES.cdrIngest.env]!;
    for (let delivery = 0; delivery < 3; delivery++) {
      if (delivery > 0) await new Promise((r) => setTimeout(r, 1200));
      const received = await pollOnce(url, 'ingest-cdrs', async (event, context) => {
        await stack.handlers.ingest(event, context);
        throw new Error('timed out before returning');
      });
      expect(received).toBe(1);
    }
    await new Promise((r) => setTimeout(r, 1200));
    expect(await stack.drainIngest()).toBe(1); // the fourth delivery, which returns
    await nothingLeft();
    const kept = await listRejects({ source: 'idem' });
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ sightings: 1, raw: JSON.stringify(bad), problems: [{ field: 'calledNumber', reason: 'must be E.164: + and 8-15 digits' }] });
    expect(await storedIds('idem')).toEqual(['idem-ok']);
  });

  it('the same bad record sent in another message is the same reject, seen twice; in one message twice, twice more', async () => {
    const bad = cdr('again-1', { source: 'again', disposition: 'RINGING' });
    await enqueueBatch('cdrIngest', [JSON.stringify([bad])]);
    await stack.drainIngest();
    await enqueueBatch('cdrIngest', [JSON.stringify([bad, cdr('again-ok', { source: 'again' }), bad])]);
    await stack.drainIngest();
    const kept = await listRejects({ source: 'again' });
    expect(kept).toHaveLength(1);
    expect(kept[0]!.sightings).toBe(3);
    expect(kept[0]!.origin).toMatchObject({ index: 0 });
    expect(kept[0]!.lastOrigin).toMatchObject({ index: 2 });
    expect(Date.parse(kept[0]!.lastSeenAt)).toBeGreaterThan(Date.parse(kept[0]!.receivedAt));
  });

  it('the same file imported twice keeps one reject per bad record, each seen twice, and each run counts its own rejects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twice-'));
    const file = join(dir, 'twice.jsonl');
    const lines = [cdr('tw-1', { source: 'twice' }), cdr('tw-2', { source: 'twice', billedSeconds: -1 }), { ...cdr('tw-3', { source: 'twice' }), startedAt: 'yesterday' }, cdr('tw-4', { source: 'twice' })];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json at all\n`);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const sent = await sendFile(file, { format: 'jsonl', adapter: { source: 'twice' } });
      await stack.drainIngest();
      runs.push(await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 }));
    }
    expect(runs[0]).toMatchObject({ total: 5, accepted: 2, rejected: 3, duplicates: 0 });
    expect(runs[1]).toMatchObject({ total: 5, accepted: 0, rejected: 3, duplicates: 2 });
    const kept = await listRejects({ source: 'twice' });
    expect(kept.map((r) => [r.origin.line, r.sightings])).toEqual([[2, 2], [3, 2], [5, 2]]);
    for (const r of kept) expect(r.lastOrigin!.ingestRun).not.toBe(r.origin.ingestRun);
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

  const disputes = cliOf(stateFile);

  it('ingests the FreeSWITCH sample with a summary and exit status 2 for its conflict, lists it, and will not replay it', async () => {
    // The sample as written, its two days moved within retention.
    const file = join(dir, 'freeswitch-example-template.csv');
    writeFileSync(file, readFileSync(join(SAMPLES, 'freeswitch-example-template.csv'), 'utf8').replaceAll('2020/2/10', fsDay(recent(20))).replaceAll('2020/2/11', fsDay(recent(19))));
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
    const day = recent(20).toISOString().slice(0, 10);
    writeFileSync(file, `"","+13125550100","+16145550123","default","","SIP/a","SIP/b","Dial","","${day} 10:00:00","${day} 10:00:02","${day} 10:00:40",40,38,"ANSWERED","DOCUMENTATION","1767600000.1",""\n`);
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
