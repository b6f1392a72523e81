// What PBX files (Asterisk, FreeSWITCH) have in common once their columns are named: local stamps, numbers that
// may be extensions, no account and no charge. Turns a row into a canonical CDR, naming the column of each problem,
// and lets the canonical `parseCdr` have the last word on everything else.
import { type BillingIncrement, type Disposition, type FieldProblem, type ParsedCdr, parseCdr, parseCdrAllowingExtensions } from '../../domain/cdr';
import { isoOf, numberProblem, readNumber, readTime } from './normalise';
import { NO_SOURCE, type ResolvedOptions } from './types';

/** Problems found at the edge, each under the column it came from, remembering which canonical field it spoils. */
export class Problems {
  readonly list: FieldProblem[] = [];
  private readonly spoiled = new Set<string>();
  add(column: string, fields: string | string[], reason: string): undefined {
    if (!this.list.some((p) => p.field === column && p.reason === reason)) this.list.push({ field: column, reason });
    for (const field of [fields].flat()) this.spoiled.add(field);
    return undefined;
  }
  /** The canonical validation's problems, less those about a field an edge problem already explains. */
  merge(result: ParsedCdr): ParsedCdr {
    if (this.list.length === 0) return result;
    const canonical = result.ok ? [] : result.problems.filter((p) => !this.spoiled.has(p.field.split('.')[0]!));
    return { ok: false, problems: [...this.list, ...canonical] };
  }
}

/** Billed seconds of a talk time under an increment (PRODUCT.md §3): 0 for no talk, else the minimum then steps. */
export function billedSecondsFor(talk: number, { minimumSeconds, incrementSeconds }: BillingIncrement): number {
  if (talk <= 0) return 0;
  return Math.max(minimumSeconds, minimumSeconds + Math.ceil((talk - minimumSeconds) / incrementSeconds) * incrementSeconds);
}

/** rate × seconds / 60 in whole minor units, half up; integers only, so no float ever reaches a charge. */
export const chargeFor = (ratePerMinute: number, seconds: number): number => Math.floor((2 * ratePerMinute * seconds + 60) / 120);

export interface PbxCall {
  /** Column names of the row's parts; `caller: null` when the record names no calling party. */
  columns: { callId: string; caller: string | null; called: string; start: string; answer: string; end: string; duration: string; billsec: string };
  disposition: (answered: boolean) => Disposition | undefined;
  releaseCause?: number;
}

const NO_ANSWER_STAMPS = new Set(['', '0000-00-00 00:00:00']);
/** An answer stamp that says "not answered": empty, zeros, or epoch 0 (Asterisk's unformatted `answer`). */
export const isNoAnswerStamp = (text: string): boolean => NO_ANSWER_STAMPS.has(text.trim()) || /^0+(?:\.0+)?$/.test(text.trim());

function seconds(row: Record<string, string>, column: string, fields: string[], problems: Problems): number | undefined {
  const text = (row[column] ?? '').trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  // Asterisk's `${CDR(billsec,f)}` writes fractions; whole seconds are truncated, as Asterisk itself counts them.
  if (/^\d{1,9}\.\d{1,6}$/.test(text)) return Math.floor(Number(text));
  return problems.add(column, fields, text === '' ? 'empty' : 'not a whole number of seconds');
}

