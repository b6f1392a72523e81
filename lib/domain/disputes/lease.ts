// The review lease (PRODUCT.md §4.6): while a reviewer works a RECOMMENDED dispute it holds a short lease on it, so
// two reviewers do not decide it at once. A lease is state of the dispute item, not history: taking, renewing and
// releasing one is not a transition, and publishes no event. Whoever holds an unexpired lease is the only one who
// may decide or re-investigate the dispute; an expired lease is nobody's.
import { ConflictError } from '../errors';

/** How long a lease lasts from its last renewal. The console renews well before it runs out. */
export const LEASE_DURATION_MS = 5 * 60_000;

/** Who holds the dispute and until when (ISO-8601 UTC, as `Date.toISOString` writes it, so it sorts as it compares). */
export interface Lease {
  /** The holder's identity: the token's subject, the same one decisions and history entries record. */
  holder: string;
  expiresAt: string;
}

/** A lease for `holder` from `now`: a new one, or the renewal of the holder's own. */
export function leaseFor(holder: string, now: Date, durationMs = LEASE_DURATION_MS): Lease {
  return { holder, expiresAt: new Date(now.getTime() + durationMs).toISOString() };
}

/** Whether the lease still holds at `now` (it holds while now < expiresAt). */
export const isActive = (lease: Lease | undefined, now: Date): lease is Lease => lease !== undefined && Date.parse(lease.expiresAt) > now.getTime();

/** The lease that keeps `subject` from working the dispute at `now`: someone else's unexpired lease, else none. */
export function blockingLease(lease: Lease | undefined, subject: string, now: Date): Lease | undefined {
  return isActive(lease, now) && lease.holder !== subject ? lease : undefined;
}

/** The conflict a caller gets while someone else holds the dispute: the detail names the holder and the expiry. */
export const leaseHeld = (lease: Lease, cause?: unknown) =>
  new ConflictError('lease-held', `${lease.holder} is reviewing this dispute (lease until ${lease.expiresAt}); try again when they are done or the lease expires`, undefined, { cause });
