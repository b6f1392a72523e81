// The reject lifecycle through the real local stack: rejects listed and read through the API, closed once (resolve,
// dismiss with a reason, keep or replace the stored CDR of a conflict) by the auditor, recorded with who and when;
// a replacement writes only the Cdrs item, conditionally, and the connect statistics follow it from the Cdrs stream;
// the same through the `disputes` command.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient } from '../../lib/adapters/aws';
import { cdrItemKey } from '../../lib/adapters/cdr-store';
import { enqueueBatch } from '../../lib/adapters/queues';
import { listRejects } from '../../lib/adapters/reject-store';
import { readStats } from '../../lib/adapters/stats-store';
import { type Cdr, cdrKey } from '../../lib/domain/cdr';
import type { Reject } from '../../lib/domain/rejects/reject';
import { bucketize, utcHour } from '../../lib/domain/statistics/connect-statistics';
import { RejectPage, Reject as RejectSchema } from '../../lib/api/reject-schemas';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';

const TOKENS = { ticketing: 'test-ticketing', reviewer: 'test-reviewer', auditor: 'test-auditor' };

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
  api = await stack.startApi();
  // The Cdrs stream drained while it is still empty: the local mapping must read on once CDRs arrive (DynamoDB
  // Local trims an iterator taken on an empty shard).
  await enqueueBatch('cdrIngest', [JSON.stringify([{ callId: 'not-a-cdr' }])]);
  await stack.drainIngest();
  await enqueueBatch('cdrIngest', [JSON.stringify([cdr('seed', 'lc-seed')])]);
  await stack.drainIngest();
});
afterAll(async () => {
  await api.close();
});

const DAY = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
const cdr = (callId: string, source: string, o: Partial<Cdr> = {}): Cdr => ({
  callId,
  source,
  accountId: 'acct-lc',
  callingNumber: '+13125550100',
  calledNumber: '+16145550177',
  startedAt: `${DAY}T10:00:00.000Z`,
  answeredAt: null,
  endedAt: `${DAY}T10:00:20.000Z`,
  disposition: 'NO_ANSWER',
  releaseCause: 19,
  billedSeconds: 0,
  charge: { amountMinor: 0, currency: 'USD' },
  ...o,
});

const ingest = async (...messages: unknown[][]) => {
  await enqueueBatch('cdrIngest', messages.map((m) => JSON.stringify(m)));
  await stack.drainIngest();
};

const rejectsOf = async (source: string) => listRejects({ source, all: true });
const storedCdr = async (c: Cdr) => (await documentClient().send(new GetCommand({ TableName: stack.env.CDRS_TABLE, Key: cdrItemKey(c), ConsistentRead: true }))).Item;

/** The stored statistics of a number against a recount of its stored CDRs, per UTC hour with calls. */
async function statsAndRecount(calledNumber: string) {
  const items = ((await documentClient().send(new ScanCommand({ TableName: stack.env.CDRS_TABLE }))).Items ?? []).filter((i) => i.calledNumber === calledNumber) as unknown as Cdr[];
  const recount = Object.fromEntries(bucketize(items).map((b) => [b.hour, b.counters]));
  const stored = await readStats(calledNumber, `${DAY}T00:00:00Z`, new Date(Date.parse(`${DAY}T00:00:00Z`) + 2 * 86_400_000).toISOString());
  const counted = Object.fromEntries(stored.filter((b) => b.counters.attempts > 0).map((b) => [b.hour, b.counters]));
  return { counted, recount };
}

/** A stored CDR and a conflicting copy of it: the conflict reject. */
async function conflictOn(callId: string, source: string, stored: Partial<Cdr>, incoming: Partial<Cdr>): Promise<Reject> {
  await ingest([cdr(callId, source, stored)]);
  await ingest([cdr(callId, source, incoming)]);
  const conflict = (await rejectsOf(source)).find((r) => r.kind === 'CONFLICT' && r.incomingCdr?.callId === callId && r.status === 'OPEN');
  expect(conflict).toBeDefined();
  return conflict!;
}

