// Pure webhook rules: a delivery's attempts and schedule, what a queue message does with it, the bus events the
// fan-out understands, secret rolls, what an owner reads, and the signature a receiver checks.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ATTEMPTS_KEPT, type WebhookDelivery, afterAttempt, nextStep, visibilitySeconds } from '../../lib/domain/webhooks/delivery';
import { type WebhookEndpoint, endpointView, rollSecrets } from '../../lib/domain/webhooks/endpoint';
import { overdueEvent } from '../../lib/domain/webhooks/events';
import type { RetryPolicy } from '../../lib/domain/webhooks/retry';
import { signature } from '../../lib/adapters/webhook-sender';
import { deliveryIdOf } from '../../lib/use-cases/webhooks/fan-out';

const POLICY: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 12 * 3_600_000, horizonMs: 72 * 3_600_000, disableAfterMs: 72 * 3_600_000 };
const fresh: WebhookDelivery = {
  deliveryId: 'wd_x',
  endpointId: 'we_x',
  eventId: 'D1#2',
  eventType: 'dispute.recommended',
  payload: '{}',
  createdAt: '2026-11-30T00:00:00.000Z',
  status: 'PENDING',
  attemptCount: 0,
  attempts: [],
  generation: 0,
};
const failed = (at: string) => ({ at, outcome: 'FAILED' as const, latencyMs: 12, responseCode: 500, error: 'HTTP 500' });

describe('a delivery', () => {
  it('schedules the next attempt with backoff after a failure and is DELIVERED by a success', () => {
    const one = afterAttempt(fresh, failed('2026-11-30T00:00:01.000Z'), 0, POLICY);
    expect(one).toMatchObject({ status: 'PENDING', attemptCount: 1, firstAttemptAt: '2026-11-30T00:00:01.000Z', nextAttemptAt: '2026-11-30T00:00:31.000Z' });
    const two = afterAttempt(one, failed('2026-11-30T00:00:31.000Z'), 0.5, POLICY);
    // Second backoff 2 min: half of it, then jitter over the other half.
    expect(Date.parse(two.nextAttemptAt!) - Date.parse('2026-11-30T00:00:31.000Z')).toBe(90_000);
    const done = afterAttempt(two, { at: '2026-11-30T00:03:00.000Z', outcome: 'SUCCEEDED', latencyMs: 40, responseCode: 204 }, 0.5, POLICY);
    expect(done).toMatchObject({ status: 'DELIVERED', deliveredAt: '2026-11-30T00:03:00.000Z', attemptCount: 3 });
    expect(done.nextAttemptAt).toBeUndefined();
    expect(done.attempts.map((a) => [a.attempt, a.outcome, a.responseCode])).toEqual([
      [1, 'FAILED', 500],
      [2, 'FAILED', 500],
      [3, 'SUCCEEDED', 204],
    ]);
  });

  it('is FAILED once the next attempt would start past the horizon, and keeps only its last attempts', () => {
    let d = fresh;
    let at = Date.parse('2026-11-30T00:00:00.000Z');
    while (d.status === 'PENDING') {
      d = afterAttempt(d, failed(new Date(at).toISOString()), 0.5, POLICY);
      if (d.nextAttemptAt) at = Date.parse(d.nextAttemptAt);
    }
    expect(d.status).toBe('FAILED');
    expect(d.reason).toBe(`no success within 72 h of retries (${d.attemptCount} attempts)`);
    expect(d.attemptCount).toBeGreaterThan(12);
    expect(d.attemptCount).toBeLessThan(25);
    expect(at - Date.parse('2026-11-30T00:00:00.000Z')).toBeLessThanOrEqual(72 * 3_600_000);
    // 200 failures would keep 20.
    let many = fresh;
    for (let i = 0; i < 30; i++) many = afterAttempt(many, failed('2026-11-30T00:00:00.000Z'), 0, { ...POLICY, horizonMs: Number.MAX_SAFE_INTEGER });
    expect(many.attempts).toHaveLength(ATTEMPTS_KEPT);
    expect(many.attempts[0]!.attempt).toBe(11);
  });

  it('a re-send starts a new retry window at the first backoff', () => {
    const old = afterAttempt(afterAttempt(fresh, failed('2026-11-30T00:00:00.000Z'), 0, POLICY), failed('2026-11-30T00:01:00.000Z'), 0, POLICY);
    const resent: WebhookDelivery = { ...old, status: 'PENDING', generation: 1, firstAttemptAt: undefined, nextAttemptAt: undefined };
    const next = afterAttempt(resent, failed('2026-12-01T00:00:00.000Z'), 0, POLICY);
    expect(next).toMatchObject({ firstAttemptAt: '2026-12-01T00:00:00.000Z', nextAttemptAt: '2026-12-01T00:00:30.000Z', attemptCount: 3 });
  });

  it('a queue message attempts a due delivery, waits for one not yet due, and drops stale or finished ones', () => {
    const now = new Date('2026-11-30T00:00:10.000Z');
    expect(nextStep(fresh, 0, now)).toEqual({ kind: 'attempt' });
    expect(nextStep({ ...fresh, nextAttemptAt: '2026-11-30T00:00:40.000Z' }, 0, now)).toEqual({ kind: 'wait', ms: 30_000 });
    expect(nextStep({ ...fresh, generation: 2 }, 1, now)).toEqual({ kind: 'drop', why: 'superseded by a re-send' });
    expect(nextStep({ ...fresh, status: 'DELIVERED' }, 0, now)).toEqual({ kind: 'drop', why: 'already DELIVERED' });
    expect(nextStep(undefined, 0, now).kind).toBe('drop');
    expect([visibilitySeconds(200), visibilitySeconds(30_001), visibilitySeconds(13 * 3_600_000)]).toEqual([1, 31, 43_000]);
  });
});

