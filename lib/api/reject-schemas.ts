// The reject routes' shapes: requests and responses as zod schemas, kept equal to the domain types at compile time.
import { z } from 'zod';
import { DISPOSITIONS, Instant, Money } from '../domain/cdr';
import { REJECT_LIMITS } from '../domain/rejects/bounds';
import { REJECT_ID_PATTERN } from '../domain/rejects/identity';
import { REJECT_STATUSES } from '../domain/rejects/lifecycle';
import type * as domain from '../domain/rejects/reject';

export const RejectStatus = z.enum(REJECT_STATUSES).meta({ id: 'RejectStatus', description: 'OPEN until closed: REPLAYED (by `rejects replay`), RESOLVED, DISMISSED; a conflict KEPT or REPLACED' });
export const RejectKind = z.enum(['INVALID', 'CONFLICT']).meta({ id: 'RejectKind' });
export const RejectId = z.string().regex(REJECT_ID_PATTERN, 'must be a reject id: 26 characters 0-9 and A-Z (Crockford base32)').meta({ example: '0F3QK7W2X9H1M5R8T4V6Y0ZB2C' });

const Origin = z.record(z.string(), z.union([z.string(), z.number()])).describe('the SQS message and position, the file, line and ingest run, or for content two racing deliveries overwrote the Cdrs stream record (stream, shardId, sequence)');

const StoredCdr = z
  .object({
    callId: z.string(),
    source: z.string(),
    accountId: z.string(),
    callingNumber: z.string(),
    calledNumber: z.string(),
    startedAt: Instant,
    answeredAt: Instant.nullable(),
    endedAt: Instant,
    disposition: z.enum(DISPOSITIONS),
    releaseCause: z.number().int().optional(),
    billedSeconds: z.number().int(),
    charge: Money,
    billingIncrement: z.object({ minimumSeconds: z.number().int(), incrementSeconds: z.number().int() }).optional(),
  })
  .meta({ id: 'StoredCdr' });

export const Resolution = z
  .object({
    status: RejectStatus.exclude(['OPEN']),
    by: z.string().describe("who closed it: the caller's identity from the token, or the operator who ran the replay"),
    at: Instant,
    reason: z.string().optional().describe('why it was dismissed, or how it was resolved'),
    replayRun: z.string().optional().describe("the replay's ingest run"),
  })
  .meta({ id: 'RejectResolution' });

export const Reject = z
  .object({
    rejectId: RejectId,
    kind: RejectKind,
    source: z.string(),
    raw: z.string().describe(`the record's text: whole up to ${REJECT_LIMITS.rawBytes} bytes, else its first ${REJECT_LIMITS.rawBytes} bytes (truncated then names raw)`),
    rawBase64: z.string().optional().describe('the exact bytes, base64, when they were not valid UTF-8'),
    rawBytes: z.number().int().optional().describe("the whole record's length in bytes"),
    rawSha256: z.string().optional().describe("the whole record's SHA-256, hex"),
    truncated: z.array(z.string()).optional().describe('the fields cut to their limit (raw, source, problems[i].reason, …)'),
    problems: z.array(z.object({ field: z.string(), reason: z.string() })),
    reasons: z.array(z.string()).describe('`field: reason` of each problem, or CONFLICT'),
    receivedAt: Instant.describe('when it was first seen'),
    origin: Origin.describe('where it was first seen'),
    sightings: z.number().int().min(1).describe('distinct origins it was seen at: an SQS redelivery is not a new one, a second import of the file is'),
    lastSeenAt: Instant,
    lastOrigin: Origin.optional(),
    format: z.string().optional(),
    options: z.record(z.string(), z.unknown()).optional().describe('the operator options the file was read with'),
    storedCdr: StoredCdr.optional().describe('a conflict: the stored CDR as it was when the conflict was recorded'),
    incomingCdr: StoredCdr.optional().describe('a conflict: the CDR that conflicted with it'),
    status: RejectStatus,
    resolution: Resolution.optional(),
    replayedAt: Instant.optional(),
    replayRun: z.string().optional(),
    correctedRaw: z.string().optional(),
    replayAttempts: z.number().int().optional(),
    lastReplayAt: Instant.optional(),
  })
  .meta({ id: 'Reject' });

export const RejectPage = z
  .object({ items: z.array(Reject), cursor: z.string().optional().describe('present while more may follow: pass it back as `cursor`') })
  .meta({ id: 'RejectPage' });

const Note = z.string().trim().min(1, 'must not be empty').max(REJECT_LIMITS.noteCharacters, `must be at most ${REJECT_LIMITS.noteCharacters} characters`);

export const CloseRequest = z.object({ note: Note.optional().describe('how it was resolved, or why the stored CDR was kept or replaced') }).strict().meta({ id: 'CloseRejectRequest' });
export const DismissRequest = z.object({ reason: Note.describe('why it is dismissed') }).strict().meta({ id: 'DismissRejectRequest' });

// Compile-time equality of the schemas and the domain types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(_: T) => undefined;
check<Same<z.infer<typeof Reject>, domain.Reject>>(true);
