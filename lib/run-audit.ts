// The batch audit (PRODUCT.md §6), resumable across Lambda invocations.
//
// 1. Hours: each UTC hour of the period is read from its HOUR_SHARDS `byHour` partitions in parallel, page by page,
//    and folded into an HourScan (per destination counters, billing-rule calls, per-account charges). Several hours
//    run at once. A finished hour's results are stored (compressed chunks in the Audits table) before the
//    checkpoint marks it done, so an invocation that runs out of time, or crashes, loses at most the hours in flight,
//    and a redelivered message redoes an hour by overwriting, never by adding: nothing is counted twice.
// 2. Destination groups: the hours' per-destination rows are split into groups by a hash of the number; each group
//    is compared with the stored connect statistics one destination at a time (drift, rule 3 per hour, rule 4 over
//    the period), and repaired when asked. Memory holds one group, not the period.
// 3. Finish: the reads that do not depend on CDRs (overdue reviews, decisions, rejects), the proactive disputes,
//    the findings items and the summary; then the report is COMPLETED.
import { createHash, randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { encodeTime, ulid } from 'ulid';
import {
  type AuditHeader,
  type AuditReport,
  type AuditTrigger,
  AuditRequestError,
  type BilledCallOf,
  type BillingFinding,
  DECISION_LOOKBACK_DAYS,
  type DegradationFinding,
  type DestinationHour,
  type DriftFinding,
  type FalseAnswerFinding,
  type Finding,
  type OpenedDispute,
  REPAIR_SETTLE_MS,
  REVIEW_OVERDUE_HOURS,
  HourScan,
  type HourResult,
  baselineReadRange,
  billingFindings,
  examineDestination,
  findingParts,
  normalisePeriod,
  overdueFindings,
  periodHours,
  planDisputes,
  rejectFindings,
  reviewerFindings,
  summarize,
  summarizeDisputes,
} from './domain/audit';
import type { Dispute } from './domain/dispute';
import type { Policy } from './domain/policy';
import {
  type Checkpoint,
  FINDING_PART_BYTES,
  completeAudit,
  createAudit,
  deleteWorkItems,
  failAudit,
  getAuditHeader,
  getAuditReport,
  getBlob,
  getCheckpoint,
  pinPolicyVersion,
  putBlobs,
  putFindings,
  recordGroup,
  recordHour,
  updateProgress,
} from './adapters/audit-store';
import { cdrPagesInHourShard } from './adapters/cdr-store';
import { decidedOpenedBetween, listByAccount, recommendedOpenedBefore } from './adapters/dispute-store';
import { rejectsReceivedBetween } from './adapters/reject-store';
import { HOUR_SHARDS } from './adapters/resources';
import { readStats, repairBucket } from './adapters/stats-store';
import { openDispute } from './disputes';
import { logger } from './logger';
import { loadPolicy } from './policy-source';

export { AuditRequestError, defaultPeriod } from './domain/audit';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Destination groups: the comparison with the stored statistics holds one group's rows in memory at a time. */
const DESTINATION_GROUPS = 8;

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

export interface ContinueOptions {
  /** Stop starting work when less than this is left (default 60 s): what is under way must finish in it. */
  marginMs?: number;
  /** Hours read at once, each from its HOUR_SHARDS shards in parallel (default 4). */
  hourConcurrency?: number;
  /** Items per query page (default: DynamoDB's 1 MB pages). */
  pageSize?: number;
  /** Destinations compared with their stored statistics at once (default 16). */
  destinationConcurrency?: number;
  /** A drifted bucket is only rewritten when its newest CDR was stored longer ago than this (default 10 min). */
  repairSettleMs?: number;
  /** The clock, for the repair's settle test and the report's finishedAt. */
  now?: () => Date;
}

class OutOfTime extends Error {}

export class AuditNotFoundError extends Error {}

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

/**
 * Works on an audit from its checkpoint until it is finished or `remainingMs()` drops below the margin, and says
 * which. Safe to call again at any point (after a crash, or for a redelivered message): finished work is recorded
 * by overwriting, so it is never counted twice; a COMPLETED or FAILED audit is returned as it is.
 */
export async function continueAudit(auditId: string, remainingMs: () => number, options: ContinueOptions = {}): Promise<{ done: boolean; report: AuditReport }> {
  const header = await getAuditHeader(auditId);
  if (!header) throw new AuditNotFoundError(`audit ${auditId} does not exist`);
  if (header.status === 'RUNNING') {
    try {
      const done = await work(header, remainingMs, options);
      if (!done) return { done: false, report: { ...(await getAuditHeader(auditId))!, findings: [] } };
    } catch (error) {
      if (isRetryable(error)) throw error;
      logger.error('audit failed', { auditId, error: error as Error });
      await failAudit(auditId, `${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  return { done: true, report: (await getAuditReport(auditId))! };
}

/** Starts an audit and works on it until it is finished, in this process (the CLI, tests). */
export async function runAudit(options: AuditOptions, now = new Date(), continueOptions: ContinueOptions = {}): Promise<AuditReport> {
  const started = await startAudit(options, now);
  for (;;) {
    const { done, report } = await continueAudit(started.auditId, () => Number.POSITIVE_INFINITY, continueOptions);
    if (done) return report;
  }
}

/**
 * Errors worth a redelivery: throttling, timeouts, the network, a service error. A bug or a request DynamoDB
 * refuses (an item too large) fails the same way every time: the audit is marked FAILED with the reason instead.
 */
function isRetryable(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof AuditRequestError) return false;
  const name = (error as { name?: string })?.name ?? '';
  return !['ValidationException', 'SerializationException'].includes(name);
}

interface Run {
  header: AuditHeader;
  checkpoint: Checkpoint;
  policy: Policy;
  hours: string[];
  remainingMs: () => number;
  margin: number;
  options: ContinueOptions;
}

const outOfTime = (run: Run, share = 1) => run.remainingMs() < run.margin * share;

async function work(header: AuditHeader, remainingMs: () => number, options: ContinueOptions): Promise<boolean> {
  const checkpoint = await getCheckpoint(header.auditId);
  if (!checkpoint) throw new AuditRequestError('auditId', `audit ${header.auditId} has no checkpoint`);
  const policy = await loadPolicy();
  // One audit, one policy: findings of different versions would not add up.
  const pinned = header.policyVersion ?? (await pinPolicyVersion(header.auditId, policy.version));
  if (policy.version !== pinned) throw new AuditRequestError('policy', `the policy changed from ${pinned} to ${policy.version} during the audit`);
  const run: Run = { header, checkpoint, policy, hours: periodHours(header.period), remainingMs, margin: options.marginMs ?? 60_000, options };
  if (!(await readHours(run))) return false;
  if (!(await compareGroups(run))) return false;
  if (outOfTime(run)) return false;
  await finish(run);
  return true;
}

/** Runs `tasks` a few at a time; stops starting new ones once one says the time is up or one fails. */
async function bounded<T>(items: T[], concurrency: number, task: (item: T) => Promise<'done' | 'stopped'>): Promise<boolean> {
  const limit = pLimit(concurrency);
  let stopped = false;
  let failure: unknown;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (stopped || failure) return;
        try {
          if ((await task(item)) === 'stopped') stopped = true;
        } catch (error) {
          if (error instanceof OutOfTime) stopped = true;
          else failure ??= error;
        }
      }),
    ),
  );
  if (failure) throw failure;
  return !stopped;
}

// --- 1. Hours ---

const newToken = () => randomBytes(4).toString('hex');
const billingBlob = (hour: string, token: string) => `billing#${hour}#${token}`;
const rowsBlob = (hour: string, group: number, token: string) => `rows#${hour}#${group}#${token}`;
const groupBlob = (group: number, token: string) => `group#${group}#${token}`;

async function readHours(run: Run): Promise<boolean> {
  const pending = run.hours.filter((hour) => !run.checkpoint.hours[hour]);
  return bounded(pending, run.options.hourConcurrency ?? 4, async (hour) => {
    if (outOfTime(run)) return 'stopped';
    const result = await scanHour(run, hour);
    const token = newToken();
    const [billingChunks, ...rowChunks] = await putBlobs(run.header.auditId, [
      { name: billingBlob(hour, token), value: result.billing },
      ...result.groups.map((rows, g) => ({ name: rowsBlob(hour, g, token), value: rows })),
    ]);
    const entry = { token, cdrs: result.cdrs, billingChunks: billingChunks!, rowChunks };
    await recordHour(run.header.auditId, hour, entry);
    run.checkpoint.hours[hour] = entry;
    await updateProgress(run.header.auditId, 'hoursDone', Object.keys(run.checkpoint.hours).length);
    return 'done';
  });
}

async function scanHour(run: Run, hour: string): Promise<HourResult> {
  const scan = new HourScan(hour, run.policy);
  await Promise.all(
    Array.from({ length: HOUR_SHARDS }, async (_, shard) => {
      for await (const page of cdrPagesInHourShard(hour, shard, run.options.pageSize)) {
        // Half the margin is left for what is under way: an hour that cannot finish is dropped and read again later.
        if (outOfTime(run, 0.5)) throw new OutOfTime();
        scan.add(page.cdrs, page.ingestedAt);
      }
    }),
  );
  return scan.finish(run.checkpoint.groups);
}

// --- 2. Destination groups ---

interface GroupResult {
  drift: DriftFinding[];
  degradation: DegradationFinding[];
  falseAnswer: FalseAnswerFinding[];
}

async function compareGroups(run: Run): Promise<boolean> {
  const groups = Array.from({ length: run.checkpoint.groups }, (_, g) => g).filter((g) => run.checkpoint.groupResults[g]?.state !== 'DONE');
  return bounded(groups, 1, async (g) => {
    if (outOfTime(run)) return 'stopped';
    let entry = run.checkpoint.groupResults[g];
    let result: GroupResult;
    if (!entry) {
      result = await examineGroup(run, g);
      const token = newToken();
      const [chunks] = await putBlobs(run.header.auditId, [{ name: groupBlob(g, token), value: result }]);
      entry = { token, chunks: chunks!, state: run.header.repair && result.drift.length > 0 ? 'DETECTED' : 'DONE' };
      await recordGroup(run.header.auditId, g, entry);
    } else {
      result = await getBlob<GroupResult>(run.header.auditId, groupBlob(g, entry.token), entry.chunks);
    }
    if (entry.state === 'DETECTED') {
      // Detected drift is stored before any repair: a crash mid-repair repeats the repairs, and still reports them.
      await repairDrift(run, result.drift);
      const [chunks] = await putBlobs(run.header.auditId, [{ name: groupBlob(g, entry.token), value: result }]);
      entry = { token: entry.token, chunks: chunks!, state: 'DONE' };
      await recordGroup(run.header.auditId, g, entry);
    }
    run.checkpoint.groupResults[g] = entry;
    await updateProgress(run.header.auditId, 'groupsDone', Object.values(run.checkpoint.groupResults).filter((e) => e.state === 'DONE').length);
    return 'done';
  });
}

async function examineGroup(run: Run, group: number): Promise<GroupResult> {
  const { auditId, period } = run.header;
  const byDestination = new Map<string, Map<string, DestinationHour>>();
  const read = pLimit(8);
  await Promise.all(
    run.hours.map((hour) =>
      read(async () => {
        const entry = run.checkpoint.hours[hour]!;
        const rows = await getBlob<DestinationHour[]>(auditId, rowsBlob(hour, group, entry.token), entry.rowChunks[group]!);
        for (const row of rows) (byDestination.get(row.calledNumber) ?? byDestination.set(row.calledNumber, new Map()).get(row.calledNumber)!).set(hour, row);
      }),
    ),
  );
  const result: GroupResult = { drift: [], degradation: [], falseAnswer: [] };
  const limit = pLimit(run.options.destinationConcurrency ?? 16);
  // Only destinations with CDRs in the period are compared: the statistics table is keyed by number, and listing
  // every stored bucket of the period would take a Scan of the whole table (every number, every hour kept). A
  // number's stored hours in the period are one Query, so a bucket without CDRs is found (STATS_DRIFT against a
  // recount of zero) whenever its number had a CDR in some hour of the period. A bucket of a number that had no
  // CDR at all in the period is not found; an index on `hour` would be needed for that.
  await Promise.all(
    [...byDestination.entries()].map(([calledNumber, hours]) =>
      limit(async () => {
        if (outOfTime(run, 0.5)) throw new OutOfTime();
        const stored = await readStats(calledNumber, period.from, period.to);
        const range = baselineReadRange(hours, period, run.policy);
        const before = range ? await readStats(calledNumber, range.from, range.to) : [];
        const found = examineDestination({ calledNumber, period, hours, stored, before, policy: run.policy });
        result.drift.push(...found.drift);
        result.degradation.push(...found.degradation);
        if (found.falseAnswer) result.falseAnswer.push(found.falseAnswer);
      }),
    ),
  );
  const byNumberHour = (a: { calledNumber: string; hour: string }, b: { calledNumber: string; hour: string }) => a.calledNumber.localeCompare(b.calledNumber) || a.hour.localeCompare(b.hour);
  result.drift.sort(byNumberHour);
  result.degradation.sort(byNumberHour);
  result.falseAnswer.sort((a, b) => a.calledNumber.localeCompare(b.calledNumber));
  return result;
}

async function repairDrift(run: Run, drift: DriftFinding[]): Promise<void> {
  const now = (run.options.now ?? (() => new Date()))().getTime();
  const settle = run.options.repairSettleMs ?? REPAIR_SETTLE_MS;
  const limit = pLimit(8);
  await Promise.all(
    drift.map((d) =>
      limit(async () => {
        if (d.repair === 'REPAIRED') return;
        if (d.lastIngestedAt && now - Date.parse(d.lastIngestedAt) < settle) {
          d.repair = 'UNSETTLED';
          return;
        }
        d.repair = await repairBucket({ calledNumber: d.calledNumber, hour: d.hour, counters: d.recounted }, d.stored);
      }),
    ),
  );
}

// --- 3. Finish ---

async function finish(run: Run): Promise<void> {
  const { auditId, period } = run.header;
  const read = pLimit(8);
  const billing: BilledCallOf[] = [];
  await Promise.all(
    run.hours.map((hour) =>
      read(async () => {
        const entry = run.checkpoint.hours[hour]!;
        billing.push(...(await getBlob<BilledCallOf[]>(auditId, billingBlob(hour, entry.token), entry.billingChunks)));
      }),
    ),
  );
  const groups = await Promise.all(Object.entries(run.checkpoint.groupResults).map(([g, entry]) => read(() => getBlob<GroupResult>(auditId, groupBlob(Number(g), entry.token), entry.chunks))));
  const byNumberHour = (a: { calledNumber: string; hour: string }, b: { calledNumber: string; hour: string }) => a.calledNumber.localeCompare(b.calledNumber) || a.hour.localeCompare(b.hour);

  // The disputes first: each billing finding records the disputes opened for its calls.
  const billingFound = await openProactiveDisputes(auditId, billingFindings(billing));
  // Overdue as of when the audit started, so every invocation of one audit sees the same queue.
  const asOf = run.header.startedAt;
  const recommended = await recommendedOpenedBefore(new Date(Date.parse(asOf) - REVIEW_OVERDUE_HOURS * HOUR_MS).toISOString());
  const decided = await decidedOpenedBetween(new Date(Date.parse(period.from) - DECISION_LOOKBACK_DAYS * DAY_MS).toISOString(), period.to);
  const rejects = [];
  for await (const page of rejectsReceivedBetween(period.from, period.to)) rejects.push(...page.map(({ source, reasons, status }) => ({ source, reasons, status })));

  const findings: Finding[] = [
    ...billingFound,
    ...groups.flatMap((g) => g.degradation).sort(byNumberHour),
    ...groups.flatMap((g) => g.falseAnswer).sort((a, b) => a.calledNumber.localeCompare(b.calledNumber)),
    ...groups.flatMap((g) => g.drift).sort(byNumberHour),
    ...overdueFindings(recommended, asOf),
    ...reviewerFindings(decided, period),
    ...rejectFindings(rejects),
  ];
  const items = await putFindings(auditId, findingParts(findings, FINDING_PART_BYTES));
  await completeAudit(auditId, {
    finishedAt: (run.options.now ?? (() => new Date()))().toISOString(),
    policyVersion: run.policy.version,
    cdrsExamined: Object.values(run.checkpoint.hours).reduce((n, h) => n + h.cdrs, 0),
    progress: { hours: run.hours.length, hoursDone: run.hours.length, groups: run.checkpoint.groups, groupsDone: run.checkpoint.groups },
    summary: summarize(findings, rejects.length),
    disputes: summarizeDisputes(findings),
    findingItems: items,
  });
  logger.info('audit completed', { auditId, period, cdrsExamined: Object.values(run.checkpoint.hours).reduce((n, h) => n + h.cdrs, 0), findings: findings.length, disputes: summarizeDisputes(findings) });
  await deleteWorkItems(auditId, [
    ...run.hours.flatMap((hour) => {
      const h = run.checkpoint.hours[hour]!;
      return [{ name: billingBlob(hour, h.token), chunks: h.billingChunks }, ...h.rowChunks.map((chunks, g) => ({ name: rowsBlob(hour, g, h.token), chunks }))];
    }),
    ...Object.entries(run.checkpoint.groupResults).map(([g, entry]) => ({ name: groupBlob(Number(g), entry.token), chunks: entry.chunks })),
  ]).catch((error) => logger.warn('audit clean-up failed', { auditId, error: error as Error }));
}

const STATEMENTS: Record<BillingFinding['type'], string> = {
  BILLED_UNANSWERED: 'charged but never answered',
  OVERBILLED_DURATION: 'billed for longer than their talk time and billing increment allow',
};

/**
 * Opens a dispute (origin AUDIT) for each account's billing findings, so the credit goes through the same
 * investigation and review as a customer's, and returns the findings with their disputes. The ticketId comes from
 * the account, the claim and the calls, and the request names nothing else that varies, so running the audit
 * again, or resuming it, reopens nothing; calls an existing dispute of the account already covers (an earlier
 * audit's, or the customer's own) are left out.
 */
async function openProactiveDisputes(auditId: string, findings: BillingFinding[]): Promise<BillingFinding[]> {
  const actor = { subject: `audit:${auditId}` };
  const isOwn = (d: Dispute) => d.origin === 'AUDIT' && d.history[0]?.by === actor.subject;
  const limit = pLimit(8);
  const accounts = [...new Set(findings.map((f) => f.accountId))];
  const accountDisputes = new Map(await Promise.all(accounts.map((a) => limit(async () => [a, await listByAccount(a)] as const))));
  const plans = planDisputes(findings, accountDisputes, isOwn);
  return Promise.all(
    findings.map(async (finding, i) => {
      const plan = plans[i]!;
      const opened = await Promise.all(
        plan.chunks.map((callIds) =>
          limit(async (): Promise<OpenedDispute & { callIds: string[] }> => {
            const digest = createHash('sha256').update(callIds.join('\n')).digest('hex').slice(0, 20);
            const ticketId = `audit:${plan.accountId}:${plan.claim}:${digest}`;
            const request = { accountId: plan.accountId, claim: plan.claim, ticketId, callIds, customerStatement: `Found by the batch audit: ${callIds.length} ${callIds.length === 1 ? 'call' : 'calls'} ${STATEMENTS[finding.type]}.` };
            const { dispute, created } = await openDispute(request, actor, 'AUDIT');
            return { disputeId: dispute.disputeId, ticketId, calls: callIds.length, created: created || isOwn(dispute), callIds };
          }),
        ),
      );
      const disputeOf = new Map(opened.flatMap((o) => o.callIds.map((callId) => [callId, o.disputeId] as const)));
      return {
        ...finding,
        calls: finding.calls.map((c) => (disputeOf.has(c.callId) ? { ...c, disputeId: disputeOf.get(c.callId) } : c)),
        disputes: opened.map(({ callIds: _ids, ...o }) => o),
        alreadyDisputed: plan.alreadyDisputed,
      };
    }),
  );
}
