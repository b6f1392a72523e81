// The API's operations, one per route of functions/api/routes.ts: the schemas that validate each request, the
// responses it gives (with examples), and what it does. The OpenAPI document is generated from this table.
import { z } from 'zod';
import { E164 } from '../domain/cdr';
import { DISPUTE_STATUSES, DecisionError, DecisionRequest, OpenDisputeRequest } from '../domain/dispute';
import { TTA_BIN_LABELS, hoursBetween, ratios, sumCounters, utcHour } from '../domain/stats';
import { StatusConflictError, TicketConflictError, getDispute, listByAccount, listByStatus } from '../adapters/dispute-store';
import { readStats } from '../adapters/stats-store';
import { getAuditReport, listAudits } from '../adapters/audit-store';
import { NotFoundError, decideDispute, openDispute, reinvestigateDispute } from '../disputes';
import { AuditRequestError, startAudit } from '../run-audit';
import { enqueue } from '../adapters/queues';
import type { Caller } from './auth';
import { auditExample, disputeExample, numberStatsExample, openDisputeExample, overrideExample, receivedDisputeExample } from './examples';
import { type HttpResponse, Problem, json } from './problem';
import { AccountDisputes, AuditList, AuditReport, AuditRequest, Dispute, DisputePage, NumberStats } from './schemas';

export interface ApiRequest {
  routeKey: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
  caller: Caller;
}

/** What an operation receives: the request with its parts already validated by the operation's schemas. */
export interface ValidRequest<P = any, Q = any, B = any> {
  path: P;
  query: Q;
  body: B;
  caller: Caller;
}

export interface ResponseSpec {
  description: string;
  schema: z.ZodType;
  example: unknown;
  headers?: Record<string, string>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; example: unknown; optional?: boolean };
  responses: Record<number, ResponseSpec>;
  /** Problem statuses beyond the ones every operation can answer (400, 401, 403, 429, 500). */
  problems: number[];
  run: (request: ValidRequest) => Promise<HttpResponse>;
}

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

const notFound = (what: string) => new Problem(404, 'not-found', `${what} does not exist`);

/** Maps the dispute use cases' errors to problems. */
async function onDispute<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof NotFoundError) throw new Problem(404, 'not-found', error.message);
    if (error instanceof StatusConflictError) throw new Problem(409, 'status-conflict', `the dispute must be ${error.expected.join(' or ')} for this; it has moved on`);
    if (error instanceof DecisionError) throw new Problem(400, 'validation-failed', error.message, [{ field: `body.${error.field}`, reason: error.message }]);
    throw error;
  }
}

const Id = z.string().min(1).max(64);
const DisputePath = z.object({ disputeId: Id.meta({ description: 'a ULID', example: disputeExample.disputeId }) });

const ListQuery = z.object({
  status: z.enum(DISPUTE_STATUSES).default('RECOMMENDED').meta({ description: 'the queue to read; default the reviewer queue' }),
  accountId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional().meta({ description: 'opaque, from the previous page' }),
});

const StatsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: 24 h before to' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: now' }),
    granularity: z.enum(['hour', 'day']).default('hour'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 93 * 86_400_000, { path: ['to'], message: 'the range must not exceed 93 days' });

function ratioSeries(counters: ReturnType<typeof sumCounters>) {
  return { ...counters, ttaHistogram: Object.fromEntries(TTA_BIN_LABELS.map((l, i) => [l, counters.ttaHistogram[i] ?? 0])), ...ratios(counters) };
}

const disputeLocation = (disputeId: string) => `/v1/disputes/${disputeId}`;

