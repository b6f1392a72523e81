// The CDR contract (PRODUCT.md §3) and the per-attempt facts every other part derives from it.
import { z } from 'zod';
import { instantMillis, rfc3339Millis } from './time';
import { canonicalJson } from './canonical';

export const DISPOSITIONS = ['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED', 'CONGESTION', 'CANCELLED'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
export const E164 = z.string().regex(E164_PATTERN, 'must be E.164: + and 8-15 digits');
/** Time is ISO-8601 with an offset, compared as instants: the one schema for every timestamp. */
export const Instant = z.iso.datetime({ offset: true, message: 'must be ISO-8601 with an offset' });

export const Money = z.object({
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code'),
});
export type Money = z.infer<typeof Money>;

export const BillingIncrement = z.object({
  minimumSeconds: z.number().int().nonnegative(),
  incrementSeconds: z.number().int().positive(),
});
export type BillingIncrement = z.infer<typeof BillingIncrement>;

/**
 * The key and text fields' limits, in characters. `callId` and `source` are the Cdrs table's partition and sort keys
 * (DynamoDB allows 2048 and 1024 bytes), `accountId` an index's partition key, `source` also the Rejects index's:
 * 128 characters are at most 512 UTF-8 bytes, and far longer than any switch's call id or feed name.
 */
export const CDR_TEXT_LIMITS = { callId: 128, source: 128, accountId: 64 } as const;
const boundedText = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const CdrFields = z.object({
  callId: boundedText(CDR_TEXT_LIMITS.callId),
  source: boundedText(CDR_TEXT_LIMITS.source).default('default'),
  accountId: boundedText(CDR_TEXT_LIMITS.accountId),
  callingNumber: E164,
  calledNumber: E164,
  startedAt: Instant,
  answeredAt: Instant.nullable(),
  endedAt: Instant,
  disposition: z.enum(DISPOSITIONS),
  releaseCause: z.number().int().min(1).max(127).optional(),
  billedSeconds: z.number().int().nonnegative(),
  charge: Money,
  billingIncrement: BillingIncrement.optional(),
});

const isInstant = (v: unknown): v is string => Instant.safeParse(v).success;

/** The rules between fields; run on raw input too, so a record with other bad fields still reports these. */
function timeOrderProblems(raw: Record<string, unknown>): FieldProblem[] {
  const { startedAt, answeredAt, endedAt } = raw;
  const problems: FieldProblem[] = [];
  if (isInstant(startedAt) && isInstant(endedAt) && Date.parse(endedAt) < Date.parse(startedAt)) {
    problems.push({ field: 'endedAt', reason: 'must not be before startedAt' });
  }
  if (isInstant(answeredAt) && isInstant(startedAt) && isInstant(endedAt)) {
    const answered = Date.parse(answeredAt);
    if (answered < Date.parse(startedAt) || answered > Date.parse(endedAt)) problems.push({ field: 'answeredAt', reason: 'must lie within [startedAt, endedAt]' });
  }
  return problems;
}

export const Cdr = CdrFields.superRefine((cdr, ctx) => {
  for (const p of timeOrderProblems(cdr)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
});
export type Cdr = z.output<typeof Cdr>;

export type CdrFlag = 'DISPOSITION_CONFLICT';

/** One failing field of a rejected record, as stored and shown to the operator. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export type ParsedCdr = { ok: true; cdr: Cdr; flags: CdrFlag[] } | { ok: false; problems: FieldProblem[] };

/**
 * A record checked against the contract (PRODUCT.md §3): the CDR, or every failing field with its reason. Ingest's
 * hot loop: a record that is valid as switches write it is checked by hand (fastCdr); any other goes to zod, whose
 * messages are the reasons people read.
 */
export function parseCdr(raw: unknown): ParsedCdr {
  const cdr = fastCdr(raw, E164_PATTERN);
  return cdr ? { ok: true, cdr, flags: cdrFlags(cdr) } : parseCdrWithZod(raw);
}

/** `parseCdr` by zod alone: what the hand-written check must agree with (test/unit/cdr-fast-path.test.ts). */
export function parseCdrWithZod(raw: unknown): ParsedCdr {
  const result = Cdr.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : '(record)',
      reason: issue.message,
    }));
    // zod skips refinements once a field fails; report the time-order problems as well, so every field is named.
    const isRecord = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
    const extra = isRecord ? timeOrderProblems(raw as Record<string, unknown>).filter((p) => !problems.some((q) => q.field === p.field)) : [];
    return { ok: false, problems: [...problems, ...extra] };
  }
  return { ok: true, cdr: result.data, flags: cdrFlags(result.data) };
}

/** Answer supervision is authoritative; a disposition that disagrees with it is kept but flagged (PRODUCT.md §2). */
export function cdrFlags(cdr: Cdr): CdrFlag[] {
  const answered = cdr.answeredAt !== null;
  return answered !== (cdr.disposition === 'ANSWERED') ? ['DISPOSITION_CONFLICT'] : [];
}

