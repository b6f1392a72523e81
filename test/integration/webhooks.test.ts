// Signed webhooks through the real local stack: the publisher → webhook-events → fan-out → webhook-deliveries →
// signed POSTs to real node:http receivers that verify the signature (the README's few lines, 5-minute tolerance)
// and de-duplicate by event id. Backoff is shortened by configuration; everything else is as deployed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enqueue } from '../../lib/adapters/queues';
import { toPipelineEvent } from '../../lib/domain/adjustments/pipeline-events';
import { overdueEvent } from '../../lib/domain/webhooks/events';
import { DeliveryPage, WebhookEndpoint, WebhookEndpointWithSecret } from '../../lib/api/webhook-schemas';
import { loadScenarios } from '../fixtures/scenarios';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';

// Short backoff (0.3-0.6 s, doubling to at most 1.5 s), 60 s of retries; set before the stack reads them.
Object.assign(process.env, { WEBHOOK_BASE_DELAY_MS: '600', WEBHOOK_MAX_DELAY_MS: '1500', WEBHOOK_RETRY_HORIZON_MS: '60000', WEBHOOK_TIMEOUT_MS: '3000' });
process.env.API_TOKENS = JSON.stringify({ ...JSON.parse(process.env.API_TOKENS ?? '{}'), 'test-ticketing-2': { subject: 'other-tool', roles: ['ticketing'] } });

const ME = 'test-ticketing';
const OTHER = 'test-ticketing-2';
const scenario = loadScenarios().find((s) => s.name === 'billed-unanswered-partial-credit')!;

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
let pollers: { stop: () => Promise<void> }[] = [];
const stateFile = join(mkdtempSync(join(tmpdir(), 'webhooks-')), 'stack.json');

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(scenario.cdrLines.map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  // The local stream mapping loses an iterator taken on a still-empty stream shard at the table's first write
  // (/tmp/coord/requests-E.md 4): write a dispute before the pollers start. Its events find no endpoint yet.
  expect((await api.call('POST', '/v1/disputes', { token: ME, body: { ...scenario.dispute, ticketId: 'WH-WARM-UP' } })).status).toBe(202);
  writeFileSync(stateFile, JSON.stringify({ apiUrl: api.base, endpoints: inject('endpoints'), env: stack.env, tokens: { ticketing: ME, reviewer: 'test-reviewer', auditor: 'test-auditor' } }));
  pollers = stack.startPollers();
});
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await api?.close();
});

// --- What a receiver does (the README shows these lines) ----------------------------------------------------------
function verify(rawBody: string, header: string, secret: string, toleranceSeconds = 300): boolean {
  const parts = header.split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v ?? '') && timingSafeEqual(Buffer.from(v!, 'hex'), expected));
}

interface Received {
  eventId: string;
  deliveryId: string;
  signature: string;
  body: string;
  status: number;
  duplicate: boolean;
}

