// Property-based, through the real pipeline: random Asterisk files mixing good rows, repeats, conflicting copies and
// every kind of damage. Whatever the mix, accepted + duplicates + conflicts + rejected = records read, the store
// holds the first copy of each call, and every reject and conflict is kept with its line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../lib/adapters/aws';
import { listRejects } from '../../lib/adapters/reject-store';
import { sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { testStack } from '../support/stack';

type Row = { kind: 'good'; id: number; variant: number } | { kind: 'damaged'; text: Buffer };

const goodRow = (id: number, variant: number) =>
  `"acct-9","3125550100","6145550123","default","","SIP/a","SIP/b","Dial","","2026-02-0${1 + (id % 9)} 10:00:00","2026-02-0${1 + (id % 9)} 10:00:03","2026-02-0${1 + (id % 9)} 10:01:00",60,${57 - variant},"ANSWERED","DOCUMENTATION","call-${id}",""`;

const damaged: fc.Arbitrary<Buffer> = fc.oneof(
  fc.nat(16).map((n) => Buffer.from(goodRow(n % 5, 0).split(',').slice(0, n + 1).join(','))), // truncated: too few columns
  fc.constant(Buffer.from(`${goodRow(0, 0)},"extra"`)), // 19 columns
  fc.constantFrom('2026-02-30 10:00:00', '10:00', '2026-03-08 02:15:00').map((d) => Buffer.from(goodRow(1, 0).replace('2026-02-02 10:00:00', d))), // bad dates
  fc.constant(Buffer.concat([Buffer.from(goodRow(2, 0).split('call-2')[0]!), Buffer.from([0x63, 0xfe]), Buffer.from(goodRow(2, 0).split('call-2')[1]!)])), // not UTF-8 in the call id
  fc.constant(Buffer.from(goodRow(3, 0).replace('"default"', `"${'d'.repeat(70_000)}"`))), // huge field
  // Noise (without quotes: a stray quote may rightly join lines into one CSV record; test/formats covers those).
  fc.string({ minLength: 1, maxLength: 60 }).map((s) => Buffer.from(`x${s.replace(/[\r\n"]/g, ' ')}`)),
);

const rows: fc.Arbitrary<Row[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('good' as const), id: fc.nat(5), variant: fc.nat(1) }) },
    { weight: 1, arbitrary: damaged.map((text) => ({ kind: 'damaged' as const, text })) },
  ),
  { minLength: 1, maxLength: 40 },
);

/** Rows of the same text (the same damaged bytes, or the same copy of a call). */
const rowKey = (r: Row) => (r.kind === 'good' ? `good ${r.id} ${r.variant}` : `damaged ${r.text.toString('base64')}`);

/** What the pipeline must do: the first copy of a call is stored, the same again is a duplicate, another a conflict. */
function expected(file: Row[]) {
  const stored = new Map<number, number>();
  const outcome = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0 };
  const keptLines: number[] = [];
  file.forEach((row, i) => {
    if (row.kind === 'damaged') {
      outcome.rejected++;
      keptLines.push(i + 1);
    } else if (!stored.has(row.id)) {
      stored.set(row.id, row.variant);
      outcome.accepted++;
    } else if (stored.get(row.id) === row.variant) outcome.duplicates++;
    else {
      outcome.conflicts++;
      keptLines.push(i + 1);
    }
  });
  return { outcome, stored, keptLines };
}

describe('random switch files through the pipeline', () => {
  let stack: Awaited<ReturnType<typeof testStack>>;
  beforeAll(async () => {
    stack = await testStack();
  });

  it('count every record read exactly once, store first copies, keep every reject and conflict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prop-'));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rows, async (file) => {
        const source = `prop-${run++}`;
        const path = join(dir, `${source}.csv`);
        writeFileSync(path, Buffer.concat(file.flatMap((r) => [r.kind === 'good' ? Buffer.from(goodRow(r.id, r.variant)) : r.text, Buffer.from('\n')])));
        const sent = await sendFile(path, { format: 'asterisk', adapter: { source, timezone: 'America/Chicago', country: 'US', accountColumn: 'accountcode' } });
        await stack.drainIngest();
        const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 });
        const want = expected(file);

        expect(sent.records).toBe(file.length);
        expect(summary).toMatchObject({ ...want.outcome, total: file.length, complete: true });
        const cdrs = ((await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }))).Items ?? []).filter((c) => c.source === source);
        expect(new Map(cdrs.map((c) => [Number(String(c.callId).slice(5)), 57 - Number(c.billedSeconds)]))).toEqual(want.stored);
        // The same text is one reject (rejects are idempotent): first seen on the first line with it, once per line.
        const kept = await listRejects({ source });
        const firstLines = want.keptLines.filter((line) => want.keptLines.find((l) => rowKey(file[l - 1]!) === rowKey(file[line - 1]!)) === line);
        expect(kept.map((r) => Number(r.origin.line)).sort((a, b) => a - b)).toEqual(firstLines);
        expect(kept.reduce((n, r) => n + r.sightings, 0)).toBe(want.keptLines.length);
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
