// The batch audit on the emulators: CDRs through the real ingest, the audit through its SQS handler, every finding
// type, the proactive disputes (once), drift found and repaired, a resumed audit equal to an uninterrupted one.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAuditReport, listAudits } from '../../lib/adapters/audit-store';
import { documentClient, tableName } from '../../lib/adapters/aws';
import { putCdrsUnchecked } from '../../lib/adapters/cdr-store';
import { listByAccount } from '../../lib/adapters/dispute-reads';
import { enqueue } from '../../lib/adapters/queues';
import { addToStats, readStats, repairBucket } from '../../lib/adapters/stats-store';
import { type AuditReport, type BillingFinding, type DriftFinding, type Finding, type FindingType, REPAIR_SETTLE_MS } from '../../lib/domain/audit/findings';
import type { Cdr } from '../../lib/domain/cdr';
import { bucketize, utcHour } from '../../lib/domain/statistics/connect-statistics';
import { openDispute } from '../../lib/use-cases/disputes/open-dispute';
import { decideDispute } from '../../lib/use-cases/decisions/decide-dispute';
import { investigateDispute } from '../../lib/use-cases/investigation/investigate-dispute';
import { continueAudit } from '../../lib/use-cases/audit/continue-audit';
import { runAudit } from '../../lib/use-cases/audit/run-audit';
import { startAudit } from '../../lib/use-cases/audit/start-audit';
import { lambdaContext } from '../../infra/local/runner';
import { testStack } from '../support/stack';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Date.now();
const THIS_HOUR = Date.parse(utcHour(NOW));
const H0 = THIS_HOUR - 3 * HOUR;
// The period reaches past now: the decisions and rejects of this test happen now.
const period = { from: iso(H0), to: iso(THIS_HOUR + 2 * HOUR) };

const HEALTHY = '+16145550100';
const DEGRADED = '+16145550200';
const FALSE_ANSWER = '+19005550300';
const BIG = '+16145550400';

let seq = 0;
function call(over: Partial<Cdr> & { start: number; tta?: number | null; talk?: number }): Cdr {
  const { start, tta = 3, talk = 60, ...rest } = over;
  const answeredAt = tta === null ? null : iso(start + tta * 1000);
  return {
    callId: `c-${++seq}`,
    source: 'sw1',
    accountId: 'acct-filler',
    callingNumber: '+13125550100',
    calledNumber: HEALTHY,
    startedAt: iso(start),
    answeredAt,
    endedAt: iso(start + ((tta ?? 20) + (tta === null ? 0 : talk)) * 1000),
    disposition: tta === null ? 'NO_ANSWER' : 'ANSWERED',
    ...(tta === null ? { releaseCause: 19 } : {}),
    billedSeconds: tta === null ? 0 : Math.ceil(talk),
    charge: { amountMinor: tta === null ? 0 : 2, currency: 'USD' },
    billingIncrement: { minimumSeconds: 1, incrementSeconds: 1 },
    ...rest,
  };
}
const billedUnanswered = (accountId: string, start: number, amountMinor: number, callId?: string) =>
  call({ accountId, start, tta: null, billedSeconds: 60, charge: { amountMinor, currency: 'USD' }, ...(callId ? { callId } : {}) });
const perMinute = { minimumSeconds: 60, incrementSeconds: 60 };

