// The API's operations, one per route of functions/api/routes.ts: the schemas that validate each request, the
// responses it gives (with examples), and what it does. The OpenAPI document is generated from this table.
import { z } from 'zod';
import { CalledNumber, Instant } from '../domain/cdr';
import { DISPUTE_STATUSES, DecisionRequest, OpenDisputeRequest } from '../domain/disputes/dispute';
import { NotFoundError } from '../domain/errors';
import { TTA_BIN_LABELS, hoursBetween, ratios, sumCounters, utcHour } from '../domain/statistics/connect-statistics';
import { decodeCursor, listByAccount, listByDue, listByStatus, listUpdatedSince } from '../adapters/dispute-reads';
import { getDispute } from '../adapters/dispute-store';
import { type StatsDataRange, readStats, statsDataRange } from '../adapters/stats-store';
import { getAuditReport, listAudits } from '../adapters/audit-store';
import { openDispute } from '../use-cases/disputes/open-dispute';
import { decideDispute, leaseDispute, reinvestigateDispute, releaseDispute } from '../use-cases/decisions/decide-dispute';
import { startAudit } from '../use-cases/audit/start-audit';
import { enqueue } from '../adapters/queues';
import { auditExample, disputeExample, leaseExample, numberStatsExample, openDisputeExample, overrideExample, receivedDisputeExample } from './examples';
import { Problem, json } from './problem';
import { AccountDisputes, AuditList, AuditReport, AuditRequest, Dispute, DisputePage, Lease, NumberStats } from './schemas';
import { type ApiRequest, CursorText, type Operation, type ValidRequest, operation, pageBody, queryInteger } from './operation';
import { REJECT_OPERATIONS } from './reject-operations';
import { WEBHOOK_OPERATIONS } from './webhook-operations';
import { ADJUSTMENT_OPERATIONS } from './adjustment-operations';
import { dated } from './adjustment-schemas';

export type { ApiRequest, Operation, ResponseSpec, ValidRequest } from './operation';

export const MAX_BODY_BYTES = 64 * 1024;

function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw Problem.fromZod(result.error, where);
  return result.data;
}

