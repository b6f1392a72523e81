// Small terminal formats shared by the commands: money, times at an offset, durations, and tables that fit a
// terminal of 120 columns (the last column wraps).
import type { Money } from '../domain/cdr';
import { formatMoney } from '../domain/investigation/explain';

/** The width the tables are laid out for. */
export const TERMINAL_COLUMNS = 120;

/** An amount in its currency, or nothing when there is none. */
export const money = (m: Money | undefined): string => (m ? formatMoney(m.amountMinor, m.currency) : '');

/** A signed amount: "+$1.20", "-$0.30", "$0.00". */
export const signedMoney = (amountMinor: number, currency: string): string => `${amountMinor > 0 ? '+' : amountMinor < 0 ? '-' : ''}${formatMoney(Math.abs(amountMinor), currency)}`;

/** How long ago `iso` was: hours up to two days, then days. */
export function ageOf(iso: string): string {
  const hours = (Date.now() - Date.parse(iso)) / 3_600_000;
  return hours < 48 ? `${Math.floor(hours)}h` : `${Math.floor(hours / 24)}d`;
}

/** Minutes east of UTC of an offset "+01:00", "-05:00" or "Z". */
function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** "UTC-05:00", "UTC": how the console names an offset too. */
export const offsetLabel = (offset: string): string => (offset === '+00:00' || offset === 'Z' ? 'UTC' : `UTC${offset}`);

/** "2026-10-27 08:04:30" at the offset (the offset is named once, in a heading), as the console writes it. */
export function dateTimeAt(instant: string, offset: string, withSeconds = true): string {
  const wall = new Date(Date.parse(instant) + offsetMinutes(offset) * 60_000).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, withSeconds ? 19 : 16)}`;
}

/** "2.9 s"; "–" for none (the console's format). */
export const seconds = (s: number | null | undefined, decimals = 1): string => (typeof s === 'number' ? `${s.toFixed(decimals)} s` : '–');

/** "55%" from 0.549; "n/a" without a value. */
export const pct = (x: number | null | undefined): string => (typeof x === 'number' ? `${Math.round(x * 100)}%` : 'n/a');

/** "1 call", "2 calls". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;

/** "CALL_CONNECTED" → "Call connected", as the console writes codes in its tables. */
export const humanize = (code: string): string => code.charAt(0).toUpperCase() + code.slice(1).toLowerCase().replace(/_/g, ' ');

export interface Column {
  header: string;
  /** Numbers are right-aligned. */
  align?: 'left' | 'right';
}

/** A line of at most `columns` characters, wrapped at spaces; continuation lines are indented by `hang` spaces. */
export function fit(line: string, hang: number, columns = TERMINAL_COLUMNS): string {
  if (line.length <= columns) return line;
  const lead = /^ */.exec(line)![0];
  const [first, ...rest] = wrap(line.slice(lead.length), columns - lead.length - hang);
  return [lead + first, ...rest.map((l) => `${' '.repeat(lead.length + hang)}${l}`)].join('\n');
}

/** Splits a text at spaces into lines of at most `width` characters (a longer word stays whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/**
 * Rows under a header, columns two spaces apart, each as wide as its widest cell; the last column takes what is
 * left of `columns` and wraps onto continuation lines, so a row never runs past the terminal's edge.
 */
export function table(columnsOf: Column[], rows: string[][], indent = '  ', columns = TERMINAL_COLUMNS): string[] {
  const widths = columnsOf.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, indent.length);
  const lastWidth = Math.max(columns - fixed, 16);
  const cell = (text: string, i: number) => (columnsOf[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const render = (cells: string[]) => {
    const last = wrap(cells[cells.length - 1] ?? '', lastWidth);
    const head = `${indent}${cells.slice(0, -1).map(cell).join('  ')}  `;
    return [head + last[0], ...last.slice(1).map((l) => ' '.repeat(head.length) + l)].map((l) => l.trimEnd());
  };
  return [...render(columnsOf.map((c) => c.header)), ...rows.flatMap(render)];
}

/** A text bar of `value` out of `max`, `width` characters at most. */
export const bar = (value: number, max: number, width: number): string => (max > 0 ? '█'.repeat(Math.round((value / max) * width)) : '');

/** The API's JSON as it came, pretty-printed. */
export const printJson = (body: unknown): void => console.log(JSON.stringify(body, null, 2));