describe('events on the bus', () => {
  it('the fan-out makes one delivery per enabled endpoint that wants the type, and none for other events', async () => {
    // fanOut's reading of an envelope is F's webhookEventOf (lib/domain/adjustments/pipeline-events.ts, tested there);
    // what is checked here is that a detail without an eventId is no event at all.
    const { fanOut } = await import('../../lib/use-cases/webhooks/fan-out');
    expect(await fanOut({ 'detail-type': 'Dispute Overdue', detail: { at: '2026-11-30T00:00:00Z' } }, new Date())).toEqual({ queued: 0, alreadyDone: 0 });
    expect(await fanOut({ 'detail-type': 42, detail: { eventId: 'x' } }, new Date())).toEqual({ queued: 0, alreadyDone: 0 });
    expect(overdueEvent({ disputeId: 'D2', accountId: 'a', ticketId: 'T2', origin: 'AUDIT', status: 'RECEIVED', dueBy: '2026-12-01T00:00:00Z' }).id).toBe('D2#overdue');
  });

  it('one delivery id per event and endpoint', () => {
    expect(deliveryIdOf('D1#3', 'we_A')).toMatch(/^wd_[0-9a-f]{32}$/);
    expect(deliveryIdOf('D1#3', 'we_A')).toBe(deliveryIdOf('D1#3', 'we_A'));
    expect(deliveryIdOf('D1#3', 'we_B')).not.toBe(deliveryIdOf('D1#3', 'we_A'));
  });
});

describe('secrets and what an owner reads', () => {
  it('a second roll cuts the first one’s longer overlap to its own', () => {
    const t0 = new Date('2026-11-30T00:00:00Z');
    const first = rollSecrets([{ secret: 'a', createdAt: '2026-11-01T00:00:00Z' }], 'b', t0, 24);
    const second = rollSecrets(first, 'c', new Date('2026-11-30T01:00:00Z'), 2);
    expect(second.map((s) => [s.secret, s.expiresAt])).toEqual([
      ['c', undefined],
      ['b', '2026-11-30T03:00:00.000Z'],
      ['a', '2026-11-30T03:00:00.000Z'],
    ]);
    expect(rollSecrets(second, 'd', new Date('2026-11-30T01:00:00Z'), 0).map((s) => s.secret)).toEqual(['d']);
  });

  it('an endpoint is read without its secrets or owner, with until when the previous secret signs', () => {
    const endpoint: WebhookEndpoint = {
      endpointId: 'we_1',
      owner: 'ticket-tool',
      url: 'https://x.example/h',
      enabledEvents: ['dispute.decided'],
      status: 'ENABLED',
      secrets: rollSecrets([{ secret: 'whsec_old', createdAt: '2026-11-01T00:00:00Z' }], 'whsec_new', new Date('2026-11-30T00:00:00Z'), 5),
      createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-30T00:00:00Z',
    };
    const view = endpointView(endpoint, new Date('2026-11-30T01:00:00Z'));
    expect(JSON.stringify(view)).not.toMatch(/whsec_|ticket-tool/);
    expect(view.previousSecretExpiresAt).toBe('2026-11-30T05:00:00.000Z');
    expect(endpointView(endpoint, new Date('2026-11-30T06:00:00Z')).previousSecretExpiresAt).toBeUndefined();
  });

  it('signs "<t>.<body>" with HMAC-SHA256, one v1 per secret, as receivers recompute it', () => {
    const body = '{"id":"D1#2"}';
    const expected = (secret: string) => createHmac('sha256', secret).update(`1764460800.${body}`).digest('hex');
    expect(signature(['s1', 's2'], 1764460800, body)).toBe(`t=1764460800,v1=${expected('s1')},v1=${expected('s2')}`);
    expect(expected('s1')).toMatch(/^[0-9a-f]{64}$/);
  });
});
