// Asterisk cdr_csv (Master.csv): 18 columns, or 21 in newer releases, or the columns of a custom cdr_custom mapping
// (`columns`, see asterisk-mapping.ts). Times are wall-clock without a zone (or epoch seconds in an unformatted
// mapping), `answer` is empty (or zeros) when the call was not answered, and there is no account, charge or
// release cause. One row per dialled leg: `countForkedOnce` makes the legs of a call one attempt.
import type { Disposition } from '../../domain/cdr';
import { type CsvLayout, csvAdapter } from './csv';
import { Problems, isNoAnswerStamp, pbxCdr } from './pbx';
import type { AdapterOptions } from './types';

const COLUMNS_18 = ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield'] as const;
const COLUMNS_21 = [...COLUMNS_18, 'peeraccount', 'linkedid', 'sequence'] as const;

const DISPOSITIONS: Record<string, Disposition> = {
  ANSWERED: 'ANSWERED',
  'NO ANSWER': 'NO_ANSWER',
  BUSY: 'BUSY',
  FAILED: 'FAILED',
  CONGESTION: 'CONGESTION',
  CANCEL: 'CANCELLED',
};
/** Asterisk's `enum ast_cdr_disposition`, written by unformatted mappings (`${CDR(disposition,u)}`, `disposition(int64)`). */
const DISPOSITION_NUMBERS: Record<string, Disposition> = { 0: 'NO_ANSWER', 2: 'FAILED', 4: 'BUSY', 8: 'ANSWERED', 16: 'CONGESTION' };

const dispositionOf = (text: string): Disposition | undefined => DISPOSITIONS[text.trim().toUpperCase()] ?? DISPOSITION_NUMBERS[text.trim()];

/**
 * Which leg stands for a call no leg of which was answered: one that rang out says the call reached a phone, a busy
 * one that a user was reached; congestion and failure describe the call only when every leg failed.
 */
const UNANSWERED_RANK: Disposition[] = ['NO_ANSWER', 'CANCELLED', 'BUSY', 'CONGESTION', 'FAILED'];
const rank = (row: Record<string, string>) => {
  const i = UNANSWERED_RANK.indexOf(dispositionOf(row.disposition ?? '') ?? 'FAILED');
  return i === -1 ? UNANSWERED_RANK.length : i;
};
/** Stamps of one file share their form, so they order as text (or as numbers when epoch seconds). */
const earlier = (a: string, b: string) => (/^[\d.]+$/.test(a) && /^[\d.]+$/.test(b) ? Number(a) < Number(b) : a < b);

export const ASTERISK: CsvLayout = {
  name: 'Asterisk cdr_csv',
  layouts: { 18: COLUMNS_18, 21: COLUMNS_21 },
  toCdr(row, options) {
    const problems = new Problems();
    const text = row.disposition!.trim().toUpperCase();
    const disposition = dispositionOf(text) ?? problems.add('disposition', 'disposition', `${text === '' ? 'empty' : 'not an Asterisk disposition'}: expected ${Object.keys(DISPOSITIONS).join(', ')}`);
    // Asterisk 12+ may write several CDRs for one channel (transfers, forks): `sequence` tells them apart.
    // An empty uniqueid stays empty (and is rejected), whatever the sequence.
    const sequence = row.sequence?.trim();
    const callId = sequence && row.uniqueid!.trim() ? { ...row, uniqueid: `${row.uniqueid!.trim()}/${sequence}` } : row;
    return pbxCdr(
      callId,
      {
        columns: { callId: 'uniqueid', caller: 'src', called: 'dst', start: 'start', answer: 'answer', end: 'end', duration: 'duration', billsec: 'billsec' },
        disposition: () => disposition,
      },
      problems,
      options,
    );
  },
  forks: {
    // `linkedid` (Asterisk 1.8+) is shared by every channel of a call; files without it group the legs of a channel.
    callOf: (row) => row.linkedid?.trim() || row.uniqueid?.trim() || undefined,
    // The call is the answered leg (the earliest answer when several were), else the leg that says most about why
    // it was not answered; its id is the call's, without a leg's sequence.
    merge(call, rows) {
      const answered = rows.filter((r) => !isNoAnswerStamp(r.answer ?? ''));
      const pick = answered.length > 0 ? answered.reduce((a, b) => (earlier(b.answer!.trim(), a.answer!.trim()) ? b : a)) : rows.reduce((a, b) => (rank(b) < rank(a) ? b : a));
      return { ...pick, uniqueid: call, sequence: '' };
    },
  },
};

export const asterisk = (input: AsyncIterable<Uint8Array | string>, options: AdapterOptions) => csvAdapter(ASTERISK, input, options);
