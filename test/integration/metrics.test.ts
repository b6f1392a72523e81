// The business metrics each handler publishes, read from the CloudWatch EMF lines Powertools prints to stdout: a
// known ingest batch, the API's disputes and decisions, the investigator's outcomes, an audit's findings and a
// failed audit, an event delivery that fails. Locally (no Lambda, POWERTOOLS_METRICS_DISABLED unset) nothing is
// printed at all.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIT_FAILED_METRIC } from '../../infra/aws/monitoring';
import { lambdaContext } from '../../infra/local/runner';
import { documentClient, tableName } from '../../lib/adapters/aws';
import { DIMENSIONED, METRICS } from '../../lib/adapters/metrics';
import { logger } from '../../lib/adapters/logger';
import { enqueueBatch } from '../../lib/adapters/queues';
import { getDispute } from '../../lib/adapters/dispute-store';
import { startAudit } from '../../lib/use-cases/audit/start-audit';
import { testStack } from '../support/stack';

const NAMESPACE = 'DisputePipeline/metrics-test';
process.env.POWERTOOLS_METRICS_NAMESPACE = NAMESPACE;

const HOUR = 3_600_000;
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const cdr = (callId: string, overrides: Record<string, unknown> = {}) => ({
  callId,
  source: 'sw-metrics',
  accountId: 'acct-m',
  callingNumber: '+13125550100',
  calledNumber: '+16145550177',
  startedAt: iso(H0 + 60_000),
  answeredAt: iso(H0 + 64_000),
  endedAt: iso(H0 + 150_000),
  disposition: 'ANSWERED',
  releaseCause: 16,
  billedSeconds: 86,
  charge: { amountMinor: 20, currency: 'USD' },
  billingIncrement: { minimumSeconds: 1, incrementSeconds: 1 },
  ...overrides,
});
/** Charged but never answered: what a NEVER_CONNECTED dispute credits and the audit finds (BILLED_UNANSWERED). */
const billedUnanswered = (callId: string, minute: number) => cdr(callId, { startedAt: iso(H0 + minute * 60_000), answeredAt: null, endedAt: iso(H0 + minute * 60_000 + 20_000), disposition: 'NO_ANSWER', releaseCause: 19, billedSeconds: 60 });

type Emitted = { name: string; dimensions: Record<string, string>; value: number; namespace: string };

/** Every metric in the EMF lines written to stdout while `run` runs. */
async function emitted(run: () => Promise<unknown>): Promise<Emitted[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('"_aws"')) lines.push(text);
    else (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    return true;
  });
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines
    .flatMap((l) => l.trim().split('\n'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } })
    .flatMap((doc) =>
      doc._aws.CloudWatchMetrics.flatMap((set) =>
        set.Metrics.flatMap((m) => {
          expect(m.Unit).toBe('Count');
          // A metric counted several times in one invocation is an EMF array of values, which CloudWatch sums.
          const value = ([doc[m.Name]].flat() as number[]).reduce((a, b) => a + b, 0);
          return set.Dimensions.map((dims) => ({ name: m.Name, namespace: set.Namespace, value, dimensions: Object.fromEntries(dims.map((d) => [d, String(doc[d])])) }));
        }),
      ),
    );
}

/** Sums per metric and dimension set: `Name` for the service total, `Name Dim=value` for a breakdown. */
function totals(metrics: Emitted[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    expect(m.namespace).toBe(NAMESPACE);
    expect(m.dimensions.service).toBe('dispute-pipeline');
    const extra = Object.entries(m.dimensions).filter(([d]) => d !== 'service');
    const key = [m.name, ...extra.map(([d, v]) => `${d}=${v}`)].join(' ');
    out[key] = (out[key] ?? 0) + m.value;
  }
  return out;
}

let stack: Awaited<ReturnType<typeof testStack>>;

