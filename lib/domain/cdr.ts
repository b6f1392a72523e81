// The CDR contract (PRODUCT.md §3) and the per-attempt facts every other part derives from it.
import { z } from 'zod';

export const DISPOSITIONS = ['ANSWERED', 'NO_ANSWER', 'BUSY', 'FAILED', 'CONGESTION', 'CANCELLED'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const E164 = z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be E.164: + and 8-15 digits');
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

const CdrFields = z.object({
  callId: z.string().min(1).max(128),
  source: z.string().min(1).max(128).default('default'),
  accountId: z.string().min(1).max(64),
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

export function parseCdr(raw: unknown): ParsedCdr {
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
  return cdr.answeredAt === null ? null : (Date.parse(cdr.answeredAt) - Date.parse(cdr.startedAt)) / 1000;
}

/** Talk time in fractional seconds (0 when not answered). */
export function talkSeconds(cdr: Cdr): number {
  return cdr.answeredAt === null ? 0 : (Date.parse(cdr.endedAt) - Date.parse(cdr.answeredAt)) / 1000;
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
const CdrAllowingExtensions = CdrFields.extend({ calledNumber: z.string().regex(/^(\+[1-9]\d{7,14}|[0-9*#]{1,7})$/, E164_OR_EXTENSION) }).superRefine((cdr, ctx) => {
  for (const p of timeOrderProblems(cdr)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
});

/** `parseCdr` for a feed whose operator allows internal extensions as called numbers; every other rule is the same. */
export function parseCdrAllowingExtensions(raw: unknown): ParsedCdr {
  const strict = parseCdr(raw);
  if (strict.ok || !strict.problems.some((p) => p.field === 'calledNumber')) return strict;
  const result = CdrAllowingExtensions.safeParse(raw);
  if (result.success) return { ok: true, cdr: result.data, flags: cdrFlags(result.data) };
  const calledFails = result.error.issues.some((i) => i.path.join('.') === 'calledNumber');
  const problems = strict.problems.flatMap((p) => (p.field !== 'calledNumber' ? [p] : calledFails ? [{ field: p.field, reason: E164_OR_EXTENSION }] : []));
  return { ok: false, problems };
}