export function pbxCdr(row: Record<string, string>, call: PbxCall, problems: Problems, options: ResolvedOptions): ParsedCdr {
  const c = call.columns;
  // Bytes that were not UTF-8 matter only in the columns a CDR is made of; a caller name may hold anything.
  const used = [c.callId, c.caller, c.called, c.start, c.answer, c.end, c.duration, c.billsec, options.accountColumn].filter((x): x is string => !!x);
  for (const column of used) if (row[column]?.includes('\uFFFD')) problems.add(column, column, 'not valid UTF-8');

  const source = options.source ?? problems.add('source', 'source', NO_SOURCE.file);
  const callId = (row[c.callId] ?? '').trim() || problems.add(c.callId, 'callId', 'empty');

  const fromColumn = options.accountColumn ? (row[options.accountColumn] ?? '').trim() : '';
  const accountId = fromColumn || options.account || problems.add(options.accountColumn ?? 'accountId', 'accountId', options.accountColumn ? 'empty, and no --account to fall back on' : 'the file names no account: give --account or --account-column');

  // The contract wants an E.164 calling number; calls from an extension or without caller ID are billed from the
  // number the operator names (--caller), never from a made-up one.
  const caller = c.caller === null ? undefined : readNumber(row[c.caller] ?? '', options.country, options.areaCode);
  let callingNumber: string | undefined;
  if (caller?.kind === 'e164') callingNumber = caller.value;
  else if (caller?.kind !== 'invalid' && options.caller) callingNumber = options.caller;
  else {
    const what = caller === undefined ? 'not in the record' : caller.kind === 'extension' ? 'an internal extension' : caller.kind;
    problems.add(c.caller ?? 'callingNumber', 'callingNumber', caller?.kind === 'invalid' ? numberProblem(caller, options.country, options.areaCode) : `${what}: name the E.164 number these calls are billed from with --caller`);
  }

  const called = readNumber(row[c.called] ?? '', options.country, options.areaCode);
  const calledNumber = called.kind === 'e164' || (called.kind === 'extension' && options.allowExtensions) ? called.value : problems.add(c.called, 'calledNumber', numberProblem(called, options.country, options.areaCode));

  const start = readTime(row[c.start] ?? '', options.timezone);
  if (!start.ok) problems.add(c.start, 'startedAt', start.reason);
  const answerText = (row[c.answer] ?? '').trim();
  const answer = isNoAnswerStamp(answerText) ? null : readTime(answerText, options.timezone);
  if (answer && !answer.ok) problems.add(c.answer, 'answeredAt', answer.reason);
  const end = readTime(row[c.end] ?? '', options.timezone);
  if (!end.ok) problems.add(c.end, 'endedAt', end.reason);
  // Stamps are used as written; stamps without seconds (FreeSWITCH's example template) would make a 64 s call last
  // a minute or nothing, so then the end and answer are rebuilt from the start and the exact duration and billsec.
  const rebuilt = start.ok && !start.seconds;
  const duration = seconds(row, c.duration, rebuilt ? ['endedAt', 'answeredAt'] : [], problems);
  const billsec = seconds(row, c.billsec, rebuilt ? ['billedSeconds', 'answeredAt'] : ['billedSeconds'], problems);
  const startedAt = start.ok ? start.iso : undefined;
  let endedAt = end.ok ? end.iso : undefined;
  let answeredAt = answer === null ? null : answer.ok ? answer.iso : undefined;
  if (rebuilt) {
    const ended = duration === undefined ? undefined : start.time().plus({ seconds: duration });
    endedAt = ended && isoOf(ended);
    if (answer !== null) answeredAt = ended && billsec !== undefined ? isoOf(ended.minus({ seconds: billsec })) : undefined;
  }

  const answered = answer !== null;
  const disposition = call.disposition(answered);
  const increment = options.increment ?? { minimumSeconds: 1, incrementSeconds: 1 };
  const billedSeconds = !answered ? 0 : billsec === undefined ? undefined : billedSecondsFor(billsec, increment);
  const candidate = {
    callId,
    source,
    accountId,
    callingNumber,
    calledNumber,
    startedAt,
    answeredAt,
    endedAt,
    disposition,
    releaseCause: call.releaseCause,
    billedSeconds,
    charge: { amountMinor: options.rate === undefined || billedSeconds === undefined ? 0 : chargeFor(options.rate, billedSeconds), currency: options.currency },
    billingIncrement: options.increment,
  };
  return problems.merge((options.allowExtensions ? parseCdrAllowingExtensions : parseCdr)(candidate));
}
