// The adjustment routes' operations: the billing system's feed of credits to post and its acknowledgment, and a
// second reviewer's approval of a credit above the limit.
import { z } from 'zod';
import { ADJUSTMENT_STATUSES } from '../domain/adjustments/adjustment';
import { Instant } from '../domain/cdr';
import { listAdjustments } from '../adapters/adjustment-store';
import { approveAdjustment, postAdjustment, readAdjustment } from '../use-cases/adjustments/adjustments';
import { Adjustment, AdjustmentPage, adjustmentExample, postedAdjustmentExample } from './adjustment-schemas';
import { type Operation, operation, pageBody, pageCursor, queryInteger } from './operation';
import { json } from './problem';

const AdjustmentPath = z.object({
  adjustmentId: z
    .string()
    .regex(/^adj-[0-9A-Za-z]{1,64}-[0-9]{1,4}$/, 'must be an adjustment id: adj-<disputeId>-<n>')
    .meta({ example: adjustmentExample.adjustmentId }),
});

const ListQuery = z.object({
  status: z.enum(ADJUSTMENT_STATUSES).default('APPROVED').meta({ description: 'default APPROVED: the credits the billing system is to post' }),
  since: Instant.optional().meta({ description: 'only those that reached the status at or after this instant (resume from the last one you read)' }),
  limit: queryInteger(1, 100, 25),
  cursor: pageCursor('opaque, from the previous page (with the same status and since)'),
});

export const ADJUSTMENT_OPERATIONS: Record<string, Operation> = {
  'GET /v1/adjustments': operation({
    operationId: 'listAdjustments',
    summary: 'Adjustments in a status, in the order they reached it: the billing system reads the APPROVED ones to post',
    description:
      'Adjustments in `status` (default APPROVED) that reached it at or after `since`, oldest first, `limit` per page (1-100, default 25). A page with a `cursor` has a next one: pass it back with the same filters. The billing system posts each adjustment with its `adjustmentId` as its idempotency key, then acknowledges it (`POST /v1/adjustments/{adjustmentId}/posted`), after which it is listed under POSTED.',
    query: ListQuery,
    responses: { 200: { description: 'one page', schema: AdjustmentPage, example: { items: [adjustmentExample] } } },
    problems: [],
    run: async ({ query }) => {
      const page = await listAdjustments(query.status, query.limit, { since: query.since, cursor: query.cursor });
      return json(200, pageBody(page));
    },
  }),

  'GET /v1/adjustments/{adjustmentId}': operation({
    operationId: 'getAdjustment',
    summary: 'An adjustment: the credit, its dispute and decision, its approval and posting',
    description: 'One adjustment by its id (`adj-<disputeId>-<n>`, the idempotency key of its posting): the amount and kind, the dispute, who decided it and why, its approval (by policy or by a second reviewer) and its acknowledgment by billing.',
    path: AdjustmentPath,
    responses: { 200: { description: 'the adjustment', schema: Adjustment, example: adjustmentExample } },
    problems: [404],
    run: async ({ path }) => json(200, await readAdjustment(path.adjustmentId)),
  }),

  'POST /v1/adjustments/{adjustmentId}/approve': operation({
    operationId: 'approveAdjustment',
    summary: 'Approve a credit above the approval limit, as a second reviewer',
    description:
      'Only a PENDING_APPROVAL adjustment (else 409 `adjustment-status`), and only by a reviewer other than the one who decided the credit (else 409 `same-reviewer`). The approver is taken from the token. It then is APPROVED and listed for the billing system, and `adjustment.approved` is published.',
    path: AdjustmentPath,
    responses: { 200: { description: 'the approved adjustment', schema: Adjustment, example: adjustmentExample } },
    problems: [404, 409],
    run: async ({ path, caller }) => json(200, await approveAdjustment(path.adjustmentId, { subject: caller.subject })),
  }),

  'POST /v1/adjustments/{adjustmentId}/posted': operation({
    operationId: 'acknowledgeAdjustmentPosted',
    summary: 'Acknowledge an approved adjustment as posted in the billing system (idempotent)',
    description:
      'Marks an APPROVED adjustment POSTED, with the billing client and the time, and publishes `adjustment.posted`. Idempotent: acknowledging a POSTED adjustment again answers 200 with it unchanged (the first acknowledgment stands) and publishes nothing. An adjustment still waiting for approval is 409 `adjustment-status`: it must not be posted yet.',
    path: AdjustmentPath,
    responses: { 200: { description: 'the posted adjustment (the same on every acknowledgment)', schema: Adjustment, example: postedAdjustmentExample } },
    problems: [404, 409],
    run: async ({ path, caller }) => json(200, (await postAdjustment(path.adjustmentId, { subject: caller.subject })).adjustment),
  }),
};