const cdrs: Cdr[] = [
  // Ordinary traffic to a healthy destination, every hour with CDRs.
  ...[0, 1, 2].flatMap((h) => [
    ...Array.from({ length: 8 }, (_, i) => call({ start: H0 + h * HOUR + i * 60_000 })),
    ...Array.from({ length: 2 }, (_, i) => call({ start: H0 + h * HOUR + (30 + i) * 60_000, tta: null, disposition: 'BUSY', releaseCause: 17 })),
  ]),
  // Rule 1: charged, never answered.
  ...[1, 2, 3].map((i) => billedUnanswered('acct-bu', H0 + i * 60_000, 10)),
  billedUnanswered('acct-both', H0 + 5 * 60_000, 7),
  // Rule 2: 30 s of talk billed as two minutes (credit 5 - round_half_up(2.5) = 2), 10 s as two minutes (6 - 3 = 3).
  call({ accountId: 'acct-ob', start: H0 + HOUR + 60_000, talk: 30, billedSeconds: 120, charge: { amountMinor: 5, currency: 'USD' }, billingIncrement: perMinute }),
  call({ accountId: 'acct-both', start: H0 + HOUR + 120_000, talk: 10, billedSeconds: 120, charge: { amountMinor: 6, currency: 'USD' }, billingIncrement: perMinute }),
  // Rule 1 calls the customer already disputed (the disputes are decided below).
  ...[0, 1, 2].map((i) => billedUnanswered('acct-dec', H0 + 2 * HOUR + i * 60_000, 5, `dec-${i}`)),
  // Rule 3: a day before, the destination connects; in the second hour it collapses (NER 2/12).
  ...Array.from({ length: 20 }, (_, i) => call({ accountId: 'acct-base', calledNumber: DEGRADED, start: H0 - 24 * HOUR + i * 60_000 })),
  call({ accountId: 'acct-deg-1', calledNumber: DEGRADED, start: H0 + HOUR + 10 * 60_000, charge: { amountMinor: 3, currency: 'USD' } }),
  call({ accountId: 'acct-deg-2', calledNumber: DEGRADED, start: H0 + HOUR + 11 * 60_000, charge: { amountMinor: 4, currency: 'USD' } }),
  ...Array.from({ length: 10 }, (_, i) => call({ calledNumber: DEGRADED, start: H0 + HOUR + (20 + i) * 60_000, tta: null, disposition: 'FAILED', releaseCause: 34 })),
  // Rule 4: a destination that "answers" in 0.3 s and hangs up after 2 s.
  ...Array.from({ length: 24 }, (_, i) =>
    call({ accountId: i % 2 === 0 ? 'acct-fa-1' : 'acct-fa-2', calledNumber: FALSE_ANSWER, start: H0 + 2 * HOUR + i * 60_000, tta: 0.3, talk: 2, billedSeconds: 2, charge: { amountMinor: 1, currency: 'USD' } }),
  ),
];
const inPeriod = cdrs.filter((c) => Date.parse(c.startedAt) >= H0);
const invalid = [
  { ...call({ start: H0 }), callId: 'bad-1', calledNumber: 'not a number' },
  { ...call({ start: H0 }), callId: 'bad-2', calledNumber: '12', charge: undefined },
];

