// Moves a generated CDR (test/bench/traffic.ts) in time, keeping its durations and the UTC offset its switch writes.
import type { Cdr } from '../../lib/domain/cdr';

/** ISO-8601 of `ms` at the offset `like` was written with (`Z` or `±HH:MM`). */
export function restamp(like: string, ms: number): string {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(like);
  if (!m) return new Date(ms).toISOString();
  const offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return `${new Date(ms + offset * 60_000).toISOString().slice(0, -1)}${m[0]}`;
}

/** The same call shifted by `shiftMs`. */
export function shiftCdr(cdr: Cdr, shiftMs: number): Cdr {
  const move = (at: string) => restamp(at, Date.parse(at) + shiftMs);
  return { ...cdr, startedAt: move(cdr.startedAt), endedAt: move(cdr.endedAt), answeredAt: cdr.answeredAt === null ? null : move(cdr.answeredAt) };
}
