// Due dates through the real local stack: every dispute carries dueBy (its origin's service level after opening) and
// overdue; a dispute passing its due date undecided gets overdue: true and exactly one `dispute.overdue` event however
// often the sweep runs; the queue sorts and filters by due date; ticket tools poll changes with updatedSince and a
// cursor; a dispute stored before due dates gets its due date on read and from the sweep.
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, sqsClient } from '../../lib/adapters/aws';
import { Dispute, DisputePage, ProblemSchema } from '../../lib/api/schemas';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';

// A tiny service level for tickets: 1.8 seconds. Audit disputes keep theirs (120 h).
const TINY = 'TICKET=0.0005';
process.env.SERVICE_LEVEL_HOURS = TINY;
process.env.API_TOKENS = JSON.stringify({ ...JSON.parse(process.env.API_TOKENS ?? '{}'), 'test-billing': { subject: 'billing-system', roles: ['billing'] } });

const RITA = 'test-reviewer';
let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
const lotto = loadScenarios().find((s) => s.name === 'auto-attendant-never-connected')!;
const ids: Record<string, string> = {};
const events: { 'detail-type': string; detail: Record<string, unknown> }[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(ticketId: string): Promise<string> {
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...lotto.dispute, ticketId } });
  expect(opened.status).toBe(202);
  return opened.body.disputeId;
}
const get = async (id: string) => (await api.call('GET', `/v1/disputes/${id}`, { token: RITA })).body;
const list = async (query: string, token = RITA) => api.call('GET', `/v1/disputes?${query}`, { token });
const idsOf = (page: { items: { disputeId: string }[] }) => page.items.map((d) => d.disputeId);

async function collectEvents(): Promise<void> {
  await stack.drainDisputeChanges();
  for (;;) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return;
    events.push(...out.Messages.map((m) => JSON.parse(m.Body!)));
    await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}
const overdueEvents = (disputeId: string) => events.filter((e) => e['detail-type'] === 'Dispute Overdue' && e.detail.disputeId === disputeId);

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(lotto.cdrLines.map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  ids.late = await open('DUE-late');
  ids.decided = await open('DUE-decided');
  await stack.drainInvestigations();
  expect((await api.call('POST', `/v1/disputes/${ids.decided}/decision`, { token: RITA, body: { action: 'ACCEPT' } })).status).toBe(200);
  // Opened with the usual 48 h: due in two days, never overdue in this test.
  process.env.SERVICE_LEVEL_HOURS = 'TICKET=48';
  ids.onTime = await open('DUE-on-time');
  await stack.drainInvestigations();
  process.env.SERVICE_LEVEL_HOURS = TINY;
}, 120_000);
afterAll(() => api?.close());

