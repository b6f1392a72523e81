// Text from every Unicode plane through the local pipeline (SQS emulator → ingest → DynamoDB Local → API → events
// queue), and the emulator's body check exactly as real SQS's: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
// #x10000-#x10FFFF (fauxqs 1.9 lacks the last range; infra/local/patches adds it at install).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient } from '../../lib/adapters/aws';
import { accountCallsInWindow } from '../../lib/adapters/cdr-store';
import { listRejects } from '../../lib/adapters/reject-store';
import { ROOT } from '../../lib/config';
import { sendFile, waitForRun } from '../../lib/use-cases/ingest/import-file';
import { testStack } from '../support/stack';

/** One character from each plane a CDR or a dispute may carry. */
const PLANES = {
  'U+00E9 é (Latin-1)': 'é',
  'U+4E2D 中 (CJK, BMP)': '中',
  'U+1F600 😀 (plane 1)': '😀',
  'U+1D11E 𝄞 (plane 1)': '𝄞',
  'U+20000 𠀀 (plane 2)': '\u{20000}',
  'U+E0041 (plane 14, tag)': '\u{E0041}',
  'U+10FFFD (plane 16, private use)': '\u{10FFFD}',
};
const ALL = Object.values(PLANES).join('');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'unicode', 'freeswitch-every-plane.csv');
const ACCOUNT = `acct-${ALL}`;
const CALLED = '+16145550123';
const WINDOW = { from: '2026-11-01T00:00:00-05:00', to: '2026-11-03T00:00:00-05:00' };

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
let probeQueue: string;

beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
  api = await stack.startApi();
  probeQueue = (await sqsClient().send(new CreateQueueCommand({ QueueName: `unicode-probe-${randomBytes(4).toString('hex')}` }))).QueueUrl!;
});

afterAll(async () => {
  await api?.close();
  if (probeQueue) await sqsClient().send(new DeleteQueueCommand({ QueueUrl: probeQueue }));
});

/** Receives (and deletes) what the probe queue holds. */
async function drainProbe(): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: probeQueue, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body!));
    await sqsClient().send(new DeleteMessageBatchCommand({ QueueUrl: probeQueue, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

describe('the SQS emulator checks message bodies as real SQS does', () => {
  const ACCEPTED: Record<string, string> = {
    ...PLANES,
    'tab, line feed, carriage return': '\t\n\r',
    'U+0020 space (first of #x20-#xD7FF)': ' ',
    'U+D7FF (last before the surrogates)': '\uD7FF',
    'U+E000 (first after the surrogates)': '\uE000',
    'U+FFFD (last of the BMP range)': '\uFFFD',
    'U+10000 (first supplementary)': '\u{10000}',
    'U+10FFFF (last code point)': '\u{10FFFF}',
  };
  const REFUSED: Record<string, string> = {
    'U+0000': '\u0000',
    'U+0008': '\u0008',
    'U+000B': '\u000B',
    'U+001F': '\u001F',
    'U+FFFE': '\uFFFE',
    'U+FFFF': '\uFFFF',
    'a lone high surrogate': '\uD83D',
    'a lone low surrogate': '\uDE00',
    'a surrogate pair in the wrong order': '\uDE00\uD83D',
  };

  it.each(Object.entries(ACCEPTED))('accepts %s, alone and in a batch, and gives it back unchanged', async (_, text) => {
    const body = `<${text}>`;
    await sqsClient().send(new SendMessageCommand({ QueueUrl: probeQueue, MessageBody: body }));
    const batch = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: probeQueue, Entries: [{ Id: 'a', MessageBody: body }] }));
    expect(batch.Failed ?? []).toEqual([]);
    // The SDK checks MD5OfBody on send and receive: the emulator hashed the same UTF-8 bytes.
    expect(await drainProbe()).toEqual([body, body]);
  });

  it.each(Object.entries(REFUSED))('refuses %s, alone and in a batch', async (_, text) => {
    const body = `<${text}>`;
    await expect(sqsClient().send(new SendMessageCommand({ QueueUrl: probeQueue, MessageBody: body }))).rejects.toMatchObject({ name: expect.stringMatching(/InvalidMessageContents$/) as unknown });
    const batch = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: probeQueue, Entries: [{ Id: 'a', MessageBody: body }, { Id: 'b', MessageBody: 'fine' }] }));
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'a', Code: 'InvalidMessageContents', SenderFault: true })]);
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['b']);
    expect(await drainProbe()).toEqual(['fine']);
  });
});