/** A real HTTP receiver: answers with `respond(n)` (n = 1-based request count), verifies and de-duplicates what it accepts. */
async function receiver(secrets: () => string[], respond: (n: number) => number = () => 200, port = 0) {
  const received: Received[] = [];
  const accepted = new Map<string, unknown>();
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      const signature = String(req.headers['dispute-signature'] ?? '');
      const eventId = String(req.headers['dispute-event-id'] ?? '');
      let status = respond(received.length + 1);
      if (status < 300 && !secrets().some((s) => verify(body, signature, s))) status = 400;
      const duplicate = status < 300 && accepted.has(eventId);
      if (status < 300 && !duplicate) accepted.set(eventId, JSON.parse(body));
      received.push({ eventId, deliveryId: String(req.headers['dispute-delivery-id'] ?? ''), signature, body, status, duplicate });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    port: address.port,
    received,
    accepted,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const createEndpoint = async (url: string, enabledEvents: string[], token = ME) => {
  const res = await api.call('POST', '/v1/webhook-endpoints', { token, body: { url, enabledEvents, description: 'test' } });
  expect(res.status).toBe(201);
  return WebhookEndpointWithSecret.parse(res.body);
};
const deliveries = async (endpointId: string) => {
  const res = await api.call('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`, { token: ME });
  expect(res.status).toBe(200);
  return DeliveryPage.parse(res.body).items;
};
/** A `dispute.overdue` on the webhook-events queue, as the publisher puts it on the bus and the rule on the queue. */
const publish = async (disputeId: string) => {
  const { detailType, detail } = toPipelineEvent(overdueEvent({ disputeId, accountId: 'acct-wh', ticketId: `T-${disputeId}`, origin: 'TICKET', status: 'RECOMMENDED', dueBy: '2026-11-08T15:00:00.000Z' }));
  await enqueue('webhookEvents', { version: '0', source: 'dispute-pipeline', 'detail-type': detailType, time: detail.at, detail });
  return detail.eventId;
};

describe('signed deliveries', () => {
  it("a receiver verifies every signature and gets a dispute's recommendation and decision, with no phone number", async () => {
    let secret = '';
    const hook = await receiver(() => [secret]);
    const endpoint = await createEndpoint(hook.url, ['dispute.recommended', 'dispute.decided']);
    secret = endpoint.secret;
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const opened = await api.call('POST', '/v1/disputes', { token: ME, body: { ...scenario.dispute, ticketId: 'WH-1' } });
    expect(opened.status).toBe(202);
    const disputeId = opened.body.disputeId as string;
    await until('the recommendation', async () => (await api.call('GET', `/v1/disputes/${disputeId}`, { token: 'test-reviewer' })).body.status === 'RECOMMENDED');
    expect((await api.call('POST', `/v1/disputes/${disputeId}/decision`, { token: 'test-reviewer', body: { action: 'ACCEPT' } })).status).toBe(200);
    const mine = () => ([...hook.accepted.values()] as { type: string; data: Record<string, unknown> }[]).filter((e) => e.data.disputeId === disputeId);
    await until('both events', () => mine().length === 2);
    const events = mine();
    expect(events.map((e) => e.type).sort()).toEqual(['dispute.decided', 'dispute.recommended']);
    expect(events.every((e) => e.data.ticketId === 'WH-1' && e.data.href === `/v1/disputes/${disputeId}`)).toBe(true);
    expect(events.find((e) => e.type === 'dispute.decided')?.data).toMatchObject({ status: 'DECIDED', by: 'rita.reviewer', decision: { action: 'ACCEPT', outcome: 'PARTIAL_CREDIT', creditAmount: { amountMinor: 45, currency: 'USD' } } });
    expect(hook.received.every((r) => r.status === 200 && /^t=\d+,v1=[0-9a-f]{64}$/.test(r.signature))).toBe(true);
    // No phone number in clear: neither the disputed destination nor any E.164.
    expect(hook.received.map((r) => r.body).join('\n')).not.toMatch(/\+\d{8,15}/);
    // A tampered body fails the same check.
    expect(verify(hook.received[0]!.body.replace('dispute', 'Dispute'), hook.received[0]!.signature, secret)).toBe(false);
    expect(verify(hook.received[0]!.body, hook.received[0]!.signature, 'whsec_other')).toBe(false);
    await api.call('DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME });
    await hook.close();
  });

  it('a receiver that fails (500, then connection refused) and recovers gets every event exactly once; the log shows each attempt', async () => {
    let secret = '';
    let hook = await receiver(() => [secret], (n) => (n <= 3 ? 500 : 200));
    const endpoint = await createEndpoint(hook.url, ['dispute.overdue']);
    secret = endpoint.secret;
    const ids = [await publish('RETRY-1'), await publish('RETRY-2'), await publish('RETRY-3')];
    await until('three refusals', () => hook.received.length >= 3);
    // Down: nothing listens on the port for a while.
    await hook.close();
    const port = hook.port;
    await new Promise((r) => setTimeout(r, 2500));
    const before = hook.received;
    hook = await receiver(() => [secret], () => 200, port);
    await until('all three delivered', async () => (await deliveries(endpoint.endpointId)).filter((d) => d.status === 'DELIVERED').length === 3, 30_000);
    // Every event accepted exactly once across the receiver's life (the first one accepted none).
    expect(before.filter((r) => r.status === 200)).toEqual([]);
    expect(hook.received.filter((r) => r.status === 200).map((r) => r.eventId).sort()).toEqual([...ids].sort());
    const log = await deliveries(endpoint.endpointId);
    expect(log.map((d) => d.eventId).sort()).toEqual([...ids].sort());
    const attempts = log.flatMap((d) => d.attempts);
    expect(attempts.filter((a) => a.responseCode === 500)).toHaveLength(3);
    expect(attempts.filter((a) => a.outcome === 'SUCCEEDED')).toHaveLength(3);
    expect(attempts.some((a) => a.error === 'connection refused' && a.responseCode === undefined)).toBe(true);
    for (const a of attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    for (const d of log) {
      expect(d.attempts.at(-1)).toMatchObject({ outcome: 'SUCCEEDED', responseCode: 200 });
      expect(d.attemptCount).toBe(d.attempts.length);
      // Backoff: each retry after the one before.
      const times = d.attempts.map((a) => Date.parse(a.at));
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(300);
    }
    const state = WebhookEndpoint.parse((await api.call('GET', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME })).body);
    expect(state).toMatchObject({ status: 'ENABLED' });
    expect(state.failingSince).toBeUndefined();
    expect(state.lastSuccessAt).toBeDefined();
    await api.call('DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME });
    await hook.close();
  });
});

describe('secrets, disabling, re-sends and ownership', () => {
  it('a secret roll signs with the new and the old secret during the overlap, then with the new one only', async () => {
    const secrets: string[] = [];
    const hook = await receiver(() => secrets);
    const endpoint = await createEndpoint(hook.url, ['dispute.overdue']);
    const oldSecret = endpoint.secret;
    const rolled = await api.call('POST', `/v1/webhook-endpoints/${endpoint.endpointId}/roll-secret`, { token: ME, body: { overlapHours: 1 } });
    expect(rolled.status).toBe(200);
    const { secret: newSecret, previousSecretExpiresAt } = WebhookEndpointWithSecret.parse(rolled.body);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(3_500_000);
    // A receiver still on the old secret accepts the delivery; one already on the new secret too.
    secrets.push(oldSecret);
    const first = await publish('ROLL-1');
    await until('the delivery during the overlap', () => hook.accepted.has(first));
    const during = hook.received.find((r) => r.eventId === first)!;
    expect(during.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verify(during.body, during.signature, newSecret)).toBe(true);
    expect(verify(during.body, during.signature, oldSecret)).toBe(true);
    // The secret is never read back.
    expect(JSON.stringify((await api.call('GET', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME })).body)).not.toContain('whsec_');
    // A roll without overlap: the previous secret stops at once.
    const again = WebhookEndpointWithSecret.parse((await api.call('POST', `/v1/webhook-endpoints/${endpoint.endpointId}/roll-secret`, { token: ME, body: { overlapHours: 0 } })).body);
    secrets.splice(0, secrets.length, again.secret);
    const second = await publish('ROLL-2');
    await until('the delivery after the overlap', () => hook.accepted.has(second));
    const after = hook.received.find((r) => r.eventId === second)!;
    expect(after.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(after.body, after.signature, newSecret)).toBe(false);
    await api.call('DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME });
    await hook.close();
  });

  it('a disabled endpoint gets nothing; one failing past the limit is disabled with the reason; a re-send delivers the same event again', async () => {
    let secret = '';
    const hook = await receiver(() => [secret]);
    const endpoint = await createEndpoint(hook.url, ['dispute.overdue']);
    secret = endpoint.secret;
    const disabled = await api.call('PATCH', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME, body: { disabled: true } });
    expect(disabled.body).toMatchObject({ status: 'DISABLED', disabledReason: 'disabled by ticket-tool' });
    await publish('OFF-1');
    await stack.drainWebhookEvents();
    await new Promise((r) => setTimeout(r, 1000));
    expect(hook.received).toEqual([]);
    expect(await deliveries(endpoint.endpointId)).toEqual([]);
    expect((await api.call('POST', `/v1/webhook-endpoints/${endpoint.endpointId}/deliveries/wd_00000000000000000000000000000000/redeliver`, { token: ME })).status).toBe(409);

    // Enabled again: new events flow; a re-send of a delivered one carries the same event id.
    const enabled = await api.call('PATCH', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME, body: { disabled: false } });
    expect(enabled.body.status).toBe('ENABLED');
    expect(enabled.body.disabledReason).toBeUndefined();
    const id = await publish('ON-1');
    await until('the delivery', () => hook.accepted.has(id));
    const [delivery] = await deliveries(endpoint.endpointId);
    const resent = await api.call('POST', `/v1/webhook-endpoints/${endpoint.endpointId}/deliveries/${delivery!.deliveryId}/redeliver`, { token: ME });
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ status: 'PENDING', generation: 1, redelivered: { by: 'ticket-tool' } });
    await until('the re-send', () => hook.received.filter((r) => r.eventId === id).length === 2);
    const both = hook.received.filter((r) => r.eventId === id);
    expect(both.map((r) => [r.deliveryId, r.duplicate])).toEqual([
      [delivery!.deliveryId, false],
      [delivery!.deliveryId, true],
    ]);
    const log = await until('the re-send logged', async () => (await deliveries(endpoint.endpointId)).find((d) => d.status === 'DELIVERED' && d.attemptCount === 2));
    expect(log.attempts.map((a) => [a.outcome, a.responseCode, a.manual ?? false])).toEqual([
      ['SUCCEEDED', 200, false],
      ['SUCCEEDED', 200, true],
    ]);
    await api.call('DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME });
    await hook.close();

    // Nothing listens here: after failing for longer than the limit (1 s in this test) it is disabled, with why.
    process.env.WEBHOOK_DISABLE_AFTER_MS = '1000';
    try {
      const dead = await createEndpoint(`http://127.0.0.1:${hook.port}/gone`, ['dispute.overdue']);
      await publish('DEAD-1');
      const state = await until('disabled', async () => {
        const e = WebhookEndpoint.parse((await api.call('GET', `/v1/webhook-endpoints/${dead.endpointId}`, { token: ME })).body);
        return e.status === 'DISABLED' ? e : undefined;
      });
      expect(state.disabledReason).toMatch(/^failing since \S+ without a successful delivery for 1000 ms \(last: connection refused\)$/);
      expect(state.failingSince).toBeDefined();
      // Its pending delivery is cancelled, not retried for 72 h.
      const [pending] = await until('cancelled', async () => {
        const d = await deliveries(dead.endpointId);
        return d[0]?.status === 'CANCELLED' ? d : undefined;
      });
      expect(pending!.reason).toContain('endpoint disabled before delivery');
      expect(pending!.attempts.every((a) => a.error === 'connection refused')).toBe(true);
    } finally {
      delete process.env.WEBHOOK_DISABLE_AFTER_MS;
    }
  });

  it("another client can neither see nor change your endpoint (404), nor re-send its deliveries", async () => {
    const endpoint = await createEndpoint('https://hooks.example.com/one', ['dispute.decided']);
    const paths: [string, string, unknown?][] = [
      ['GET', `/v1/webhook-endpoints/${endpoint.endpointId}`],
      ['PATCH', `/v1/webhook-endpoints/${endpoint.endpointId}`, { disabled: true }],
      ['DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`],
      ['POST', `/v1/webhook-endpoints/${endpoint.endpointId}/roll-secret`, {}],
      ['GET', `/v1/webhook-endpoints/${endpoint.endpointId}/deliveries`],
      ['POST', `/v1/webhook-endpoints/${endpoint.endpointId}/deliveries/wd_00000000000000000000000000000000/redeliver`],
    ];
    for (const [method, path, body] of paths) {
      const res = await api.call(method, path, { token: OTHER, body });
      expect([method, path, res.status, res.body.detail]).toEqual([method, path, 404, `webhook endpoint ${endpoint.endpointId} does not exist`]);
    }
    expect((await api.call('GET', '/v1/webhook-endpoints', { token: OTHER })).body).toEqual({ items: [] });
    // Untouched for its owner; reviewers have no access at all.
    expect((await api.call('GET', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME })).body).toMatchObject({ status: 'ENABLED', url: 'https://hooks.example.com/one' });
    expect((await api.call('GET', '/v1/webhook-endpoints', { token: 'test-reviewer' })).status).toBe(403);
    expect((await api.call('POST', '/v1/webhook-endpoints', { token: ME, body: { url: 'http://example.com/x', enabledEvents: ['dispute.decided'] } })).status).toBe(400);
    expect((await api.call('DELETE', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME })).status).toBe(204);
    expect((await api.call('GET', `/v1/webhook-endpoints/${endpoint.endpointId}`, { token: ME })).status).toBe(404);
  });
});