let stack: Awaited<ReturnType<typeof testStack>>;
let first: AuditReport;
const reviewer = (subject: string) => ({ subject });
const ofType = <T extends FindingType>(report: AuditReport, type: T) => report.findings.filter((f): f is Finding & { type: T } => f.type === type);
const statsKey = (calledNumber: string, hour: number) => ({ calledNumber, hour: utcHour(hour) });
const withoutTimes = (r: AuditReport) =>
  JSON.stringify({ ...r, auditId: undefined, trigger: undefined, startedAt: undefined, finishedAt: undefined, findings: r.findings.map((f) => (f.type === 'REVIEW_OVERDUE' ? { ...f, hoursWaiting: undefined } : f)) });

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs([...cdrs, ...invalid]);
  await stack.drainIngest();

  // Drift: one bucket counted five attempts too many, one bucket with no CDRs behind it.
  await documentClient().send(
    new UpdateCommand({ TableName: tableName('connectStats'), Key: statsKey(HEALTHY, H0 + HOUR), UpdateExpression: 'ADD attempts :five', ExpressionAttributeValues: { ':five': 5 } }),
  );
  await documentClient().send(
    new UpdateCommand({ TableName: tableName('connectStats'), Key: statsKey(HEALTHY, H0 + 3 * HOUR), UpdateExpression: 'SET attempts = :n, networkFailures = :n', ExpressionAttributeValues: { ':n': 3 } }),
  );

  // A recommendation nobody has looked at for three days.
  const threeDaysAgo = new Date(NOW - 72 * HOUR);
  const late = await openDispute({ accountId: 'acct-late', claim: 'NEVER_CONNECTED', ticketId: 'late-1', calledNumber: HEALTHY, from: iso(H0 - 96 * HOUR), to: iso(H0 - 72 * HOUR) }, reviewer('ticket-tool'), 'TICKET', threeDaysAgo);
  await investigateDispute(late.dispute.disputeId, () => threeDaysAgo);

  // The customer disputed three charged unanswered calls; two reviewers decided them.
  const decs = await Promise.all([0, 1, 2].map((i) => openDispute({ accountId: 'acct-dec', claim: 'NEVER_CONNECTED', ticketId: `dec-${i}`, callIds: [`dec-${i}`] }, reviewer('ticket-tool'))));
  await stack.drainInvestigations();
  await decideDispute(decs[0]!.dispute.disputeId, { action: 'ACCEPT' }, reviewer('rita'));
  await decideDispute(decs[1]!.dispute.disputeId, { action: 'OVERRIDE', outcome: 'DENY', creditAmount: { amountMinor: 0, currency: 'USD' }, reason: 'customer confirmed the calls' }, reviewer('bob'));
  await decideDispute(decs[2]!.dispute.disputeId, { action: 'ACCEPT' }, reviewer('bob'));

  // The audit as the API starts it: a start message on the audit queue, run by the handler. It runs as of a time past
  // the settle time (its `scheduledAt`): an audit compares only what was stored and counted that long before it.
  await enqueue('auditRuns', { start: { from: period.from, to: period.to, trigger: 'api', scheduledAt: iso(Date.now() + REPAIR_SETTLE_MS + 60_000) } });
  await stack.drainAuditRuns();
  const header = (await listAudits(10)).find((a) => a.trigger === 'api');
  first = (await getAuditReport(header!.auditId))!;
});

