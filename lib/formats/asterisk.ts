// Asterisk cdr_csv (Master.csv): 18 columns, or 21 in newer releases. Times are wall-clock without a zone,
// `answer` is empty (or zeros) when the call was not answered, and there is no account, charge or release cause.
import type { Disposition } from '../domain/cdr';
import { type CsvLayout, csvAdapter } from './csv';
import { Problems, pbxCdr } from './pbx';
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

export const ASTERISK: CsvLayout = {
  name: 'Asterisk cdr_csv',
  layouts: { 18: COLUMNS_18, 21: COLUMNS_21 },
  toCdr(row, options) {
    const problems = new Problems();
    const text = row.disposition!.trim().toUpperCase();
    const disposition = DISPOSITIONS[text] ?? problems.add('disposition', 'disposition', `${text === '' ? 'empty' : 'not an Asterisk disposition'}: expected ${Object.keys(DISPOSITIONS).join(', ')}`);
    // Asterisk 12+ may write several CDRs for one channel (transfers, forks): `sequence` tells them apart.
    const sequence = row.sequence?.trim();
    const callId = sequence ? { ...row, uniqueid: `${row.uniqueid!.trim()}/${sequence}` } : row;
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
};

export const asterisk = (input: AsyncIterable<Uint8Array | string>, options: AdapterOptions) => csvAdapter(ASTERISK, input, options);