describe('due dates', () => {
  it('every dispute carries dueBy from its opening and service level, and overdue once past it undecided', async () => {
    await sleep(2000);
    const late = await get(ids.late!);
    expect(Dispute.strict().safeParse(late).success).toBe(true);
    expect(Date.parse(late.dueBy) - Date.parse(late.openedAt)).toBe(1800);
    expect(late).toMatchObject({ status: 'RECOMMENDED', overdue: true });
    const decided = await get(ids.decided!);
    expect(Date.parse(decided.dueBy) - Date.parse(decided.openedAt)).toBe(1800);
    expect(decided).toMatchObject({ status: 'DECIDED', overdue: false });
    const onTime = await get(ids.onTime!);
    expect(Date.parse(onTime.dueBy) - Date.parse(onTime.openedAt)).toBe(48 * 3_600_000);
    expect(onTime).toMatchObject({ status: 'RECOMMENDED', overdue: false });
    expect(onTime.updatedAt).toBe(onTime.history.at(-1).at);
  });

  it('a dispute passing its due date undecided gets exactly one dispute.overdue, however often the sweep runs', async () => {
    const first = await stack.sweepOverdue();
    expect(first.marked).toEqual([ids.late]);
    const second = await stack.sweepOverdue();
    expect(second.marked).toEqual([]);
    await Promise.all([stack.sweepOverdue(), stack.sweepOverdue()]);
    await collectEvents();
    const late = await get(ids.late!);
    expect(late.overdueAt).toBeDefined();
    expect(late.updatedAt).toBe(late.overdueAt);
    expect(overdueEvents(ids.late!)).toHaveLength(1);
    expect(overdueEvents(ids.late!)[0]!.detail).toEqual({
      eventId: `${ids.late}#overdue`,
      at: late.dueBy,
      disputeId: ids.late,
      accountId: 'acct-lotto-fan',
      ticketId: 'DUE-late',
      origin: 'TICKET',
      status: 'RECOMMENDED',
      dueBy: late.dueBy,
      href: `/v1/disputes/${ids.late}`,
    });
    // Decided in time, or not yet due: no event.
    expect(overdueEvents(ids.decided!)).toHaveLength(0);
    expect(overdueEvents(ids.onTime!)).toHaveLength(0);
    // Deciding it afterwards ends overdue; the mark (and its one event) stay.
    expect((await api.call('POST', `/v1/disputes/${ids.late}/decision`, { token: RITA, body: { action: 'ACCEPT' } })).status).toBe(200);
    expect(await get(ids.late!)).toMatchObject({ status: 'DECIDED', overdue: false, overdueAt: late.overdueAt });
    await stack.sweepOverdue();
    await collectEvents();
    expect(overdueEvents(ids.late!)).toHaveLength(1);
  });

  it('the queue sorts by dueBy and filters overdue', async () => {
    const extra = (ids.extra = await open('DUE-extra'));
    await stack.drainInvestigations();
    await sleep(2000);
    const overdue = await list('overdue=true');
    expect(overdue.status).toBe(200);
    expect(DisputePage.strict().safeParse(overdue.body).success).toBe(true);
    expect(idsOf(overdue.body)).toEqual([extra]);
    expect(overdue.body.items[0].overdue).toBe(true);
    expect(idsOf((await list('overdue=false')).body)).toEqual([ids.onTime]);
    // Soonest due first: the one opened last is due first (1.8 s against 48 h).
    expect(idsOf((await list('sort=dueBy')).body)).toEqual([extra, ids.onTime]);
    expect(idsOf((await list('sort=openedAt')).body)).toEqual([ids.onTime, extra]);
    expect(idsOf((await list('status=DECIDED&overdue=true')).body)).toEqual([]);
    const paged = await list('sort=dueBy&limit=1');
    expect(idsOf(paged.body)).toEqual([extra]);
    expect(idsOf((await list(`sort=dueBy&limit=1&cursor=${paged.body.cursor}`)).body)).toEqual([ids.onTime]);
  });

  it('ticket tools poll changes with updatedSince and a cursor, oldest change first', async () => {
    const since = new Date().toISOString();
    await sleep(5);
    const polled = (ids.polled = await open('DUE-polled'));
    await stack.drainInvestigations();
    expect((await api.call('POST', `/v1/disputes/${ids.onTime}/decision`, { token: RITA, body: { action: 'ACCEPT' } })).status).toBe(200);
    // The ticket tool reads every change since, a page at a time.
    const seen: { disputeId: string; updatedAt: string; status: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`updatedSince=${encodeURIComponent(since)}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, 'test-ticketing');
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.cursor;
    } while (cursor);
    // The opened one is RECOMMENDED by now (its change moved it to its latest updatedAt), then the decision.
    expect(seen.map((d) => [d.disputeId, d.status])).toEqual([
      [polled, 'RECOMMENDED'],
      [ids.onTime, 'DECIDED'],
    ]);
    expect(seen.every((d) => d.updatedAt >= since)).toBe(true);
    expect(seen[0]!.updatedAt <= seen[1]!.updatedAt).toBe(true);
    expect(idsOf((await list(`updatedSince=${encodeURIComponent(since)}&status=DECIDED`)).body)).toEqual([ids.onTime]);
    expect(idsOf((await list(`updatedSince=${encodeURIComponent(new Date().toISOString())}`)).body)).toEqual([]);
    const refused = await list(`updatedSince=${encodeURIComponent(since)}&sort=dueBy`);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'query.sort', reason: 'updatedSince lists by change time: leave sort out' }]);
    expect(ProblemSchema.strict().safeParse(refused.body).success).toBe(true);
    expect((await list('updatedSince=yesterday')).status).toBe(400);
    expect((await list(`updatedSince=${encodeURIComponent(since)}`, 'test-billing')).status).toBe(403);
  });

  it('a dispute stored before due dates gets its due date on read, and from the sweep its place in the due order and its one event', async () => {
    const openedAt = new Date(Date.now() - 10_000).toISOString();
    const legacy = { ...lotto.dispute, ticketId: 'DUE-legacy', disputeId: '01LEGACY0000000000000000AA', origin: 'TICKET', status: 'RECOMMENDED', openedAt, displayOffset: '-05:00', history: [{ at: openedAt, by: 'ticket-tool', status: 'RECEIVED', note: 'opened' }] };
    await documentClient().send(new PutCommand({ TableName: stack.env.DISPUTES_TABLE, Item: { ...legacy, openedAtId: `${openedAt}#${legacy.disputeId}` } }));
    const read = await get(legacy.disputeId);
    expect(read).toMatchObject({ dueBy: new Date(Date.parse(openedAt) + 1800).toISOString(), overdue: true, updatedAt: openedAt });
    expect(idsOf((await list('overdue=true')).body)).not.toContain(legacy.disputeId);
    await sleep(2000);
    const swept = await stack.sweepOverdue();
    // The legacy one, and the two opened in the tests above with the tiny level, undecided and not swept since.
    expect(swept.dated).toBe(1);
    expect(swept.marked.sort()).toEqual([legacy.disputeId, ids.extra, ids.polled].sort());
    expect(idsOf((await list('overdue=true')).body)).toContain(legacy.disputeId);
    expect((await stack.sweepOverdue()).marked).toEqual([]);
    await collectEvents();
    expect(overdueEvents(legacy.disputeId)).toHaveLength(1);
  });
});
