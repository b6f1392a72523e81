// Counting a forked call once. A PBX writes one row per dialled leg, so a call that rang 7 phones is 7 rows; with
// `countForkedOnce` the rows of one call become one record. A file is read once, in constant memory: the legs of a
// call are gathered within a bounded window. Asterisk writes a call's legs when the call ends, so they are
// adjacent or close; other calls ending at the same moment may come between them. A call is given out once
// FORK_WINDOW_RECORDS rows have been read without another leg of it (or at the end of the file). A leg that comes
// later still, or past MAX_LEGS or MAX_RECORD_BYTES, starts a new record of the same call: ingest then counts it
// as a duplicate or keeps it as a conflict for review, so nothing is lost or counted twice silently.
import { MAX_RECORD_BYTES, type RawRecord } from './records';

export const FORK_WINDOW_RECORDS = 1000;
export const MAX_LEGS = 32;

export interface Leg {
  record: RawRecord;
  row: Record<string, string>;
}

/** How a format groups and merges the legs of a call. */
export interface ForkRules {
  /** The call a row belongs to, or undefined when the row names none (it stays a record of its own). */
  callOf: (row: Record<string, string>) => string | undefined;
  /** One row for the call: its id and the leg that stands for it. */
  merge: (call: string, rows: Record<string, string>[]) => Record<string, string>;
}

interface Open {
  legs: Leg[];
  bytes: number;
  lastSeen: number;
}

export class ForkWindow {
  /** Open calls in the order of their latest leg (re-inserted on each leg), so the idle ones are at the front. */
  private readonly open = new Map<string, Open>();
  private seen = 0;

  constructor(private readonly rules: ForkRules) {}

  /** Takes a row; gives out the calls complete by now. */
  add(leg: Leg): Leg[][] {
    this.seen++;
    const done: Leg[][] = [];
    const call = this.rules.callOf(leg.row);
    if (call === undefined) done.push([leg]);
    else {
      let group = this.open.get(call);
      if (group && (group.legs.length >= MAX_LEGS || group.bytes + leg.record.bytes.length + 1 > MAX_RECORD_BYTES)) {
        done.push(group.legs);
        group = undefined;
      }
      this.open.delete(call);
      group ??= { legs: [], bytes: 0, lastSeen: 0 };
      group.legs.push(leg);
      group.bytes += leg.record.bytes.length + 1;
      group.lastSeen = this.seen;
      this.open.set(call, group);
    }
    for (const [key, group] of this.open) {
      if (this.seen - group.lastSeen < FORK_WINDOW_RECORDS) break;
      done.push(group.legs);
      this.open.delete(key);
    }
    return done;
  }

  /** The calls still open at the end of the file. */
  flush(): Leg[][] {
    const rest = [...this.open.values()].map((g) => g.legs);
    this.open.clear();
    return rest;
  }

  /** One row for a call's legs: the merged row, its first line, and its legs' text (what a replay re-reads). */
  merged(legs: Leg[]): { row: Record<string, string>; line: number; raw: string; utf8: boolean; bytes: Buffer } {
    const first = legs[0]!;
    const call = this.rules.callOf(first.row);
    const row = call === undefined ? first.row : this.rules.merge(call, legs.map((l) => l.row));
    return {
      row,
      line: first.record.line,
      raw: legs.map((l) => l.record.text).join('\n'),
      utf8: legs.every((l) => l.record.utf8),
      bytes: Buffer.concat(legs.flatMap((l, i) => (i === 0 ? [l.record.bytes] : [Buffer.from('\n'), l.record.bytes]))),
    };
  }
}