export const OPERATIONS: Record<string, Operation> = {
  'POST /v1/disputes': {
    operationId: 'openDispute',
    summary: 'Open a dispute',
    description:
      'Stores the dispute RECEIVED and queues it for the investigator. A retry with the same `ticketId` and body returns the same dispute; the same `ticketId` with another body is 409.',
    body: { schema: OpenDisputeRequest.meta({ id: 'OpenDisputeRequest' }), example: openDisputeExample },
    responses: { 202: { description: 'accepted; the recommendation follows asynchronously', schema: Dispute, example: receivedDisputeExample, headers: { Location: 'the dispute' } } },
    problems: [409, 413, 415],
    run: async ({ body, caller }) => {
      try {
        const { dispute } = await openDispute(body, { subject: caller.subject });
        return json(202, dispute, { location: disputeLocation(dispute.disputeId) });
      } catch (error) {
        if (error instanceof TicketConflictError) throw new Problem(409, 'ticket-conflict', error.message, [{ field: 'body.ticketId', reason: 'already used with a different request' }]);
        throw error;
      }
    },
  },

  'GET /v1/disputes/{disputeId}': {
    operationId: 'getDispute',
    summary: 'Read a dispute: status, recommendation with its evidence, decision and history',
    path: DisputePath,
    responses: { 200: { description: 'the dispute', schema: Dispute, example: disputeExample } },
    problems: [404],
    run: async ({ path }) => {
      const dispute = await getDispute(path.disputeId);
      if (!dispute) throw notFound(`dispute ${path.disputeId}`);
      return json(200, dispute);
    },
  },

  'POST /v1/disputes/{disputeId}/decision': {
    operationId: 'decideDispute',
    summary: 'Decide a recommended dispute: accept the recommendation or override it',
    description: "The reviewer is taken from the token. A dispute is decided once: a second decision is 409. An override needs an outcome, an amount and a reason.",
    path: DisputePath,
    body: { schema: DecisionRequest.meta({ id: 'DecisionRequest' }), example: overrideExample },
    responses: { 200: { description: 'the decided dispute', schema: Dispute, example: disputeExample } },
    problems: [404, 409, 413, 415],
    run: async ({ path, body, caller }) => json(200, await onDispute(() => decideDispute(path.disputeId, body, { subject: caller.subject }))),
  },

  'POST /v1/disputes/{disputeId}/reinvestigate': {
    operationId: 'reinvestigateDispute',
    summary: 'Send a recommended dispute back to the investigator (e.g. after late CDRs)',
    path: DisputePath,
    responses: { 202: { description: 'queued for investigation', schema: Dispute, example: { ...disputeExample, status: 'INVESTIGATING', decision: undefined, history: disputeExample.history.slice(0, 3) } } },
    problems: [404, 409],
    run: async ({ path, caller }) => json(202, await onDispute(() => reinvestigateDispute(path.disputeId, { subject: caller.subject }))),
  },

  'GET /v1/disputes': {
    operationId: 'listDisputes',
    summary: 'The review queue: disputes in a status, oldest first',
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: DisputePage, example: { items: [{ ...disputeExample, status: 'RECOMMENDED', decision: undefined, history: disputeExample.history.slice(0, 3) }], cursor: 'eyJkaXNwdXRlSWQiOiIwMUpDMlo4UTZTOFczWDRZNVo2QTdCOEM5RCJ9' } } },
    problems: [],
    run: async ({ query }) => {
      try {
        const page = await listByStatus(query.status, query.limit, query.cursor, query.accountId);
        return json(200, { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
      } catch (error) {
        if (query.cursor && error instanceof Error && /cursor|JSON|ValidationException/i.test(`${error.name} ${error.message}`)) {
          throw new Problem(400, 'validation-failed', 'the cursor is not valid', [{ field: 'query.cursor', reason: 'not a cursor this API returned' }]);
        }
        throw error;
      }
    },
  },

  'GET /v1/accounts/{accountId}/disputes': {
    operationId: 'listAccountDisputes',
    summary: "An account's dispute history, oldest first",
    path: z.object({ accountId: Id.meta({ example: 'ACC-1001' }) }),
    responses: { 200: { description: "the account's disputes", schema: AccountDisputes, example: { accountId: 'ACC-1001', items: [disputeExample] } } },
    problems: [],
    run: async ({ path }) => json(200, { accountId: path.accountId, items: await listByAccount(path.accountId) }),
  },

  'GET /v1/numbers/{e164}/stats': {
    operationId: 'getNumberStats',
    summary: "A destination's connect statistics: counters and ratios with 95% intervals, per hour or day",
    path: z.object({ e164: z.string().transform((v) => decodeURIComponent(v)).pipe(E164).meta({ description: 'URL-encoded E.164 (%2B for +)', example: '%2B18005550199' }) }),
    query: StatsQuery,
    responses: { 200: { description: 'the series and its total', schema: NumberStats, example: numberStatsExample } },
    problems: [],
    run: async ({ path, query }) => {
      const to = query.to ?? new Date().toISOString();
      const from = query.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
      const buckets = await readStats(path.e164, from, to);
      const periodOf = (hour: string) => (query.granularity === 'day' ? `${hour.slice(0, 10)}T00:00:00Z` : hour);
      const periods = [...new Set(hoursBetween(from, to).map(periodOf))];
      const series = periods.map((period) => ({ period, ...ratioSeries(sumCounters(buckets.filter((b) => periodOf(b.hour) === period).map((b) => b.counters))) }));
      return json(200, { calledNumber: path.e164, from: utcHour(from), to, granularity: query.granularity, total: ratioSeries(sumCounters(buckets.map((b) => b.counters))), series });
    },
  },

  'POST /v1/audits': {
    operationId: 'startAudit',
    summary: 'Run the batch audit now, over a period (default the previous 24 h)',
    description: 'The audit runs asynchronously; poll the report at `Location` until its status is COMPLETED. `repair: true` rewrites drifted connect statistics from the recount.',
    body: { schema: AuditRequest, example: { from: '2026-11-04T00:00:00Z', to: '2026-11-05T00:00:00Z', repair: false }, optional: true },
    responses: { 202: { description: 'started', schema: AuditReport, example: { ...auditExample, status: 'RUNNING', findings: [], summary: [] }, headers: { Location: 'the report' } } },
    problems: [413, 415],
    run: async ({ body }) => {
      let report;
      try {
        report = await startAudit({ ...body, trigger: 'api' });
      } catch (error) {
        if (error instanceof AuditRequestError) throw new Problem(400, 'validation-failed', error.message, [{ field: `body.${error.field}`, reason: error.message }]);
        throw error;
      }
      await enqueue('auditRuns', { auditId: report.auditId });
      return json(202, report, { location: `/v1/audits/${report.auditId}` });
    },
  },

  'GET /v1/audits': {
    operationId: 'listAudits',
    summary: 'The latest audit reports, newest first (without their findings)',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    responses: { 200: { description: 'the reports', schema: AuditList, example: { items: [{ ...auditExample, findings: undefined }] } } },
    problems: [],
    run: async ({ query }) => json(200, { items: await listAudits(query.limit) }),
  },

  'GET /v1/audits/{auditId}': {
    operationId: 'getAudit',
    summary: 'An audit report with its findings',
    path: z.object({ auditId: z.string().min(1).max(128) }),
    responses: { 200: { description: 'the report', schema: AuditReport, example: auditExample } },
    problems: [404],
    run: async ({ path }) => {
      const report = await getAuditReport(path.auditId);
      if (!report) throw notFound(`audit ${path.auditId}`);
      return json(200, report);
    },
  },
};