describe('the batch audit', () => {
  it('completes through the SQS handler and counts the period', () => {
    expect(first.status).toBe('COMPLETED');
    expect(first.period).toEqual(period);
    expect(first.cdrsExamined).toBe(inPeriod.length);
    expect(first.progress).toEqual({ hours: 5, hoursDone: 5, groups: 8, groupsDone: 8 });
    expect(first.policyVersion).toBe('v1');
  });

  it('finds the billing errors per account with the credits the policy gives', () => {
    const billing = (type: BillingFinding['type']) => ofType(first, type).map((f) => [f.accountId, f.calls.length, f.credit.amountMinor]);
    expect(billing('BILLED_UNANSWERED')).toEqual([
      ['acct-both', 1, 7],
      ['acct-bu', 3, 30],
      ['acct-dec', 3, 15],
    ]);
    expect(billing('OVERBILLED_DURATION')).toEqual([
      ['acct-both', 1, 3],
      ['acct-ob', 1, 2],
    ]);
    expect(ofType(first, 'OVERBILLED_DURATION')[1]!.calls[0]).toMatchObject({ billedSeconds: 120, expectedBilledSeconds: 60, charge: { amountMinor: 5, currency: 'USD' }, creditMinor: 2 });
  });

  it('finds the degraded hour with the accounts charged during it, and the false-answer destination', () => {
    const [degraded, ...more] = ofType(first, 'NETWORK_DEGRADATION');
    expect(more).toEqual([]);
    expect(degraded).toMatchObject({ calledNumber: DEGRADED, hour: utcHour(H0 + HOUR), attempts: 12, charged: [{ amountMinor: 7, currency: 'USD' }] });
    expect(degraded!.ner.value).toBeCloseTo(2 / 12);
    expect(degraded!.baselineNer.value).toBe(1);
    expect(degraded!.accounts.map((a) => [a.accountId, a.calls, a.charged.amountMinor])).toEqual([
      ['acct-deg-2', 1, 4],
      ['acct-deg-1', 1, 3],
    ]);
    const [falseAnswer, ...others] = ofType(first, 'FALSE_ANSWER_SUSPECTED');
    expect(others).toEqual([]);
    expect(falseAnswer).toMatchObject({ calledNumber: FALSE_ANSWER, answered: 24, charged: [{ amountMinor: 24, currency: 'USD' }] });
    expect(falseAnswer!.accounts.map((a) => [a.accountId, a.calls])).toEqual([
      ['acct-fa-1', 12],
      ['acct-fa-2', 12],
    ]);
  });

  it('names every drifted bucket: a corrupted one and a stored one without CDRs', () => {
    const drift = ofType(first, 'STATS_DRIFT');
    const recount = bucketize(inPeriod.filter((c) => c.calledNumber === HEALTHY && utcHour(c.startedAt) === utcHour(H0 + HOUR)))[0]!.counters;
    expect(drift.map((d) => [d.calledNumber, d.hour, d.differences, d.stored?.attempts, d.recounted.attempts])).toEqual([
      [HEALTHY, utcHour(H0 + HOUR), ['attempts'], recount.attempts + 5, recount.attempts],
      [HEALTHY, utcHour(H0 + 3 * HOUR), ['attempts', 'networkFailures'], 3, 0],
    ]);
    expect(drift[0]!.recounted).toEqual(recount);
    expect(drift.every((d) => d.repair === undefined)).toBe(true);
  });

  it('finds the overdue review, each reviewer’s decisions and override rate, and the rejects by reason', () => {
    expect(ofType(first, 'REVIEW_OVERDUE').map((f) => [f.accountId, f.outcome, f.hoursWaiting >= 72])).toEqual([['acct-late', 'ESCALATE', true]]);
    expect(ofType(first, 'REVIEWER_CONSISTENCY').map((f) => [f.reviewer, f.decisions, f.overridden, f.overrideRate.value, f.credited])).toEqual([
      ['bob', 2, 1, 0.5, [{ amountMinor: 5, currency: 'USD' }]],
      ['rita', 1, 0, 0, [{ amountMinor: 5, currency: 'USD' }]],
    ]);
    const rejects = ofType(first, 'REJECTED_INPUT');
    expect(rejects.map((r) => r.reason).sort()).toEqual(['calledNumber: must be E.164: + and 8-15 digits', 'charge: Invalid input: expected object, received undefined'].sort());
    expect(rejects.find((r) => r.reason.startsWith('calledNumber'))).toMatchObject({ rejects: 2, open: 2, sources: [{ source: 'sw1', rejects: 2 }] });
  });

  it('summarises counts and money per finding type', () => {
    const summary = Object.fromEntries(first.summary.map((s) => [s.type, s]));
    expect(summary.BILLED_UNANSWERED).toEqual({ type: 'BILLED_UNANSWERED', findings: 3, count: 7, unit: 'calls', accounts: 3, totals: [{ amountMinor: 52, currency: 'USD' }] });
    expect(summary.OVERBILLED_DURATION).toMatchObject({ findings: 2, count: 2, totals: [{ amountMinor: 5, currency: 'USD' }] });
    expect(summary.NETWORK_DEGRADATION).toMatchObject({ findings: 1, count: 2, accounts: 2, totals: [{ amountMinor: 7, currency: 'USD' }] });
    expect(summary.STATS_DRIFT).toMatchObject({ findings: 2, count: 2, unit: 'buckets', totals: [] });
    expect(summary.REVIEWER_CONSISTENCY).toMatchObject({ findings: 2, count: 3, totals: [{ amountMinor: 10, currency: 'USD' }] });
    expect(summary.REJECTED_INPUT).toMatchObject({ findings: 2, count: 2, unit: 'rejects' });
    expect(Object.keys(summary)).toHaveLength(8);
  });

  it('opens one AUDIT dispute per account and claim, which the investigator credits as the audit found', async () => {
    const billing = [...ofType(first, 'BILLED_UNANSWERED'), ...ofType(first, 'OVERBILLED_DURATION')];
    expect(billing.map((f) => [f.type, f.accountId, f.disputes.map((o) => o.calls), f.alreadyDisputed])).toEqual([
      ['BILLED_UNANSWERED', 'acct-both', [1], 0],
      ['BILLED_UNANSWERED', 'acct-bu', [3], 0],
      // The customer's own disputes cover these calls already.
      ['BILLED_UNANSWERED', 'acct-dec', [], 3],
      ['OVERBILLED_DURATION', 'acct-both', [1], 0],
      ['OVERBILLED_DURATION', 'acct-ob', [1], 0],
    ]);
    expect(first.disputes).toEqual({ opened: 4, accounts: 3, calls: 6, alreadyDisputed: 3 });
    // Each call names the dispute that will credit it.
    expect(billing.flatMap((f) => f.calls.map((c) => c.disputeId !== undefined && c.disputeId === f.disputes[0]?.disputeId))).toEqual(billing.flatMap((f) => f.calls.map(() => f.accountId !== 'acct-dec')));
    await stack.drainInvestigations();
    for (const finding of [...ofType(first, 'BILLED_UNANSWERED'), ...ofType(first, 'OVERBILLED_DURATION')]) {
      const audits = (await listByAccount(finding.accountId)).filter((d) => d.origin === 'AUDIT' && d.claim === (finding.type === 'BILLED_UNANSWERED' ? 'NEVER_CONNECTED' : 'WRONG_DURATION'));
      if (finding.accountId === 'acct-dec') {
        expect(audits).toEqual([]);
        continue;
      }
      expect(audits.map((d) => d.disputeId)).toEqual(finding.disputes.map((d) => d.disputeId));
      // Rule 1 credits the whole charge; rule 2 the excess only, part of what was charged.
      const outcome = finding.type === 'BILLED_UNANSWERED' ? 'CREDIT' : 'PARTIAL_CREDIT';
      expect(audits[0]).toMatchObject({ status: 'RECOMMENDED', callIds: finding.calls.map((c) => c.callId).sort(), recommendation: { outcome, creditAmount: finding.credit } });
      expect(audits[0]!.history[0]!.by).toBe(`audit:${first.auditId}`);
    }
  });

  it('opens nothing twice when the same period is audited again', async () => {
    const before = (await Promise.all(['acct-bu', 'acct-both', 'acct-ob'].map(listByAccount))).flat().length;
    const again = await runAudit({ ...period, trigger: 'cli' });
    expect(again.auditId).not.toBe(first.auditId);
    expect(again.disputes).toEqual({ opened: 0, accounts: 0, calls: 0, alreadyDisputed: 9 });
    expect([...ofType(again, 'BILLED_UNANSWERED'), ...ofType(again, 'OVERBILLED_DURATION')].every((f) => f.disputes.length === 0 && f.alreadyDisputed === f.calls.length)).toBe(true);
    expect((await Promise.all(['acct-bu', 'acct-both', 'acct-ob'].map(listByAccount))).flat()).toHaveLength(before);
  });

  it('resumed across many invocations, and run twice at once, gives the result of an uninterrupted run', async () => {
    const whole = await runAudit({ ...period, trigger: 'cli' }, new Date(), { repairSettleMs: 0 });
    const started = await startAudit({ ...period, trigger: 'cli' });
    // Each "invocation" may check its remaining time a few dozen times, then is out of time.
    const invocation = () => {
      let checks = 0;
      return () => (checks++ < 8 ? 10 * 60_000 : 0);
    };
    const options = { marginMs: 1000, hourConcurrency: 1, pageSize: 10, repairSettleMs: 0 };
    let invocations = 0;
    let result: { done: boolean; report: AuditReport } | undefined;
    while (!result?.done && invocations < 60) {
      invocations++;
      // The second invocation is delivered twice (SQS is at-least-once): both copies work on the same checkpoint.
      const runs = invocations === 2 ? [continueAudit(started.auditId, invocation(), options), continueAudit(started.auditId, invocation(), options)] : [continueAudit(started.auditId, invocation(), options)];
      result = (await Promise.all(runs)).find((r) => r.done) ?? (await runs[0]!);
      if (!result.done) expect(result.report.status).toBe('RUNNING');
    }
    expect(invocations).toBeGreaterThanOrEqual(3);
    expect(result!.report.status).toBe('COMPLETED');
    expect(withoutTimes(result!.report)).toBe(withoutTimes(whole));
    // A redelivered message for a finished audit changes nothing.
    const redelivered = await continueAudit(started.auditId, invocation(), options);
    expect(redelivered.done).toBe(true);
    expect(JSON.stringify(redelivered.report)).toBe(JSON.stringify(result!.report));
  });

  it('re-queues itself from the handler when its invocation runs short of time, and the next one finishes it', async () => {
    const body = JSON.stringify({ start: { ...period, trigger: 'cli' } });
    const record = { messageId: 'm-short', receiptHandle: 'r', body, attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:audit-runs', awsRegion: 'us-east-1' };
    // Two minutes left for the first few checks, then one second: under the default 60 s margin.
    let checks = 0;
    const context = { ...lambdaContext('run-audit'), getRemainingTimeInMillis: () => (checks++ < 3 ? 120_000 : 1000) };
    const response = await stack.handlers.audit({ Records: [record] }, context);
    expect(response).toEqual({ batchItemFailures: [] });
    const running = (await listAudits(20)).find((a) => a.status === 'RUNNING')!;
    expect(running.progress.hoursDone).toBeLessThan(5);
    expect(await stack.drainAuditRuns()).toBe(1);
    const finished = (await getAuditReport(running.auditId))!;
    expect(finished.status).toBe('COMPLETED');
    expect(withoutTimes(finished)).toBe(withoutTimes((await runAudit({ ...period, trigger: 'cli' }))));
  });

  it('repairs drifted statistics from the recount, comparing only buckets that have settled', async () => {
    const corrupted = statsKey(HEALTHY, H0 + HOUR);
    const orphan = statsKey(HEALTHY, H0 + 3 * HOUR);
    const driftOf = (r: AuditReport) => ofType(r, 'STATS_DRIFT').map((d: DriftFinding) => [d.hour, d.repair]);

    // The corrupted bucket's CDRs were stored seconds ago, within the settle time: its difference may be a count on
    // its way, so it is not drift yet (a later audit looks again); the orphan has no CDR or change behind it.
    const cautious = await runAudit({ ...period, trigger: 'cli', repair: true });
    expect(driftOf(cautious)).toEqual([[orphan.hour, 'REPAIRED']]);
    const repaired = await runAudit({ ...period, trigger: 'cli', repair: true }, new Date(), { repairSettleMs: 0 });
    expect(driftOf(repaired)).toEqual([[corrupted.hour, 'REPAIRED']]);

    const stored = await readStats(HEALTHY, period.from, period.to);
    const recount = bucketize(inPeriod.filter((c) => c.calledNumber === HEALTHY));
    expect(stored.find((b) => b.hour === corrupted.hour)!.counters).toEqual(recount.find((b) => b.hour === corrupted.hour)!.counters);
    expect(stored.find((b) => b.hour === orphan.hour)!.counters.attempts).toBe(0);
    const clean = await runAudit({ ...period, trigger: 'cli' });
    expect(ofType(clean, 'STATS_DRIFT')).toEqual([]);
  });

  it('fails, saying why, when it cannot succeed: the policy changed under a running audit', async () => {
    const started = await startAudit({ ...period, trigger: 'cli' });
    await documentClient().send(new UpdateCommand({ TableName: tableName('audits'), Key: { auditId: started.auditId }, UpdateExpression: 'SET policyVersion = :v', ExpressionAttributeValues: { ':v': 'v0' } }));
    const { done, report } = await continueAudit(started.auditId, () => Number.POSITIVE_INFINITY);
    expect(done).toBe(true);
    expect(report).toMatchObject({ status: 'FAILED', failure: 'InvariantError: the policy changed from v0 to v1 during the audit', findings: [] });
  });

  it('leaves a bucket alone that the statistics changed after the audit read it', async () => {
    const [bucket] = await readStats(HEALTHY, iso(H0), iso(H0 + HOUR));
    await addToStats([{ calledNumber: HEALTHY, hour: bucket!.hour, counters: { ...bucket!.counters, attempts: 1, answered: 0, userFailures: 1, talkMillis: 0, shortCalls: 0, ttaHistogram: [0, 0, 0, 0, 0, 0] } }]);
    expect(await repairBucket({ ...bucket!, counters: { ...bucket!.counters, attempts: 99 } }, bucket, new Date().toISOString())).toBe('CHANGED_SINCE_READ');
    expect((await readStats(HEALTHY, iso(H0), iso(H0 + HOUR)))[0]!.counters.attempts).toBe(bucket!.counters.attempts + 1);
  });
});

describe('audits at scale and on schedule', () => {
  it('stores findings longer than one item can hold and opens disputes of at most 500 calls', async () => {
    const day = Date.parse(utcHour(NOW - 10 * 24 * HOUR));
    const big = Array.from({ length: 2000 }, (_, i) => billedUnanswered('acct-big', day + (i % 3) * HOUR + i * 1000, 1, `big-${String(i).padStart(4, '0')}`)).map((c) => ({ ...c, calledNumber: BIG }));
    await putCdrsUnchecked(big);
    // Written straight to the table, they are counted from its stream all the same.
    await stack.drainCdrChanges();
    const report = await runAudit({ from: iso(day), to: iso(day + 3 * HOUR), trigger: 'cli' }, new Date(), { repairSettleMs: 0 });
    const [finding] = ofType(report, 'BILLED_UNANSWERED');
    expect(finding!.calls).toHaveLength(2000);
    expect(finding!.calls.map((c) => c.callId)).toEqual([...big].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).map((c) => c.callId));
    expect(Buffer.byteLength(JSON.stringify(finding))).toBeGreaterThan(400_000);
    expect(finding!.disputes.map((o) => o.calls)).toEqual([500, 500, 500, 500]);
    expect(new Set(finding!.calls.map((c) => c.disputeId)).size).toBe(4);
    // The loader wrote no statistics, the stream counted every CDR: nothing drifted.
    expect(ofType(report, 'STATS_DRIFT')).toEqual([]);
    expect((await readStats(BIG, iso(day), iso(day + 3 * HOUR))).map((b) => b.counters.attempts)).toEqual([0, 1, 2].map((h) => big.filter((c) => utcHour(c.startedAt) === utcHour(day + h * HOUR)).length));
  });

  it('starts one audit per scheduled period, however often the schedule is delivered', async () => {
    const scheduledAt = iso(THIS_HOUR - 20 * 24 * HOUR + 5 * 60_000);
    await enqueue('auditRuns', { start: { trigger: 'schedule', scheduledAt } });
    await enqueue('auditRuns', { start: { trigger: 'schedule', scheduledAt } });
    await stack.drainAuditRuns();
    const scheduled = (await listAudits(50)).filter((a) => a.trigger === 'schedule');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ status: 'COMPLETED', period: { from: iso(THIS_HOUR - 21 * 24 * HOUR), to: iso(THIS_HOUR - 20 * 24 * HOUR) } });
  });

  it('lists reports newest first, without their findings', async () => {
    const list = await listAudits(3);
    expect(list).toHaveLength(3);
    expect(list.map((a) => a.startedAt)).toEqual([...list.map((a) => a.startedAt)].sort().reverse());
    expect(list.every((a) => !('findings' in a))).toBe(true);
  });
});