beforeAll(async () => {
  stack = await testStack({ visibilityTimeoutSeconds: 1 });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('metrics', () => {
  it('are not printed locally: outside Lambda, with POWERTOOLS_METRICS_DISABLED unset, a batch prints nothing, not even a warning', async () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    expect(process.env.POWERTOOLS_METRICS_DISABLED).toBeUndefined();
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', undefined);
    await enqueueBatch('cdrIngest', [JSON.stringify([cdr('local-1'), cdr('local-2', { calledNumber: 'nope' })])]);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    logger.setLogLevel('WARN'); // what `npm start` shows
    try {
      await stack.drainIngest();
    } finally {
      logger.setLogLevel('SILENT');
      vi.restoreAllMocks();
    }
    expect(lines).toEqual([]);
  });

  it('ingest: accepted, duplicates, conflicts and rejects (total, and by each failing field) of a known batch', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const out = await emitted(async () => {
      await enqueueBatch('cdrIngest', [
        // 3 new, 2 invalid (calledNumber; calledNumber and charge.amountMinor)
        JSON.stringify([cdr('m-1'), cdr('m-2'), billedUnanswered('m-3', 5), cdr('bad-1', { calledNumber: '6145550177' }), cdr('bad-2', { calledNumber: 'x', charge: { amountMinor: 1.5, currency: 'USD' } })]),
        // 1 duplicate of m-1, 1 conflict with m-2
        JSON.stringify([cdr('m-1'), cdr('m-2', { billedSeconds: 90 })]),
        // a message that is not JSON: one reject under (message)
        '{not json',
      ]);
      await stack.drainIngest();
    });
    expect(totals(out)).toEqual({
      [METRICS.cdrsAccepted]: 3,
      [METRICS.cdrsDuplicate]: 1,
      [METRICS.cdrsConflict]: 1,
      [METRICS.cdrsRejected]: 3,
      [`${METRICS.cdrsRejected} Field=calledNumber`]: 2,
      [`${METRICS.cdrsRejected} Field=charge.amountMinor`]: 1,
      [`${METRICS.cdrsRejected} Field=(message)`]: 1,
    });
  });

  it('api and investigator: disputes opened (a retry not counted), recommended by outcome, decisions and overrides', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    await enqueueBatch('cdrIngest', [JSON.stringify([billedUnanswered('d-1', 10), billedUnanswered('d-2', 11)])]);
    await stack.drainIngest();
    const api = await stack.startApi();
    try {
      const open = (ticketId: string, callId: string, headers: Record<string, string> = {}) =>
        api.call('POST', '/v1/disputes', { token: 'test-ticketing', headers, body: { accountId: 'acct-m', claim: 'NEVER_CONNECTED', ticketId, callIds: [callId] } });
      let a = '';
      let b = '';
      const opening = totals(
        await emitted(async () => {
          a = (await open('mt-1', 'd-1', { 'idempotency-key': 'k-1' })).body.disputeId as string;
          expect((await open('mt-1', 'd-1', { 'idempotency-key': 'k-1' })).headers.get('idempotent-replayed')).toBe('true');
          expect((await open('mt-1', 'd-1')).body.disputeId).toBe(a); // the same ticket again: the same dispute
          b = (await open('mt-2', 'd-2')).body.disputeId as string;
        }),
      );
      expect(opening).toEqual({ [METRICS.disputesOpened]: 2 });

      const investigating = totals(await emitted(() => stack.drainInvestigations()));
      const outcomes = [(await getDispute(a))!.recommendation!.outcome, (await getDispute(b))!.recommendation!.outcome];
      expect(outcomes).toEqual(['CREDIT', 'CREDIT']);
      expect(investigating).toEqual({ [METRICS.disputesRecommended]: 2, [`${METRICS.disputesRecommended} Outcome=CREDIT`]: 2 });

      const deciding = totals(
        await emitted(async () => {
          expect((await api.call('POST', `/v1/disputes/${a}/decision`, { token: 'test-reviewer', body: { action: 'ACCEPT' } })).status).toBe(200);
          const override = { action: 'OVERRIDE', outcome: 'DENY', creditAmount: { amountMinor: 0, currency: 'USD' }, reason: 'the customer confirmed the call' };
          expect((await api.call('POST', `/v1/disputes/${b}/decision`, { token: 'test-reviewer', body: override })).status).toBe(200);
          expect((await api.call('POST', `/v1/disputes/${b}/decision`, { token: 'test-reviewer', body: override })).status).toBe(409); // decided already
        }),
      );
      expect(deciding).toEqual({ [METRICS.disputesDecided]: 2, [METRICS.decisionOverrides]: 1 });
    } finally {
      await api.close();
    }
  });

  it('run-audit: findings by type, and AuditFailed with the service dimension only (what the alarm reads)', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const period = { from: iso(H0), to: iso(H0 + 3 * HOUR) };
    const audited = totals(
      await emitted(async () => {
        await enqueueBatch('auditRuns', [JSON.stringify({ start: { ...period, trigger: 'api' } })]);
        await stack.drainAuditRuns();
      }),
    );
    const byType = Object.entries(audited).filter(([k]) => k.startsWith(`${METRICS.auditFindings} FindingType=`));
    expect(byType.length).toBeGreaterThan(0);
    // m-3 was charged and never answered; the batches above had rejects.
    expect(audited[`${METRICS.auditFindings} FindingType=BILLED_UNANSWERED`]).toBeGreaterThan(0);
    expect(audited[`${METRICS.auditFindings} FindingType=REJECTED_INPUT`]).toBeGreaterThan(0);
    expect(audited[METRICS.auditFindings]).toBe(byType.reduce((n, [, v]) => n + v, 0));
    expect(audited[METRICS.auditFailed]).toBeUndefined();

    // An audit that cannot succeed (its pinned policy is not the current one) is marked FAILED.
    const started = await startAudit({ ...period, trigger: 'cli' });
    await documentClient().send(new UpdateCommand({ TableName: tableName('audits'), Key: { auditId: started.auditId }, UpdateExpression: 'SET policyVersion = :v', ExpressionAttributeValues: { ':v': 'v0' } }));
    const failed = await emitted(async () => {
      await enqueueBatch('auditRuns', [JSON.stringify({ auditId: started.auditId })]);
      await stack.drainAuditRuns();
    });
    expect(METRICS.auditFailed).toBe(AUDIT_FAILED_METRIC);
    expect(failed.filter((m) => m.name === AUDIT_FAILED_METRIC)).toEqual([{ name: AUDIT_FAILED_METRIC, namespace: NAMESPACE, value: 1, dimensions: { service: 'dispute-pipeline' } }]);
  });

  it('publish-dispute-events: events a delivery failed to publish', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    // Nowhere to deliver to: the queue the events go to locally does not exist.
    vi.stubEnv('DISPUTE_EVENTS_QUEUE_URL', `${process.env.DISPUTE_EVENTS_QUEUE_URL}-missing`);
    const at = new Date().toISOString();
    const dispute = (history: { status: string; by: string }[]) => ({ disputeId: 'ev-1', accountId: 'acct-m', ticketId: 'ev', origin: 'TICKET', history: history.map((h) => ({ ...h, at })) });
    const before = dispute([{ status: 'RECEIVED', by: 'ticket-tool' }]);
    const after = dispute([...before.history, { status: 'INVESTIGATING', by: 'investigator' }, { status: 'RECOMMENDED', by: 'investigator' }, { status: 'DECIDED', by: 'rita' }]);
    const event = {
      Records: [
        { eventID: '1', eventName: 'MODIFY', dynamodb: { SequenceNumber: '100', OldImage: marshall(before), NewImage: marshall(after) } },
        // A ticket guard item: no history, no events, nothing to deliver.
        { eventID: '2', eventName: 'INSERT', dynamodb: { SequenceNumber: '101', NewImage: marshall({ disputeId: 'ticket#ev' }) } },
      ],
    } as unknown as DynamoDBStreamEvent;
    let response: unknown;
    const out = await emitted(async () => {
      response = await stack.handlers.publishEvents(event, lambdaContext('publish-dispute-events'));
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    expect(totals(out)).toEqual({ [METRICS.eventDeliveryFailures]: 2 });
  });

  it('every dimensioned metric names its dimension', () => {
    expect(DIMENSIONED).toEqual({ CdrsRejected: 'Field', DisputesRecommended: 'Outcome', AuditFindings: 'FindingType' });
  });
});