export type OutcomeClass = 'ANSWERED' | 'USER_FAILURE' | 'CALLER_ABANDON' | 'CALLER_ERROR' | 'NETWORK_FAILURE';

const USER_FAILURE_CAUSES = new Set([17, 18, 19, 20, 21]);
const CALLER_ERROR_CAUSES = new Set([1, 22, 28]);
// Normal clearing says nothing about why an unanswered attempt failed; the disposition decides then.
const UNINFORMATIVE_CAUSES = new Set([16, 31]);

/** Outcome class of an attempt (PRODUCT.md §2). */
export function outcomeClass(cdr: Cdr): OutcomeClass {
  if (cdr.answeredAt !== null) return 'ANSWERED';
  if (cdr.disposition === 'CANCELLED') return 'CALLER_ABANDON';
  const cause = cdr.releaseCause;
  if (cause !== undefined && !UNINFORMATIVE_CAUSES.has(cause)) {
    if (USER_FAILURE_CAUSES.has(cause)) return 'USER_FAILURE';
    if (CALLER_ERROR_CAUSES.has(cause)) return 'CALLER_ERROR';
    return 'NETWORK_FAILURE';
  }
  if (cdr.disposition === 'BUSY' || cdr.disposition === 'NO_ANSWER') return 'USER_FAILURE';
  return 'NETWORK_FAILURE';
}

export const isAnswered = (cdr: Cdr): boolean => cdr.answeredAt !== null;

/** Time to answer in fractional seconds, or null when not answered. */
export function ttaSeconds(cdr: Cdr): number | null {
  return cdr.answeredAt === null ? null : (instantMillis(cdr.answeredAt) - instantMillis(cdr.startedAt)) / 1000;
}

/** Talk time in fractional seconds (0 when not answered). */
export function talkSeconds(cdr: Cdr): number {
  return cdr.answeredAt === null ? 0 : (instantMillis(cdr.endedAt) - instantMillis(cdr.answeredAt)) / 1000;
}

export const DEFAULT_BILLING_INCREMENT: BillingIncrement = { minimumSeconds: 1, incrementSeconds: 1 };

/** What the rating engine should have billed (PRODUCT.md §3): whole talk seconds rounded up, then the increment. */
export function expectedBilledSeconds(cdr: Cdr): number {
  const talk = Math.ceil(talkSeconds(cdr));
  if (cdr.answeredAt === null || talk === 0) return 0;
  const { minimumSeconds, incrementSeconds } = cdr.billingIncrement ?? DEFAULT_BILLING_INCREMENT;
  const steps = Math.ceil((talk - minimumSeconds) / incrementSeconds);
  return Math.max(minimumSeconds, minimumSeconds + steps * incrementSeconds);
}

/** The deduplication key (PRODUCT.md §3). */
export const cdrKey = (cdr: Pick<Cdr, 'source' | 'callId'>): string => `${cdr.source}#${cdr.callId}`;

