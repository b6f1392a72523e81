// The reject routes' operations: list and read the rejected and conflicting CDRs ingest kept, and close them, once,
// recorded with the caller as who: resolve, dismiss with a reason, keep or replace the stored CDR of a conflict.
import { z } from 'zod';
import type { Caller } from './auth';
import { REJECT_STATUSES } from '../domain/rejects/lifecycle';
import { listRejectPage } from '../adapters/reject-store';
import { closeRejectAs, readReject, replaceStoredCdr } from '../use-cases/rejects/close-reject';
import { rejectExample, rejectPageExample } from './examples';
import { type Operation, operation, pageBody, pageCursor, queryInteger } from './operation';
import { json } from './problem';
import { CloseRequest, DismissRequest, RejectId, RejectKind, RejectPage, Reject } from './reject-schemas';

const RejectPath = z.object({ rejectId: RejectId });

const ListQuery = z.object({
  status: z
    .enum([...REJECT_STATUSES, 'ALL'])
    .default('OPEN')
    .meta({ description: 'the rejects in this status; ALL for every status; default OPEN' }),
  kind: RejectKind.optional(),
  source: z.string().min(1).max(256).optional().meta({ description: 'the source (switch or feed) the records named, as the reject shows it' }),
  reason: z.string().min(1).max(256).optional().meta({ description: 'CONFLICT, a failing field or column name, or part of a `field: reason` (case-insensitive)' }),
  limit: queryInteger(1, 100, 25),
  cursor: pageCursor('opaque, from the previous page (with the same filters)'),
});

const closed = (status: string, how: string) => ({ description: `the reject, ${status}: ${how}`, schema: Reject, example: { ...rejectExample, status, resolution: { status, by: 'audrey.auditor', at: '2026-11-06T16:35:00.000Z' } } });

const closeBody = { schema: CloseRequest, example: { note: 'the switch re-sent it with its account code fixed' }, optional: true };

/** A route that closes an open reject, once, with the caller as who: the answer is the closed reject. */
function closing<B extends z.ZodType>(spec: { operationId: string; summary: string; description: string; closes: [status: string, how: string]; body: { schema: B; example: unknown; optional?: boolean }; close: (rejectId: string, caller: Caller, body: z.output<B>) => Promise<unknown> }): Operation {
  const { closes, close, ...described } = spec;
  return operation({
    ...described,
    path: RejectPath,
    responses: { 200: closed(...closes) },
    problems: [404, 409, 413, 415],
    run: async ({ path, body, caller }) => json(200, await close(path.rejectId, caller, body)),
  });
}

export const REJECT_OPERATIONS: Record<string, Operation> = {
  'GET /v1/rejects': operation({
    operationId: 'listRejects',
    summary: 'The rejected and conflicting CDRs ingest kept, open ones by default',
    description:
      'Rejects matching every filter given: `status` (default OPEN; ALL for every status), `kind`, `source` and `reason`. Up to `limit` per page (1-100, default 25), in the table\'s order (by id within a source). A page may hold fewer (even none) when few rejects match: pass `cursor` back, with the same filters, until a page has none. The same bad record from the same source is one reject: `sightings` counts the distinct places it was seen.',
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: RejectPage, example: rejectPageExample } },
    problems: [],
    run: async ({ query }) => {
      const { status, kind, source, reason, limit, cursor } = query;
      const page = await listRejectPage({ ...(status === 'ALL' ? { all: true } : { status }), kind, source, reason }, limit, cursor);
      return json(200, pageBody(page));
    },
  }),

  'GET /v1/rejects/{rejectId}': operation({
    operationId: 'getReject',
    summary: 'A reject: its record (bounded), every failing field, where and how often it was seen, and how it was closed',
    description:
      'The raw record is kept whole up to 16 KB, else its first 16 KB, with its full length (`rawBytes`) and SHA-256 (`rawSha256`); `truncated` names every field that was cut. A conflict carries the stored CDR as it was when the conflict was recorded and the conflicting one. `resolution` says who closed it, when and why.',
    path: RejectPath,
    responses: { 200: { description: 'the reject', schema: Reject, example: rejectExample } },
    problems: [404],
    run: async ({ path }) => json(200, await readReject(path.rejectId)),
  }),

  'POST /v1/rejects/{rejectId}/resolve': closing({
    operationId: 'resolveReject',
    summary: 'Resolve an open reject: it was corrected and sent again, or otherwise dealt with',
    description: 'Closes an OPEN reject of kind INVALID as RESOLVED, with the caller and the time (a conflict is kept, replaced or dismissed instead: 409). A reject is closed once: closing it again is 409 `status-conflict`, naming who closed it and when. `rejects replay` closes what it re-sends as REPLAYED.',
    closes: ['RESOLVED', 'resolved'],
    body: closeBody,
    close: (rejectId, caller, body) => closeRejectAs(rejectId, 'resolve', caller, { reason: body?.note }),
  }),

  'POST /v1/rejects/{rejectId}/dismiss': closing({
    operationId: 'dismissReject',
    summary: 'Dismiss an open reject, with the reason',
    description: 'Closes an OPEN reject (INVALID or CONFLICT) as DISMISSED, with the reason, the caller and the time; nothing is stored or changed in the CDRs. A reject is closed once: 409 `status-conflict` otherwise.',
    closes: ['DISMISSED', 'dismissed'],
    body: { schema: DismissRequest, example: { reason: 'test calls from the lab switch' } },
    close: (rejectId, caller, body) => closeRejectAs(rejectId, 'dismiss', caller, { reason: body.reason }),
  }),

  'POST /v1/rejects/{rejectId}/keep': closing({
    operationId: 'keepStoredCdr',
    summary: 'Settle a conflict by keeping the stored CDR',
    description: 'Closes an OPEN conflict as KEPT: the stored CDR stays as it is, the conflicting one is not stored. 409 for a reject that is not a conflict or not open.',
    closes: ['KEPT', 'the stored CDR kept'],
    body: closeBody,
    close: (rejectId, caller, body) => closeRejectAs(rejectId, 'keep', caller, { reason: body?.note }),
  }),

  'POST /v1/rejects/{rejectId}/replace': closing({
    operationId: 'replaceStoredCdr',
    summary: 'Settle a conflict by replacing the stored CDR with the conflicting one',
    description:
      "Replaces the stored CDR with the conflict's `incomingCdr` and closes the conflict as REPLACED, in one transaction, only while the stored CDR still has the content the conflict recorded (`storedCdr`): else 409 `status-conflict` on `storedCdr` and nothing changes. The connect statistics follow the stored CDRs: the old content is taken out of them and the new one counted. 409 for a reject that is not a conflict or not open.",
    closes: ['REPLACED', 'the stored CDR replaced'],
    body: closeBody,
    close: (rejectId, caller, body) => replaceStoredCdr(rejectId, caller, { reason: body?.note }),
  }),
};