describe('text from every plane through the pipeline', () => {
  const source = `fs-unicode-${randomBytes(3).toString('hex')}`;

  it('imports a FreeSWITCH file whose caller name, uuid and account code carry it: the CDR is stored and read back unchanged, the bad row kept as a reject with its raw text', async () => {
    const sent = await sendFile(FIXTURE, { format: 'freeswitch', adapter: { source, timezone: 'America/New_York', accountColumn: 'accountcode' } });
    await stack.drainIngest();
    expect(await waitForRun(sent.ingestRun, sent.records, { stallSeconds: 5, pollMs: 50 })).toMatchObject({ complete: true, total: 2, accepted: 1, rejected: 1 });

    const [cdr, ...others] = await accountCallsInWindow(ACCOUNT, CALLED, WINDOW.from, WINDOW.to);
    expect(others).toEqual([]);
    expect(cdr).toMatchObject({ callId: `call-${ALL}-1`, source, accountId: ACCOUNT, callingNumber: '+13125550142', calledNumber: CALLED, disposition: 'ANSWERED', billedSeconds: 60 });

    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    const rejects = await listRejects({ source, all: true });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ kind: 'INVALID', raw: lines[1], origin: expect.objectContaining({ line: 2 }) });
    expect(rejects[0]!.rawBase64).toBeUndefined();
    expect(rejects[0]!.raw).toContain(`Bob 😀 ${ALL}`);
    expect(rejects[0]!.problems.map((p) => p.field)).toContain('hangup_cause');
  });

  it('takes canonical JSON lines with it in the call id, source and account', async () => {
    const record = {
      callId: `json-${ALL}`,
      source: `src-${ALL}`,
      accountId: ACCOUNT,
      callingNumber: '+13125550142',
      calledNumber: CALLED,
      startedAt: '2026-11-02T11:00:00-05:00',
      answeredAt: '2026-11-02T11:00:04-05:00',
      endedAt: '2026-11-02T11:02:00-05:00',
      disposition: 'ANSWERED',
      releaseCause: 16,
      billedSeconds: 120,
      charge: { amountMinor: 20, currency: 'USD' },
    };
    await stack.sendCdrs([record]);
    await stack.drainIngest();
    const stored = await accountCallsInWindow(ACCOUNT, CALLED, WINDOW.from, WINDOW.to);
    expect(stored.find((c) => c.callId === record.callId)).toEqual(record);
  });

  it('opens a dispute with it in the ticket, account and customer statement; the API gives it back and its event reaches the events queue', async () => {
    const ticketId = `T-${ALL}`;
    const customerStatement = `Bob 😀 says: ${ALL} never connected`;
    const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { accountId: ACCOUNT, claim: 'NEVER_CONNECTED', calledNumber: CALLED, ...WINDOW, ticketId, customerStatement } });
    expect(opened.status).toBe(202);
    await stack.drainInvestigations();
    await stack.drainDisputeChanges();

    const read = await api.call('GET', `/v1/disputes/${opened.body.disputeId}`, { token: 'test-reviewer' });
    expect(read.body).toMatchObject({ status: 'RECOMMENDED', ticketId, accountId: ACCOUNT, customerStatement });
    const history = await api.call('GET', `/v1/accounts/${encodeURIComponent(ACCOUNT)}/disputes`, { token: 'test-reviewer' });
    expect(JSON.stringify(history.body)).toContain(opened.body.disputeId);

    const events: { 'detail-type': string; detail: Record<string, unknown> }[] = [];
    for (let attempt = 0; attempt < 5 && events.length === 0; attempt++) {
      const out = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: stack.env.DISPUTE_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      events.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body!) as (typeof events)[number]).filter((e) => e.detail.disputeId === opened.body.disputeId));
    }
    expect(events).toEqual([expect.objectContaining({ 'detail-type': 'Dispute Recommended', detail: expect.objectContaining({ ticketId, accountId: ACCOUNT, status: 'RECOMMENDED' }) })]);
  });
});