/** An internal PBX extension: what a called number may be when its feed allows extensions (PRODUCT.md §3). */
export const Extension = z.string().regex(/^[0-9*#]{1,7}$/, 'must be an internal extension: 1-7 digits, * or #');

const E164_OR_EXTENSION = 'must be E.164 (+ and 8-15 digits) or an internal extension (1-7 digits, * or #)';

const CALLED_NUMBER_PATTERN = /^(\+[1-9]\d{7,14}|[0-9*#]{1,7})$/;
/**
 * A destination as ingest may store it: E.164, or an internal extension from a feed that allows them. What the
 * statistics and disputes accept as a called number, so whatever was stored can be queried and disputed.
 */
export const CalledNumber = z.string().regex(CALLED_NUMBER_PATTERN, E164_OR_EXTENSION);
const CdrAllowingExtensions = CdrFields.extend({ calledNumber: CalledNumber }).superRefine((cdr, ctx) => {
  for (const p of timeOrderProblems(cdr)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
});

/** `parseCdr` for a feed whose operator allows internal extensions as called numbers; every other rule is the same. */
export function parseCdrAllowingExtensions(raw: unknown): ParsedCdr {
  // Valid with extensions allowed is valid below whatever the strict check says: only the called number could fail it.
  const cdr = fastCdr(raw, CALLED_NUMBER_PATTERN);
  return cdr ? { ok: true, cdr, flags: cdrFlags(cdr) } : parseCdrAllowingExtensionsWithZod(raw);
}

/** `parseCdrAllowingExtensions` by zod alone. */
export function parseCdrAllowingExtensionsWithZod(raw: unknown): ParsedCdr {
  const strict = parseCdrWithZod(raw);
  if (strict.ok || !strict.problems.some((p) => p.field === 'calledNumber')) return strict;
  const result = CdrAllowingExtensions.safeParse(raw);
  if (result.success) return { ok: true, cdr: result.data, flags: cdrFlags(result.data) };
  const calledFails = result.error.issues.some((i) => i.path.join('.') === 'calledNumber');
  const problems = strict.problems.flatMap((p) => (p.field !== 'calledNumber' ? [p] : calledFails ? [{ field: p.field, reason: E164_OR_EXTENSION }] : []));
  return { ok: false, problems };
}

// The hand-written check. Sound, not complete: it accepts only what zod accepts, and returns exactly what zod
// returns then (a new object, the schema's keys in its order, unknown keys dropped, `source` defaulted). Whatever it
// is not sure of (a failing field, a key present but undefined, times out of order) is left to zod, so every reject's
// reasons are zod's. test/unit/cdr-fast-path.test.ts checks it against parseCdrWithZod.

const DISPOSITION_SET: ReadonlySet<unknown> = new Set(DISPOSITIONS);
const isDisposition = (v: unknown): v is Disposition => DISPOSITION_SET.has(v);

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isCurrency(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = v.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/** The CDR when `raw` passes every rule (with `called` for the called number), else undefined: zod decides. */
function fastCdr(raw: unknown, called: RegExp): Cdr | undefined {
  if (!isObject(raw)) return undefined;
  const { callId, accountId, callingNumber, calledNumber, startedAt, answeredAt, endedAt, disposition, releaseCause, billedSeconds, charge, billingIncrement } = raw;
  const source = raw.source === undefined ? 'default' : raw.source;
  if (
    !isText(callId, CDR_TEXT_LIMITS.callId) ||
    !isText(source, CDR_TEXT_LIMITS.source) ||
    !isText(accountId, CDR_TEXT_LIMITS.accountId) ||
    typeof callingNumber !== 'string' ||
    !E164_PATTERN.test(callingNumber) ||
    typeof calledNumber !== 'string' ||
    !called.test(calledNumber) ||
    typeof startedAt !== 'string' ||
    typeof endedAt !== 'string' ||
    (answeredAt !== null && typeof answeredAt !== 'string') ||
    !isDisposition(disposition) ||
    !isCount(billedSeconds) ||
    !isObject(charge)
  ) {
    return undefined;
  }
  // Present but undefined: zod keeps such a key in its output; rare enough to leave to it.
  let cause: number | undefined;
  if (releaseCause === undefined) {
    if ('releaseCause' in raw) return undefined;
  } else {
    if (!isCount(releaseCause) || releaseCause < 1 || releaseCause > 127) return undefined;
    cause = releaseCause;
  }
  let increment: BillingIncrement | undefined;
  if (billingIncrement === undefined) {
    if ('billingIncrement' in raw) return undefined;
  } else {
    if (!isObject(billingIncrement)) return undefined;
    const { minimumSeconds, incrementSeconds } = billingIncrement;
    if (!isCount(minimumSeconds) || !isCount(incrementSeconds) || incrementSeconds === 0) return undefined;
    increment = { minimumSeconds, incrementSeconds };
  }
  const { amountMinor, currency } = charge;
  if (!isCount(amountMinor) || !isCurrency(currency)) return undefined;
  // rfc3339Millis is NaN for anything Instant refuses, and NaN fails every comparison below.
  const started = rfc3339Millis(startedAt);
  const ended = rfc3339Millis(endedAt);
  if (!(ended >= started)) return undefined;
  if (answeredAt !== null) {
    const answered = rfc3339Millis(answeredAt);
    if (!(answered >= started && answered <= ended)) return undefined;
  }
  const money = { amountMinor, currency };
  // One literal per shape (not keys added one by one): objects made whole, in the schema's key order.
  if (cause === undefined) {
    return increment
      ? { callId, source, accountId, callingNumber, calledNumber, startedAt, answeredAt, endedAt, disposition, billedSeconds, charge: money, billingIncrement: increment }
      : { callId, source, accountId, callingNumber, calledNumber, startedAt, answeredAt, endedAt, disposition, billedSeconds, charge: money };
  }
  return increment
    ? { callId, source, accountId, callingNumber, calledNumber, startedAt, answeredAt, endedAt, disposition, releaseCause: cause, billedSeconds, charge: money, billingIncrement: increment }
    : { callId, source, accountId, callingNumber, calledNumber, startedAt, answeredAt, endedAt, disposition, releaseCause: cause, billedSeconds, charge: money };
}

const shown = (value: unknown): string => canonicalJson(value) ?? 'absent';

/** What a reviewer of a conflict needs first: each field that differs, stored value against the other one. */
export function cdrDifferences(stored: Cdr, other: Cdr): FieldProblem[] {
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(other)])] as (keyof Cdr)[];
  return fields.filter((f) => shown(stored[f]) !== shown(other[f])).map((f) => ({ field: f, reason: `stored ${shown(stored[f])}, this one ${shown(other[f])}` }));
}
