// The API's operations, one function per route of functions/api/routes.ts.
import { z } from 'zod';
import { E164 } from '../domain/cdr';
import { DISPUTE_STATUSES, DecisionError, DecisionRequest, OpenDisputeRequest } from '../domain/dispute';
import { TTA_BIN_LABELS, hoursBetween, ratios, sumCounters, utcHour } from '../domain/stats';
import { StatusConflictError, TicketConflictError, getDispute, listByAccount, listByStatus } from '../adapters/dispute-store';
import { readStats } from '../adapters/stats-store';
import { getAudit } from '../adapters/audit-store';
import { NotFoundError, decideDispute, openDispute, reinvestigateDispute } from '../disputes';
import { runAudit } from '../run-audit';
import type { Caller } from './auth';
import { type HttpResponse, Problem, json } from './problem';

export interface ApiRequest {
  routeKey: string;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
  caller: Caller;
}

const MAX_BODY_BYTES = 64 * 1024;

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

const notFound = (what: string) => new Problem(404, 'not-found', `${what} does not exist`);

const ListQuery = z.object({
  status: z.enum(DISPUTE_STATUSES).default('RECOMMENDED'),
  accountId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

const StatsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    granularity: z.enum(['hour', 'day']).default('hour'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 93 * 86_400_000, { path: ['to'], message: 'the range must not exceed 93 days' });

const AuditRequest = z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).partial().strict();

function ratioSeries(counters: ReturnType<typeof sumCounters>) {
  return { ...counters, ttaHistogram: Object.fromEntries(TTA_BIN_LABELS.map((l, i) => [l, counters.ttaHistogram[i] ?? 0])), ...ratios(counters) };
}

type Operation = (request: ApiRequest) => Promise<HttpResponse>;

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

export const OPERATIONS: Record<string, Operation> = {
  'POST /v1/disputes': async (request) => {
    const body = parseWith(OpenDisputeRequest, jsonBody(request), 'body');
    try {
      const { dispute } = await openDispute(body, { subject: request.caller.subject });
      return json(202, dispute, { location: `/v1/disputes/${dispute.disputeId}` });
    } catch (error) {
      if (error instanceof TicketConflictError) throw new Problem(409, 'ticket-conflict', error.message, [{ field: 'body.ticketId', reason: 'already used with a different request' }]);
      throw error;
    }
  },

  'GET /v1/disputes/{disputeId}': async ({ pathParameters }) => {
    const dispute = await getDispute(pathParameters.disputeId ?? '');
    if (!dispute) throw notFound(`dispute ${pathParameters.disputeId}`);
    return json(200, dispute);
  },

  'POST /v1/disputes/{disputeId}/decision': async (request) => {
    const body = parseWith(DecisionRequest, jsonBody(request), 'body');
    return json(200, await onDispute(() => decideDispute(request.pathParameters.disputeId ?? '', body, { subject: request.caller.subject })));
  },

  'POST /v1/disputes/{disputeId}/reinvestigate': async (request) =>
    json(202, await onDispute(() => reinvestigateDispute(request.pathParameters.disputeId ?? '', { subject: request.caller.subject }))),

  'GET /v1/disputes': async ({ query }) => {
    const q = parseWith(ListQuery, query, 'query');
    try {
      const page = await listByStatus(q.status, q.limit, q.cursor, q.accountId);
      return json(200, { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    } catch (error) {
      if (q.cursor && error instanceof Error && /cursor|JSON|ValidationException/i.test(`${error.name} ${error.message}`)) {
        throw new Problem(400, 'validation-failed', 'the cursor is not valid', [{ field: 'query.cursor', reason: 'not a cursor this API returned' }]);
      }
      throw error;
    }
  },

  'GET /v1/accounts/{accountId}/disputes': async ({ pathParameters }) => {
    const accountId = parseWith(z.string().min(1).max(64), pathParameters.accountId, 'path');
    return json(200, { accountId, items: await listByAccount(accountId) });
  },

  'GET /v1/numbers/{e164}/stats': async ({ pathParameters, query }) => {
    const calledNumber = parseWith(E164, decodeURIComponent(pathParameters.e164 ?? ''), 'path');
    const q = parseWith(StatsQuery, query, 'query');
    const to = q.to ?? new Date().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - 86_400_000).toISOString();
    const buckets = await readStats(calledNumber, from, to);
    const periodOf = (hour: string) => (q.granularity === 'day' ? `${hour.slice(0, 10)}T00:00:00Z` : hour);
    const periods = [...new Set(hoursBetween(from, to).map(periodOf))];
    const series = periods.map((period) => ({ period, ...ratioSeries(sumCounters(buckets.filter((b) => periodOf(b.hour) === period).map((b) => b.counters))) }));
    return json(200, { calledNumber, from: utcHour(from), to, granularity: q.granularity, total: ratioSeries(sumCounters(buckets.map((b) => b.counters))), series });
  },

  'POST /v1/audits': async (request) => {
    const body = request.body && request.body.trim() !== '' ? parseWith(AuditRequest, jsonBody(request), 'body') : {};
    const report = await runAudit({ ...body, trigger: 'api' });
    return json(201, report, { location: `/v1/audits/${report.auditId}` });
  },

  'GET /v1/audits/{auditId}': async ({ pathParameters }) => {
    const report = await getAudit(pathParameters.auditId ?? '');
    if (!report) throw notFound(`audit ${pathParameters.auditId}`);
    return json(200, report);
  },
};