describe('disputes webhooks', () => {
  /** The CLI in its own process, pointed at this file's stack (as the ticketing client). */
  const cli = cliOf(stateFile);
  const disputes = (...args: string[]) => cli('webhooks', ...args);

  it('creates, shows the delivery log, disables, rolls and deletes through the API', async () => {
    let secret = '';
    const hook = await receiver(() => [secret], (n) => (n === 1 ? 503 : 200));
    const created = await disputes('create', '--url', hook.url, '--events', 'dispute.overdue', '--description', 'from the CLI');
    expect(created.status).toBe(0);
    const endpointId = /^(we_[0-9A-Z]{26}) {2}ENABLED {2}http:\/\/127\.0\.0\.1:\d+\/hooks$/m.exec(created.stdout)![1]!;
    secret = /signing secret: (whsec_[0-9a-f]{64})$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('  events: dispute.overdue  (from the CLI)');
    const id = await publish('CLI-1');
    await until('delivered after one refusal', () => hook.accepted.has(id));
    const log = await until('logged', async () => {
      const out = await disputes('deliveries', endpointId);
      return out.stdout.includes('DELIVERED') ? out : undefined;
    });
    expect(log.stdout).toMatch(new RegExp(`^wd_[0-9a-f]{32} {2}dispute\\.overdue {2}DELIVERED {2}event ${id} {2}2 attempts {2}delivered `, 'm'));
    expect(log.stdout).toMatch(/^ {2}#1 \S+ {2}FAILED {4}503 +\d+ ms {2}HTTP 503: not now$/m);
    expect(log.stdout).toMatch(/^ {2}#2 \S+ {2}SUCCEEDED 200 +\d+ ms$/m);
    const off = await disputes('disable', endpointId);
    expect(off.stdout).toContain(`${endpointId}  DISABLED  ${hook.url}\n  events: dispute.overdue  (from the CLI)\n  disabled: disabled by ticket-tool at `);
    const rolled = await disputes('roll', endpointId, '--overlap-hours', '2');
    expect(rolled.stdout).toMatch(/signing secret: whsec_[0-9a-f]{64}\n/);
    expect(rolled.stdout).toContain('the previous secret signs too until ');
    expect(await disputes('delete', endpointId)).toMatchObject({ status: 0, stdout: `${endpointId} deleted\n` });
    expect(await disputes('show', endpointId)).toMatchObject({ status: 1, stderr: `disputes: 404 Not Found: webhook endpoint ${endpointId} does not exist\n` });
    expect(await disputes('create', '--url', hook.url, '--events', 'dispute.opened')).toMatchObject({ status: 1, stderr: expect.stringContaining('--events must be one of dispute.recommended, dispute.decided') });
    await hook.close();
  });
});