describe('reading rejects through the API', () => {
  it('lists with filters and cursor paging, reads one, for the auditor only', async () => {
    await ingest(Array.from({ length: 7 }, (_, i) => cdr(`list-${i}`, 'lc-list', { billedSeconds: -i - 1 })));
    const conflict = await conflictOn('list-c', 'lc-list', {}, { billedSeconds: 3 });
    const all = await rejectsOf('lc-list');
    expect(all).toHaveLength(8);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.call('GET', `/v1/rejects?source=lc-list&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: TOKENS.auditor });
      expect(res.status).toBe(200);
      expect(RejectPage.safeParse(res.body).success).toBe(true);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((r: Reject) => r.rejectId));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(all.map((r) => r.rejectId).sort());
    expect(pages).toBeGreaterThanOrEqual(3);

    const conflicts = await api.call('GET', '/v1/rejects?source=lc-list&kind=CONFLICT', { token: TOKENS.auditor });
    expect(conflicts.body.items.map((r: Reject) => r.rejectId)).toEqual([conflict.rejectId]);
    // A conflict names its differing fields too: billedSeconds matches all 8, of which 7 invalid.
    expect((await api.call('GET', '/v1/rejects?source=lc-list&reason=billedSeconds&limit=100', { token: TOKENS.auditor })).body.items).toHaveLength(8);
    expect((await api.call('GET', '/v1/rejects?source=lc-list&reason=billedSeconds&kind=INVALID&limit=100', { token: TOKENS.auditor })).body.items).toHaveLength(7);
    expect((await api.call('GET', '/v1/rejects?source=lc-list&reason=conflict', { token: TOKENS.auditor })).body.items.map((r: Reject) => r.rejectId)).toEqual([conflict.rejectId]);
    expect((await api.call('GET', '/v1/rejects?source=lc-list&status=DISMISSED', { token: TOKENS.auditor })).body.items).toEqual([]);
    const scanned = await api.call('GET', '/v1/rejects?limit=100&status=ALL', { token: TOKENS.auditor });
    expect(scanned.body.items.filter((r: Reject) => r.source === 'lc-list')).toHaveLength(8);

    const one = await api.call('GET', `/v1/rejects/${conflict.rejectId}`, { token: TOKENS.auditor });
    expect(one.status).toBe(200);
    expect(RejectSchema.safeParse(one.body).success).toBe(true);
    expect(one.body).toMatchObject({ rejectId: conflict.rejectId, kind: 'CONFLICT', status: 'OPEN', sightings: 1, storedCdr: { callId: 'list-c', billedSeconds: 0 }, incomingCdr: { callId: 'list-c', billedSeconds: 3 } });

    expect((await api.call('GET', '/v1/rejects', { token: TOKENS.reviewer })).status).toBe(403);
    expect((await api.call('GET', `/v1/rejects/${conflict.rejectId}`, { token: TOKENS.ticketing })).status).toBe(403);
    expect((await api.call('GET', '/v1/rejects')).status).toBe(401);
    expect((await api.call('GET', '/v1/rejects/0000000000000000000000000Z', { token: TOKENS.auditor })).status).toBe(404);
    const forged = await api.call('GET', `/v1/rejects?source=lc-list&cursor=${Buffer.from(JSON.stringify({ rejectId: 'x', source: 'other' })).toString('base64url')}`, { token: TOKENS.auditor });
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([{ field: 'query.cursor', reason: 'not a cursor this API returned for these filters' }]);
    expect((await api.call('GET', '/v1/rejects/not-an-id', { token: TOKENS.auditor })).status).toBe(400);
  });
});

describe('closing rejects through the API', () => {
  it('resolve: once, with who, when and the note; again is 409 naming who closed it; other roles 403', async () => {
    await ingest([cdr('res-1', 'lc-res', { charge: { amountMinor: -1, currency: 'USD' } })]);
    const [reject] = await rejectsOf('lc-res');
    const path = `/v1/rejects/${reject!.rejectId}/resolve`;
    expect((await api.call('POST', path, { token: TOKENS.reviewer })).status).toBe(403);
    expect((await api.call('POST', path, { token: TOKENS.ticketing })).status).toBe(403);
    const before = Date.now();
    const res = await api.call('POST', path, { token: TOKENS.auditor, body: { note: 'rated again at the switch and re-sent' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'RESOLVED', resolution: { status: 'RESOLVED', by: 'audrey.auditor', reason: 'rated again at the switch and re-sent' } });
    expect(Date.parse(res.body.resolution.at)).toBeGreaterThanOrEqual(before - 1000);
    const again = await api.call('POST', path, { token: TOKENS.auditor });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/status-conflict');
    expect(again.body.detail).toMatch(/already RESOLVED by audrey\.auditor at /);
    expect((await rejectsOf('lc-res'))[0]).toMatchObject({ status: 'RESOLVED' });
    expect(await listRejects({ source: 'lc-res' })).toEqual([]); // open ones only
  });

  it('dismiss: needs a reason (400 on body.reason), then closes any kind; a new sighting counts but does not reopen it', async () => {
    const bad = cdr('dis-1', 'lc-dis', { disposition: 'RINGING' as Cdr['disposition'] });
    await ingest([bad]);
    const [reject] = await rejectsOf('lc-dis');
    const path = `/v1/rejects/${reject!.rejectId}/dismiss`;
    const missing = await api.call('POST', path, { token: TOKENS.auditor, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('body.reason');
    const res = await api.call('POST', path, { token: TOKENS.auditor, body: { reason: 'lab switch test calls' } });
    expect(res.body).toMatchObject({ status: 'DISMISSED', resolution: { by: 'audrey.auditor', reason: 'lab switch test calls' } });
    await ingest([bad]);
    expect((await rejectsOf('lc-dis'))[0]).toMatchObject({ rejectId: reject!.rejectId, status: 'DISMISSED', sightings: 2 });
  });

  it('keep: settles a conflict, the stored CDR untouched; keep and replace refuse an invalid record, resolve refuses a conflict', async () => {
    const conflict = await conflictOn('keep-1', 'lc-keep', {}, { billedSeconds: 7 });
    const before = await storedCdr(conflict.storedCdr!);
    expect((await api.call('POST', `/v1/rejects/${conflict.rejectId}/resolve`, { token: TOKENS.auditor })).status).toBe(409);
    const kept = await api.call('POST', `/v1/rejects/${conflict.rejectId}/keep`, { token: TOKENS.auditor });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ status: 'KEPT', resolution: { status: 'KEPT', by: 'audrey.auditor' } });
    expect(await storedCdr(conflict.storedCdr!)).toEqual(before);
    expect((await api.call('POST', `/v1/rejects/${conflict.rejectId}/replace`, { token: TOKENS.auditor })).status).toBe(409);

    await ingest([cdr('keep-2', 'lc-keep', { billedSeconds: -3 })]);
    const invalid = (await rejectsOf('lc-keep')).find((r) => r.kind === 'INVALID')!;
    for (const action of ['keep', 'replace']) {
      const res = await api.call('POST', `/v1/rejects/${invalid.rejectId}/${action}`, { token: TOKENS.auditor });
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/not a conflict/);
    }
  });

  it('replace: the conflicting CDR becomes the stored one (only the Cdrs item), and the statistics follow it exactly', async () => {
    const number = '+16145550188';
    // Unanswered at 10:00 stored; the switch's corrected copy says answered at 11:30 with 40 s of talk.
    const conflict = await conflictOn('rep-1', 'lc-rep', { calledNumber: number }, {
      calledNumber: number,
      startedAt: `${DAY}T11:30:00.000Z`,
      answeredAt: `${DAY}T11:30:04.000Z`,
      endedAt: `${DAY}T11:30:44.000Z`,
      disposition: 'ANSWERED',
      releaseCause: 16,
      billedSeconds: 40,
      charge: { amountMinor: 7, currency: 'USD' },
    });
    await ingest([cdr('rep-2', 'lc-rep', { calledNumber: number })]);
    const before = await statsAndRecount(number);
    expect(before.counted).toEqual(before.recount);
    expect(before.counted[utcHour(`${DAY}T10:00:00Z`)]).toMatchObject({ attempts: 2, answered: 0 });

    const res = await api.call('POST', `/v1/rejects/${conflict.rejectId}/replace`, { token: TOKENS.auditor, body: { note: 'the switch re-rated it' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'REPLACED', resolution: { status: 'REPLACED', by: 'audrey.auditor', reason: 'the switch re-rated it' } });
    const stored = (await storedCdr(conflict.storedCdr!))!;
    expect(stored).toMatchObject({ ...conflict.incomingCdr, startedAtUtc: expect.stringContaining(`${DAY}T11:30:00`) });

    await stack.drainIngest(); // the Cdrs stream: the old content out of its hour, the new one into its own
    const after = await statsAndRecount(number);
    expect(after.counted).toEqual(after.recount);
    expect(after.counted[utcHour(`${DAY}T10:00:00Z`)]).toMatchObject({ attempts: 1, answered: 0 });
    expect(after.counted[utcHour(`${DAY}T11:30:00Z`)]).toMatchObject({ attempts: 1, answered: 1, talkMillis: 40_000 });
  });

  it('replace is refused (409 on storedCdr) when the stored CDR changed since the conflict was recorded, and nothing changes', async () => {
    // Two conflicting copies of one call: replacing with the first changes what the second recorded as stored.
    await ingest([cdr('chg-1', 'lc-chg')]);
    await ingest([cdr('chg-1', 'lc-chg', { billedSeconds: 1 })]);
    await ingest([cdr('chg-1', 'lc-chg', { billedSeconds: 2 })]);
    const conflicts = (await rejectsOf('lc-chg')).filter((r) => r.kind === 'CONFLICT');
    expect(conflicts.map((r) => r.incomingCdr!.billedSeconds).sort()).toEqual([1, 2]);
    const [first, second] = [conflicts.find((r) => r.incomingCdr!.billedSeconds === 1)!, conflicts.find((r) => r.incomingCdr!.billedSeconds === 2)!];
    expect((await api.call('POST', `/v1/rejects/${first.rejectId}/replace`, { token: TOKENS.auditor })).status).toBe(200);
    const refused = await api.call('POST', `/v1/rejects/${second.rejectId}/replace`, { token: TOKENS.auditor });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ field: 'storedCdr', reason: 'changed since the conflict was recorded' }]);
    expect((await storedCdr(first.storedCdr!))!.billedSeconds).toBe(1);
    expect((await rejectsOf('lc-chg')).find((r) => r.rejectId === second.rejectId)).toMatchObject({ status: 'OPEN' });
    expect(cdrKey(first.storedCdr!)).toBe(cdrKey(second.storedCdr!));
  });
});

describe('the disputes command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  const stateFile = join(dir, 'stack.json');
  beforeAll(() => {
    writeFileSync(stateFile, JSON.stringify({ apiUrl: api.base, endpoints: inject('endpoints'), env: stack.env, tokens: TOKENS }));
  });
  const disputes = cliOf(stateFile);

  it('resolves, dismisses, keeps and replaces as the auditor; list --all shows each with who, when and sightings', async () => {
    await ingest([cdr('cli-1', 'lc-cli', { billedSeconds: -1 }), cdr('cli-2', 'lc-cli', { billedSeconds: -2 })]);
    await ingest([cdr('cli-2', 'lc-cli', { billedSeconds: -2 })]); // seen again
    const keep = await conflictOn('cli-k', 'lc-cli', {}, { billedSeconds: 5 });
    const replace = await conflictOn('cli-r', 'lc-cli', {}, { billedSeconds: 6 });
    const invalid = (await rejectsOf('lc-cli')).filter((r) => r.kind === 'INVALID').sort((a, b) => a.raw.localeCompare(b.raw));

    const refused = await disputes('rejects', 'dismiss', invalid[1]!.rejectId);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/dismiss needs --reason TEXT/);
    expect((await disputes('rejects', 'resolve', 'nope')).stderr).toMatch(/nope is not a reject id/);

    const resolved = await disputes('rejects', 'resolve', invalid[0]!.rejectId, '--note', 'fixed at the switch');
    expect(resolved.stdout).toMatch(new RegExp(`^${invalid[0]!.rejectId} resolved: RESOLVED by audrey\\.auditor at \\S+: fixed at the switch`));
    expect((await disputes('rejects', 'dismiss', invalid[1]!.rejectId, '--reason', 'test data')).stdout).toMatch(/dismissed: DISMISSED by audrey\.auditor at \S+: test data/);
    expect((await disputes('rejects', 'keep', keep.rejectId)).stdout).toMatch(/settled: the stored CDR kept: KEPT by audrey\.auditor/);
    expect((await disputes('rejects', 'replace', replace.rejectId)).stdout).toMatch(/settled: the stored CDR replaced by the conflicting one: REPLACED by audrey\.auditor/);
    expect((await storedCdr(replace.storedCdr!))!.billedSeconds).toBe(6);
    const again = await disputes('rejects', 'keep', keep.rejectId);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/409 Conflict: reject \S+ is already KEPT by audrey\.auditor/);

    expect((await disputes('rejects', 'list', '--source', 'lc-cli')).stdout).toMatch(/^0 rejects open/m);
    const all = (await disputes('rejects', 'list', '--source', 'lc-cli', '--all')).stdout;
    expect(all).toMatch(/^4 rejects \(5 sightings\)$/m);
    expect(all).toMatch(new RegExp(`${invalid[1]!.rejectId}  INVALID  DISMISSED by audrey\\.auditor at \\S+: test data\\n.*seen 2 times, first \\S+, last \\S+`));
    const json = (await disputes('rejects', 'list', '--source', 'lc-cli', '--status', 'REPLACED', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Reject);
    expect(json.map((r) => [r.rejectId, r.status, r.resolution?.by])).toEqual([[replace.rejectId, 'REPLACED', 'audrey.auditor']]);
  }, 120_000);
});
