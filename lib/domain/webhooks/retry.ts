// When a failed webhook delivery is tried again (PRODUCT.md §5): exponential backoff with full jitter, the way
// Stripe and the AWS SDKs retry, for up to 72 hours after the first attempt; an endpoint that has failed for three
// days without a single success is disabled, with the reason kept for its owner.

export interface RetryPolicy {
  /** Delay before the second attempt; each later one doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts later than this after the first. */
  horizonMs: number;
  /** An endpoint failing this long without a success is disabled. */
  disableAfterMs: number;
}

const HOUR = 3_600_000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 12 * HOUR, horizonMs: 72 * HOUR, disableAfterMs: 72 * HOUR };

/**
 * When attempt `attempt + 1` is due after attempt number `attempt` (1-based) failed at `failedAt`, or undefined once
 * the horizon is passed. `random` in [0, 1) spreads retries so a recovering receiver is not hit by all at once;
 * the delay is at least half the backoff, so retries never bunch at zero.
 */
export function nextAttemptAt(firstAttemptAt: string, attempt: number, failedAt: string, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): string | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const delay = backoff / 2 + (backoff / 2) * random;
  const at = Date.parse(failedAt) + delay;
  return at - Date.parse(firstAttemptAt) > policy.horizonMs ? undefined : new Date(at).toISOString();
}

/** Whether an endpoint failing since `failingSince` (no success after it) should be disabled at `now`. */
export const shouldDisable = (failingSince: string | undefined, now: Date, policy: RetryPolicy = DEFAULT_RETRY_POLICY): boolean =>
  failingSince !== undefined && now.getTime() - Date.parse(failingSince) >= policy.disableAfterMs;
