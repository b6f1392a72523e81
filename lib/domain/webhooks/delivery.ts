// One event on its way to one endpoint (PRODUCT.md §5): its id is derived from the event and the endpoint, so the
// same event fanned out twice is one delivery; it keeps its last attempts (status, latency, response code, error)
// for the owner's delivery log, and says when the next attempt is due or why there is none.
import { type RetryPolicy, nextAttemptAt } from './retry';
import type { WebhookEventType } from './events';

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;
/** PENDING until an attempt succeeds (DELIVERED), the retry horizon passes (FAILED) or the endpoint is disabled or deleted first (CANCELLED). */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The attempts a delivery keeps: the most recent ones; `attemptCount` counts them all. */
export const ATTEMPTS_KEPT = 20;
/** How long a delivery (and its log) is kept. */
export const DELIVERY_RETENTION_DAYS = 30;

export interface DeliveryAttempt {
  /** 1-based, across the delivery's whole life (re-sends included). */
  attempt: number;
  at: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  latencyMs: number;
  /** The receiver's HTTP status, when it answered. */
  responseCode?: number;
  /** Why it failed without a status (timeout, connection refused, …) or what a non-2xx said first. */
  error?: string;
  /** Made by a re-send the owner asked for. */
  manual?: boolean;
}

export interface WebhookDelivery {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  /** The exact body every attempt sends. */
  payload: string;
  createdAt: string;
  status: DeliveryStatus;
  attemptCount: number;
  attempts: DeliveryAttempt[];
  /** Start of the current retry window: the first attempt, or the last re-send. */
  firstAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  /** Why it is FAILED or CANCELLED. */
  reason?: string;
  /** Raised by each re-send: a queue message of an earlier generation is stale and dropped. */
  generation: number;
  redelivered?: { by: string; at: string };
}

/** The delivery after an attempt: delivered, or the next attempt scheduled, or FAILED past the horizon. */
export function afterAttempt(delivery: WebhookDelivery, attempt: Omit<DeliveryAttempt, 'attempt'>, random: number, policy: RetryPolicy): WebhookDelivery {
  const number = delivery.attemptCount + 1;
  const first = delivery.firstAttemptAt ?? attempt.at;
  const attempts = [...delivery.attempts, { attempt: number, ...attempt }].slice(-ATTEMPTS_KEPT);
  const base = { ...delivery, attemptCount: number, attempts, firstAttemptAt: first, nextAttemptAt: undefined, reason: undefined };
  if (attempt.outcome === 'SUCCEEDED') return { ...base, status: 'DELIVERED', deliveredAt: attempt.at };
  // Attempts within this retry window (after the last re-send) set the backoff.
  const inWindow = delivery.attempts.filter((a) => Date.parse(a.at) >= Date.parse(first)).length + 1;
  const next = nextAttemptAt(first, inWindow, attempt.at, random, policy);
  if (next === undefined) return { ...base, status: 'FAILED', reason: `no success within ${Math.round(policy.horizonMs / 3_600_000)} h of retries (${number} attempts)` };
  return { ...base, status: 'PENDING', nextAttemptAt: next };
}

/** What a queue message does with the delivery it names. */
export type DeliveryStep = { kind: 'attempt' } | { kind: 'wait'; ms: number } | { kind: 'drop'; why: string };

/** Whether a message of `generation` should attempt now, wait until the delivery is due, or be dropped. */
export function nextStep(delivery: WebhookDelivery | undefined, generation: number, now: Date): DeliveryStep {
  if (!delivery) return { kind: 'drop', why: 'no such delivery (expired)' };
  if (generation < delivery.generation) return { kind: 'drop', why: 'superseded by a re-send' };
  if (delivery.status !== 'PENDING') return { kind: 'drop', why: `already ${delivery.status}` };
  const ms = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) - now.getTime() : 0;
  return ms > 0 ? { kind: 'wait', ms } : { kind: 'attempt' };
}

/** SQS counts visibility in whole seconds, at most 12 h from the receive: a delay as a visibility timeout. */
export const visibilitySeconds = (ms: number): number => Math.min(43_000, Math.max(1, Math.ceil(ms / 1000)));
