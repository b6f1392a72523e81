// Starting an audit: the period, the id, and the RUNNING header with an empty checkpoint.
import { createHash } from 'node:crypto';
import { encodeTime, ulid } from 'ulid';
import type { AuditHeader, AuditReport, AuditTrigger } from '../../domain/audit/findings';
import { normalisePeriod, periodHours } from '../../domain/audit/period';
import { createAudit } from '../../adapters/audit-store';

/** The period an audit covers when it names none: the 24 whole UTC hours before its time. */
export { defaultPeriod } from '../../domain/audit/period';

/** Destination groups: the comparison with the stored statistics holds one group's rows in memory at a time. */
const DESTINATION_GROUPS = 8;

/** What an audit is asked for. */
export interface AuditOptions {
  from?: string;
  to?: string;
  trigger: AuditTrigger;
  repair?: boolean;
  /**
   * Makes the start idempotent: the same key gives the same audit (e.g. the SQS message id of a start message, so a
   * redelivered one does not start a second audit). Scheduled audits need none: their id comes from their period.
   */
  idempotencyKey?: string;
}

/** A ULID-shaped id that is the same every time for the same key (hex digits are valid Crockford base32). */
const stableId = (timeMs: number, key: string) => `${encodeTime(timeMs, 10)}${createHash('sha256').update(key).digest('hex').slice(0, 16).toUpperCase()}`;

/**
 * Validates and normalises the period (whole UTC hours; default the previous 24 h), stores the report header
 * RUNNING with an empty checkpoint and returns it. A scheduled audit's id is derived from its period, so a retried
 * schedule delivery returns the audit already started instead of starting a second one.
 */
export async function startAudit(options: AuditOptions, now = new Date()): Promise<AuditReport> {
  const period = normalisePeriod(options, now);
  const repair = options.repair ?? false;
  const key = options.idempotencyKey ?? (options.trigger === 'schedule' ? `schedule|${period.from}|${period.to}|${repair}` : undefined);
  const auditId = key ? stableId(Date.parse(period.to), key) : ulid(now.getTime());
  const hours = periodHours(period).length;
  const header: AuditHeader = {
    auditId,
    trigger: options.trigger,
    period,
    repair,
    status: 'RUNNING',
    startedAt: now.toISOString(),
    progress: { hours, hoursDone: 0, groups: DESTINATION_GROUPS, groupsDone: 0 },
    cdrsExamined: 0,
    summary: [],
    disputes: { opened: 0, accounts: 0, calls: 0, alreadyDisputed: 0 },
  };
  const { header: stored } = await createAudit(header, DESTINATION_GROUPS);
  return { ...stored, findings: [] };
}
