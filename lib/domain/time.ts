// Instants shown to people in the offset the dispute was opened with; compared everywhere else as instants.

/** `instant` rewritten in `offset` (`+HH:MM`/`-HH:MM`), milliseconds kept: 2026-10-27T15:00:00Z in -05:00 → 2026-10-27T10:00:00.000-05:00. */
export function inOffset(instant: string, offset: string): string {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  const shifted = new Date(Date.parse(instant) + minutes * 60_000).toISOString();
  return `${shifted.slice(0, -1)}${match ? offset : '+00:00'}`;
}
