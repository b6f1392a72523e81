// FreeSWITCH mod_cdr_csv with the "example" template: 15 unquoted columns, stamps without a zone (and, in the
// template's `YYYY/M/D H:MM` variant, without seconds), named hangup causes instead of Q.850 numbers.
import type { Disposition } from '../../domain/cdr';
import { type CsvLayout, csvAdapter } from './csv';
import { Problems, pbxCdr } from './pbx';
import type { AdapterOptions } from './types';

const COLUMNS = ['caller_id_name', 'caller_id_number', 'destination_number', 'context', 'start_stamp', 'answer_stamp', 'end_stamp', 'duration', 'billsec', 'hangup_cause', 'uuid', 'bleg_uuid', 'accountcode', 'read_codec', 'write_codec'] as const;

/** FreeSWITCH's cause names (switch_channel.c CAUSE_CHART) and their Q.850 numbers. */
const Q850: Record<string, number> = {
  UNALLOCATED_NUMBER: 1, NO_ROUTE_TRANSIT_NET: 2, NO_ROUTE_DESTINATION: 3, CHANNEL_UNACCEPTABLE: 6, CALL_AWARDED_DELIVERED: 7,
  NORMAL_CLEARING: 16, USER_BUSY: 17, NO_USER_RESPONSE: 18, NO_ANSWER: 19, SUBSCRIBER_ABSENT: 20, CALL_REJECTED: 21,
  NUMBER_CHANGED: 22, REDIRECTION_TO_NEW_DESTINATION: 23, EXCHANGE_ROUTING_ERROR: 25, DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28, FACILITY_REJECTED: 29, RESPONSE_TO_STATUS_ENQUIRY: 30, NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34, NETWORK_OUT_OF_ORDER: 38, NORMAL_TEMPORARY_FAILURE: 41, SWITCH_CONGESTION: 42,
  ACCESS_INFO_DISCARDED: 43, REQUESTED_CHAN_UNAVAIL: 44, PRE_EMPTED: 45, FACILITY_NOT_SUBSCRIBED: 50,
  OUTGOING_CALL_BARRED: 52, INCOMING_CALL_BARRED: 54, BEARERCAPABILITY_NOTAUTH: 57, BEARERCAPABILITY_NOTAVAIL: 58,
  SERVICE_UNAVAILABLE: 63, BEARERCAPABILITY_NOTIMPL: 65, CHAN_NOT_IMPLEMENTED: 66, FACILITY_NOT_IMPLEMENTED: 69,
  SERVICE_NOT_IMPLEMENTED: 79, INVALID_CALL_REFERENCE: 81, INCOMPATIBLE_DESTINATION: 88, INVALID_MSG_UNSPECIFIED: 95,
  MANDATORY_IE_MISSING: 96, MESSAGE_TYPE_NONEXIST: 97, WRONG_MESSAGE: 98, IE_NONEXIST: 99, INVALID_IE_CONTENTS: 100,
  WRONG_CALL_STATE: 101, RECOVERY_ON_TIMER_EXPIRE: 102, MANDATORY_IE_LENGTH_ERROR: 103, PROTOCOL_ERROR: 111, INTERWORKING: 127,
};
/** FreeSWITCH's own causes above 127; it reports each of them to Q.850 as NORMAL_CLEARING (switch_channel_cause_q850). */
const FREESWITCH_ONLY = [
  'SUCCESS', 'ORIGINATOR_CANCEL', 'CRASH', 'SYSTEM_SHUTDOWN', 'LOSE_RACE', 'MANAGER_REQUEST', 'BLIND_TRANSFER', 'ATTENDED_TRANSFER',
  'ALLOTTED_TIMEOUT', 'USER_CHALLENGE', 'MEDIA_TIMEOUT', 'PICKED_OFF', 'USER_NOT_REGISTERED', 'PROGRESS_TIMEOUT', 'INVALID_GATEWAY',
  'GATEWAY_DOWN', 'INVALID_URL', 'INVALID_PROFILE', 'NO_PICKUP', 'SRTP_READ_ERROR', 'BOWOUT', 'BUSY_EVERYWHERE', 'DECLINE',
  'DOES_NOT_EXIST_ANYWHERE', 'NOT_ACCEPTABLE', 'UNWANTED', 'NO_IDENTITY', 'BAD_IDENTITY_INFO', 'UNSUPPORTED_CERTIFICATE',
  'INVALID_IDENTITY', 'STALE_DATE', 'REJECT_ALL',
];
for (const name of FREESWITCH_ONLY) Q850[name] = 16;

/** The disposition of an unanswered attempt, from what ended it (an answered call is ANSWERED whatever ended it). */
const UNANSWERED: Record<string, Disposition> = {
  ORIGINATOR_CANCEL: 'CANCELLED',
  USER_BUSY: 'BUSY', BUSY_EVERYWHERE: 'BUSY',
  NORMAL_CLEARING: 'NO_ANSWER', NO_USER_RESPONSE: 'NO_ANSWER', NO_ANSWER: 'NO_ANSWER', NO_PICKUP: 'NO_ANSWER', PROGRESS_TIMEOUT: 'NO_ANSWER', ALLOTTED_TIMEOUT: 'NO_ANSWER',
  NORMAL_CIRCUIT_CONGESTION: 'CONGESTION', SWITCH_CONGESTION: 'CONGESTION', REQUESTED_CHAN_UNAVAIL: 'CONGESTION',
};

export const FREESWITCH: CsvLayout = {
  name: 'FreeSWITCH example template',
  layouts: { 15: COLUMNS },
  toCdr(row, options) {
    const problems = new Problems();
    const causeText = row.hangup_cause!.trim().toUpperCase();
    // FreeSWITCH also accepts a cause by its number.
    const cause = /^\d{1,3}$/.test(causeText) ? Number(causeText) : Q850[causeText];
    const known = cause !== undefined && cause >= 1 && cause <= 127;
    if (!known) problems.add('hangup_cause', ['releaseCause', 'disposition'], causeText === '' ? 'empty' : 'not a FreeSWITCH hangup cause or Q.850 number');
    const name = Object.entries(Q850).find(([n, q]) => n === causeText || (q === cause && /^\d/.test(causeText)))?.[0] ?? '';
    // An answered `originate <endpoint> &app()` leg has no dialled number: FreeSWITCH writes the `&` of the
    // application as destination_number, and on answer flips the caller ID, so caller_id_number is the endpoint
    // that was called and the calling party is not in the record.
    const originate = row.destination_number!.trim().startsWith('&') && row.answer_stamp!.trim() !== '';
    return pbxCdr(
      row,
      {
        columns: { callId: 'uuid', caller: originate ? null : 'caller_id_number', called: originate ? 'caller_id_number' : 'destination_number', start: 'start_stamp', answer: 'answer_stamp', end: 'end_stamp', duration: 'duration', billsec: 'billsec' },
        disposition: (answered) => (answered ? 'ANSWERED' : known ? (UNANSWERED[name] ?? 'FAILED') : undefined),
        releaseCause: known ? cause : undefined,
      },
      problems,
      options,
    );
  },
};

export const freeswitch = (input: AsyncIterable<Uint8Array | string>, options: AdapterOptions) => csvAdapter(FREESWITCH, input, options);