function jsonBody(request: ApiRequest): unknown {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new Problem(415, 'unsupported-media-type', 'send the body as application/json');
  const body = request.body ?? '';
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new Problem(413, 'body-too-large', `the body must not exceed ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(body);
  } catch {
    throw new Problem(400, 'malformed-json', 'the body is not valid JSON', [{ field: 'body', reason: 'not valid JSON' }]);
  }
}

/** Validates a raw request against an operation's schemas: path, then query, then body. */
export function validate(operation: Operation, request: ApiRequest): ValidRequest {
  const path = operation.path ? parseWith(operation.path, request.pathParameters, 'path') : {};
  const query = operation.query ? parseWith(operation.query, request.query, 'query') : {};
  let body: unknown;
  if (operation.body) {
    const empty = request.body === undefined || request.body.trim() === '';
    body = empty && operation.body.optional ? {} : parseWith(operation.body.schema, jsonBody(request), 'body');
  }
  return { path, query, body, caller: request.caller };
}

const notFound = (what: string) => new NotFoundError(`${what} does not exist`);

const Id = z.string().min(1).max(64);
const DisputePath = z.object({ disputeId: Id.meta({ description: 'a ULID', example: disputeExample.disputeId }) });

/** A page key as the store encodes it: base64url JSON of an object of non-empty strings (DynamoDB string keys). */
function isPageKey(cursor: string): boolean {
  try {
    const key = decodeCursor(cursor);
    return key !== undefined && Object.keys(key).length > 0 && Object.values(key).every((value) => typeof value === 'string' && value.length > 0);
  } catch {
    return false;
  }
}

const ListQuery = z.object({
  status: z.enum(DISPUTE_STATUSES).optional().meta({ description: 'the queue to read; default the reviewer queue (RECOMMENDED); with updatedSince, default every status' }),
  accountId: Id.optional(),
  sort: z.enum(['openedAt', 'dueBy']).default('openedAt').meta({ description: 'oldest opened first (default), or soonest due first' }),
  overdue: z.enum(['true', 'false']).optional().meta({ description: 'only the disputes past (true) or not past (false) their due date now; sorted by dueBy' }),
  updatedSince: Instant.optional().meta({
    description:
      'the disputes changed at or after this instant (a transition or the overdue mark), oldest change first: what a ticket tool polls. Resume from the last `updatedAt` you read, a minute earlier (index reads trail writes by up to about a second), and skip what you have seen by disputeId and updatedAt. Not with sort or overdue.',
  }),
  limit: queryInteger(1, 100, 25),
  cursor: CursorText.refine(isPageKey, 'not a cursor this API returned')
    .optional()
    .meta({ description: 'opaque, from the previous page (with the same filters)' }),
}).superRefine((q, ctx) => {
  if (q.updatedSince === undefined) return;
  if (q.sort !== 'openedAt') ctx.addIssue({ code: 'custom', path: ['sort'], message: 'updatedSince lists by change time: leave sort out' });
  if (q.overdue !== undefined) ctx.addIssue({ code: 'custom', path: ['overdue'], message: 'not with updatedSince: filter on the overdue field of what it returns' });
});

/** One page of `GET /v1/disputes`: by change time, by due date (sorted, or the overdue ones), or the oldest-first queue. */
async function listDisputes(q: z.output<typeof ListQuery>) {
  const { accountId, cursor, limit } = q;
  if (q.updatedSince !== undefined) return listUpdatedSince(q.updatedSince, limit, { cursor, accountId, status: q.status });
  const status = q.status ?? 'RECOMMENDED';
  if (q.overdue === undefined && q.sort === 'openedAt') return listByStatus(status, limit, cursor, accountId);
  const now = new Date().toISOString();
  // A decided dispute is never overdue: nothing to list for overdue=true, and every one for overdue=false.
  if (status === 'DECIDED' && q.overdue === 'true') return { items: [] };
  const range = status === 'DECIDED' || q.overdue === undefined ? {} : q.overdue === 'true' ? { dueBefore: now } : { dueFrom: now };
  return listByDue(status, limit, { cursor, accountId, ...range });
}

const MAX_STATS_DAYS = 93;

/** The statistics window with its defaults when one bound is given: `to` now, `from` 24 h before `to`. */
function statsWindow(q: { from?: string; to?: string }, now = Date.now()): { from: string; to: string } {
  const to = q.to ?? new Date(now).toISOString();
  return { from: q.from ?? new Date(Date.parse(to) - 86_400_000).toISOString(), to };
}

const LATEST_DAYS = 7;

/**
 * The window read when neither bound is given: the 7 days ending with the latest stored hour of the destination
 * (its data may be weeks old: a window ending now would show nothing), or, when it has none, the 7 days up to the
 * end of the current hour (whole hours, as the console's default).
 */
function latestWindow(range: StatsDataRange | null, now = Date.now()): { from: string; to: string } {
  const end = range ? Date.parse(range.last) + 3_600_000 : Math.ceil(now / 3_600_000) * 3_600_000;
  return { from: new Date(end - LATEST_DAYS * 86_400_000).toISOString(), to: new Date(end).toISOString() };
}

const StatsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: 24 h before to; without from and to, the 7 days ending with the latest stored hour' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: now; without from and to, the end of the latest stored hour' }),
    granularity: z.enum(['hour', 'day']).default('hour'),
  })
  // The window as it will be read, defaults applied: `from` alone ends now, so it too must lie within 93 days before
  // now (a `from` years ago once built a series of millions of hours).
  .superRefine((q, ctx) => {
    // zod runs this even when a field failed: an unreadable from or to has its own issue already.
    if ([q.from, q.to].some((v) => v !== undefined && !Instant.safeParse(v).success)) return;
    // Neither bound: the window is the latest 7 days of data, within the limit by construction.
    if (q.from === undefined && q.to === undefined) return;
    const { from, to } = statsWindow(q);
    const span = Date.parse(to) - Date.parse(from);
    const [field, tooEarly, tooLong] = q.to
      ? (['to', 'must be after from', `the range must not exceed ${MAX_STATS_DAYS} days`] as const)
      : (['from', 'must be before now (to defaults to now)', `must be within ${MAX_STATS_DAYS} days before now (to defaults to now)`] as const);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: [field], message: tooEarly });
    else if (span > MAX_STATS_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: [field], message: tooLong });
  });

function ratioSeries(counters: ReturnType<typeof sumCounters>) {
  return { ...counters, ttaHistogram: Object.fromEntries(TTA_BIN_LABELS.map((l, i) => [l, counters.ttaHistogram[i] ?? 0])), ...ratios(counters) };
}

const disputeLocation = (disputeId: string) => `/v1/disputes/${disputeId}`;

export const OPERATIONS: Record<string, Operation> = {
  'POST /v1/disputes': operation({
    operationId: 'openDispute',
    summary: 'Open a dispute',
    description:
      'Stores the dispute RECEIVED and queues it for the investigator. A retry with the same `ticketId` and body returns the same dispute; the same `ticketId` with another body is 409.',
    body: { schema: OpenDisputeRequest.meta({ id: 'OpenDisputeRequest' }), example: openDisputeExample },
    responses: { 202: { description: 'accepted; the recommendation follows asynchronously', schema: Dispute, example: dated(receivedDisputeExample), headers: { Location: 'the dispute' } } },
    problems: [409, 413, 415],
    run: async ({ body, caller }) => {
      const { dispute } = await openDispute(body, { subject: caller.subject });
      return json(202, dispute, { location: disputeLocation(dispute.disputeId) });
    },
  }),

  'GET /v1/disputes/{disputeId}': operation({
    operationId: 'getDispute',
    summary: 'Read a dispute: status, recommendation with its evidence, decision and history',
    description: "Everything about one dispute: its status, the recommendation with the evidence behind each reason, the reviewer's decision, the review lease and the append-only history.",
    path: DisputePath,
    responses: { 200: { description: 'the dispute', schema: Dispute, example: dated(disputeExample) } },
    problems: [404],
    run: async ({ path }) => {
      const dispute = await getDispute(path.disputeId);
      if (!dispute) throw notFound(`dispute ${path.disputeId}`);
      return json(200, dispute);
    },
  }),

  'POST /v1/disputes/{disputeId}/decision': operation({
    operationId: 'decideDispute',
    summary: 'Decide a recommended dispute: accept the recommendation, override it, or grant goodwill',
    description:
      "The reviewer is taken from the token. A dispute is decided once: a second decision is 409 `status-conflict`; while another reviewer holds an unexpired lease on it, 409 `lease-held`. The decision ends the lease. An override needs an outcome, an amount and a reason. `GOODWILL` (with a reason) is its own decision, only where `recommendation.goodwill.eligible` (else 400 on `body.action`): it credits the suggested `goodwill.amountMinor` (or the smaller `creditAmount` given) in the disputed currency, keeps the recommended outcome (DENY), and is never counted as an override.",
    path: DisputePath,
    body: { schema: DecisionRequest.meta({ id: 'DecisionRequest' }), example: overrideExample },
    responses: { 200: { description: 'the decided dispute', schema: Dispute, example: dated(disputeExample) } },
    problems: [404, 409, 413, 415],
    run: async ({ path, body, caller }) => json(200, await decideDispute(path.disputeId, body, { subject: caller.subject })),
  }),

  'POST /v1/disputes/{disputeId}/reinvestigate': operation({
    operationId: 'reinvestigateDispute',
    summary: 'Send a recommended dispute back to the investigator (e.g. after late CDRs)',
    description: 'Only a RECOMMENDED dispute goes back (else 409 `status-conflict`; while another reviewer holds its lease, 409 `lease-held`). The investigator runs again on the call records stored by then; the history keeps every recommendation.',
    path: DisputePath,
    body: { schema: z.object({ reason: z.string().trim().min(1).max(2000).optional().meta({ description: "why: kept in the history entry's note" }) }).strict().meta({ id: 'ReinvestigateRequest' }), example: { reason: 'late CDRs from the switch' }, optional: true },
    responses: { 202: { description: 'queued for investigation', schema: Dispute, example: dated({ ...disputeExample, status: 'INVESTIGATING', decision: undefined, history: disputeExample.history.slice(0, 3) }) } },
    problems: [404, 409, 413, 415],
    run: async ({ path, body, caller }) => json(202, await reinvestigateDispute(path.disputeId, { subject: caller.subject }, new Date(), body?.reason)),
  }),

  'POST /v1/disputes/{disputeId}/lease': operation({
    operationId: 'leaseDispute',
    summary: 'Hold a recommended dispute while reviewing it: take the lease, or renew your own',
    description:
      'The lease lasts 5 minutes from each call; renew it before `expiresAt`. While you hold it, other reviewers can neither take it nor decide or re-investigate the dispute (409 `lease-held`, naming the holder). A lease nobody renewed expires and can be taken by anyone. Only RECOMMENDED disputes can be leased (else 409 `status-conflict`). A lease is not history.',
    path: DisputePath,
    responses: { 200: { description: 'the lease you hold', schema: Lease, example: leaseExample } },
    problems: [404, 409],
    run: async ({ path, caller }) => json(200, await leaseDispute(path.disputeId, { subject: caller.subject })),
  }),

  'DELETE /v1/disputes/{disputeId}/lease': operation({
    operationId: 'releaseDisputeLease',
    summary: 'Release your lease on a dispute',
    description: 'Only the holder releases a lease: while another reviewer holds it unexpired, 409 `lease-held`. Releasing a lease you do not hold (expired, released, or the dispute decided) is 204 too.',
    path: DisputePath,
    responses: { 204: { description: 'released, or not held', schema: z.null(), example: null } },
    problems: [404, 409],
    run: async ({ path, caller }) => {
      await releaseDispute(path.disputeId, { subject: caller.subject });
      return { statusCode: 204, headers: {}, body: '' };
    },
  }),

  'GET /v1/disputes': operation({
    operationId: 'listDisputes',
    summary: 'The review queue: disputes in a status, oldest first or soonest due; or every dispute changed since an instant',
    description:
      'Disputes in `status` (default RECOMMENDED, the review queue), oldest first, optionally of one `accountId`, `limit` per page (1-100, default 25). `sort=dueBy` orders them soonest due first; `overdue=true` lists only those past their due date now (soonest due first), `overdue=false` the others. `updatedSince` lists instead the disputes changed at or after that instant (every status unless `status` is given), oldest change first: ticket tools poll it instead of reading each dispute. A page with a `cursor` has a next one: pass it back as `cursor` with the same filters. A cursor is opaque; one the API did not return is 400 on `query.cursor`.',
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: DisputePage, example: { items: [dated({ ...disputeExample, status: 'RECOMMENDED', decision: undefined, history: disputeExample.history.slice(0, 3) })], cursor: 'eyJkaXNwdXRlSWQiOiIwMUpDMlo4UTZTOFczWDRZNVo2QTdCOEM5RCJ9' } } },
    problems: [],
    run: async ({ query }) => {
      const page = await listDisputes(query);
      return json(200, pageBody(page));
    },
  }),

  'GET /v1/accounts/{accountId}/disputes': operation({
    operationId: 'listAccountDisputes',
    summary: "An account's dispute history, oldest first",
    description: 'Every dispute of the account whatever its status, oldest first; an account with none has an empty list.',
    path: z.object({ accountId: Id.meta({ example: 'ACC-1001' }) }),
    responses: { 200: { description: "the account's disputes", schema: AccountDisputes, example: { accountId: 'ACC-1001', items: [dated(disputeExample)] } } },
    problems: [],
    run: async ({ path }) => json(200, { accountId: path.accountId, items: await listByAccount(path.accountId) }),
  }),

  'GET /v1/numbers/{e164}/stats': operation({
    operationId: 'getNumberStats',
    summary: "A destination's connect statistics: counters and ratios with 95% intervals, per hour or day",
    description:
      'Counters per UTC hour or day in [`from`, `to`), and their total, with ASR, NER and the short-call ratio (each with its sample size and Wilson 95% interval), the average call duration and the time-to-answer histogram. Without `from` and `to`, the window is the 7 days ending with the latest stored hour of the number (the 7 days up to the end of the current hour when it has none). With one bound, `to` defaults to now and `from` to 24 h before `to`; the window is at most 93 days, so a `from` alone must lie within the 93 days before now. `dataFrom` and `dataTo` say where the data of the number is, whatever the window: the start of its first and the end of its latest stored hour with calls (null when it has none).',
    // API Gateway decodes path parameters once before the function runs (infra/local/http-api.ts does the same
    // locally); decoding again here would read `%252B…` as `+…` and throw on `%25ZZ`.
    path: z.object({
      e164: CalledNumber.meta({
        description:
          'The destination as ingest stored it: E.164, URL-encoded in the path (`%2B18005550199`; a raw `+` works too), or an internal extension (1-7 digits, `*` or `#`, e.g. `100`; `#` encoded as `%23`) that a feed imported with --allow-extensions stored. API Gateway decodes the path parameter once; what it decodes to must be one of these, so an encoding applied twice (`%252B…`) is refused.',
        example: '+18005550199',
      }),
    }),
    query: StatsQuery,
    responses: { 200: { description: 'the series and its total', schema: NumberStats, example: { ...numberStatsExample, dataFrom: '2026-10-28T14:00:00Z', dataTo: '2026-11-04T18:00:00Z' } } },
    problems: [],
    run: async ({ path, query }) => {
      const range = await statsDataRange(path.e164);
      const { from, to } = query.from === undefined && query.to === undefined ? latestWindow(range) : statsWindow(query);
      const data = { dataFrom: range?.first ?? null, dataTo: range ? new Date(Date.parse(range.last) + 3_600_000).toISOString().replace('.000Z', 'Z') : null };
      const buckets = await readStats(path.e164, from, to);
      const periodOf = (hour: string) => (query.granularity === 'day' ? `${hour.slice(0, 10)}T00:00:00Z` : hour);
      const periods = [...new Set(hoursBetween(from, to).map(periodOf))];
      const series = periods.map((period) => ({ period, ...ratioSeries(sumCounters(buckets.filter((b) => periodOf(b.hour) === period).map((b) => b.counters))) }));
      return json(200, { calledNumber: path.e164, from: utcHour(from), to, granularity: query.granularity, ...data, total: ratioSeries(sumCounters(buckets.map((b) => b.counters))), series });
    },
  }),

  'POST /v1/audits': operation({
    operationId: 'startAudit',
    summary: 'Run the batch audit now, over a period (default the previous 24 h)',
    description: 'The audit runs asynchronously; poll the report at `Location` until its status is COMPLETED. `repair: true` rewrites drifted connect statistics from the recount.',
    body: { schema: AuditRequest, example: { from: '2026-11-04T00:00:00Z', to: '2026-11-05T00:00:00Z', repair: false }, optional: true },
    responses: { 202: { description: 'started', schema: AuditReport, example: { ...auditExample, status: 'RUNNING', findings: [], summary: [] }, headers: { Location: 'the report' } } },
    problems: [413, 415],
    run: async ({ body }) => {
      const report = await startAudit({ ...body, trigger: 'api' });
      await enqueue('auditRuns', { auditId: report.auditId });
      return json(202, report, { location: `/v1/audits/${report.auditId}` });
    },
  }),

  'GET /v1/audits': operation({
    operationId: 'listAudits',
    summary: 'The latest audit reports, newest first (without their findings)',
    description: 'The latest `limit` audit reports (1-100, default 20), newest first, each without its findings: read a report for those.',
    query: z.object({ limit: queryInteger(1, 100, 20) }),
    responses: { 200: { description: 'the reports', schema: AuditList, example: { items: [{ ...auditExample, findings: undefined }] } } },
    problems: [],
    run: async ({ query }) => json(200, { items: await listAudits(query.limit) }),
  }),

  'GET /v1/audits/{auditId}': operation({
    operationId: 'getAudit',
    summary: 'An audit report with its findings',
    description: 'The period, status and progress, the summary by finding type and every finding. While the audit is RUNNING its findings grow; poll until COMPLETED.',
    path: z.object({ auditId: z.string().min(1).max(128) }),
    responses: { 200: { description: 'the report', schema: AuditReport, example: auditExample } },
    problems: [404],
    run: async ({ path }) => {
      const report = await getAuditReport(path.auditId);
      if (!report) throw notFound(`audit ${path.auditId}`);
      return json(200, report);
    },
  }),

  ...REJECT_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...ADJUSTMENT_OPERATIONS,
};
