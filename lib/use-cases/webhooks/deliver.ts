// One attempt of one delivery: sign the stored event with the endpoint's active secrets, POST it, record the
// attempt, and say when the queue should bring the message back (the next attempt) or that it is done. An endpoint
// that has failed for three days without a success is disabled, with the reason its owner reads.
import { type DeliveryStep, afterAttempt, nextStep } from '../../domain/webhooks/delivery';
import { activeSecrets } from '../../domain/webhooks/endpoint';
import { type RetryPolicy, shouldDisable } from '../../domain/webhooks/retry';
import { logger } from '../../adapters/logger';
import { postWebhook, signature } from '../../adapters/webhook-sender';
import { cancelDelivery, claimDelivery, disableFailingEndpoint, getDelivery, getEndpoint, recordEndpointOutcome, saveAttempt } from '../../adapters/webhook-store';
import { setting, webhooksAllowLoopback } from '../../config';
import type { DeliveryMessage } from './endpoints';

/** The retry policy, from the environment (the tests shorten it). */
export const retryPolicy = (): RetryPolicy => ({
  baseDelayMs: setting('WEBHOOK_BASE_DELAY_MS'),
  maxDelayMs: setting('WEBHOOK_MAX_DELAY_MS'),
  horizonMs: setting('WEBHOOK_RETRY_HORIZON_MS'),
  disableAfterMs: setting('WEBHOOK_DISABLE_AFTER_MS'),
});

/** What the queue does with the message: delete it, or bring it back after `ms`. */
export type DeliverOutcome = { kind: 'done'; what: string } | { kind: 'again'; ms: number; what: string };

/** How long one attempt holds the delivery against a duplicate message: the timeout and some margin. */
const claimMs = () => setting('WEBHOOK_TIMEOUT_MS') + 20_000;

export async function deliverOnce(message: DeliveryMessage, now: () => Date = () => new Date(), random: () => number = Math.random): Promise<DeliverOutcome> {
  const delivery = await getDelivery(message.deliveryId);
  const step: DeliveryStep = nextStep(delivery, message.generation, now());
  if (step.kind === 'drop') return { kind: 'done', what: step.why };
  if (step.kind === 'wait') return { kind: 'again', ms: step.ms, what: 'not due yet' };
  const current = delivery!;
  const endpoint = await getEndpoint(current.endpointId);
  if (!endpoint || endpoint.status !== 'ENABLED') {
    const why = endpoint ? `endpoint disabled before delivery${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}` : 'endpoint deleted before delivery';
    await cancelDelivery(current, why);
    return { kind: 'done', what: why };
  }
  if (!(await claimDelivery(current.deliveryId, current.generation, now(), claimMs()))) return { kind: 'done', what: 'attempted by another message' };

  const started = now();
  const timestamp = Math.floor(started.getTime() / 1000);
  const result =
    !endpoint.url.startsWith('https://') && !webhooksAllowLoopback()
      ? { ok: false, latencyMs: 0, error: 'refused: only https:// is delivered to' }
      : await postWebhook(
          endpoint.url,
          current.payload,
          { 'Dispute-Signature': signature(activeSecrets(endpoint, started), timestamp, current.payload), 'Dispute-Event-Id': current.eventId, 'Dispute-Delivery-Id': current.deliveryId },
          setting('WEBHOOK_TIMEOUT_MS'),
        );
  const policy = retryPolicy();
  const attempt = {
    at: started.toISOString(),
    outcome: result.ok ? ('SUCCEEDED' as const) : ('FAILED' as const),
    latencyMs: result.latencyMs,
    ...(result.responseCode !== undefined ? { responseCode: result.responseCode } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(current.generation > 0 ? { manual: true } : {}),
  };
  const after = afterAttempt(current, attempt, random(), policy);
  if (!(await saveAttempt(current, after))) logger.warn('webhook attempt not recorded: another attempt was recorded first', { deliveryId: current.deliveryId });

  const finished = now().toISOString();
  const state = await recordEndpointOutcome(endpoint.endpointId, result.ok, finished);
  if (!result.ok && state && shouldDisable(state.failingSince, now(), policy)) {
    const hours = Math.round(policy.disableAfterMs / 3_600_000);
    const reason = `failing since ${state.failingSince} without a successful delivery for ${hours > 0 ? `${hours} h` : `${policy.disableAfterMs} ms`} (last: ${result.error ?? `HTTP ${result.responseCode}`})`;
    if (await disableFailingEndpoint(endpoint.endpointId, reason, finished)) logger.warn('webhook endpoint disabled', { endpointId: endpoint.endpointId, reason });
  }
  if (after.status === 'PENDING' && after.nextAttemptAt) return { kind: 'again', ms: Date.parse(after.nextAttemptAt) - now().getTime(), what: `attempt ${after.attemptCount} failed: ${result.error}` };
  return { kind: 'done', what: after.status === 'DELIVERED' ? `delivered on attempt ${after.attemptCount}` : `${after.status}: ${after.reason}` };
}
