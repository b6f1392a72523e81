// The orders and per-currency totals every part of the report is written in, so the same data gives the same report.
import type { Money } from '../cdr';

/** Code-unit order of two strings (not locale order: the report must not depend on the machine). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Calls by start, then call id, then source. */
export const compareCalls = (a: { startedAt: string; callId: string; source: string }, b: { startedAt: string; callId: string; source: string }): number =>
  Date.parse(a.startedAt) - Date.parse(b.startedAt) || cmp(a.callId, b.callId) || cmp(a.source, b.source);

/** Amounts summed per currency, currencies in order. */
export function moneyTotals(amounts: Iterable<Money>): Money[] {
  const totals = new Map<string, number>();
  for (const m of amounts) totals.set(m.currency, (totals.get(m.currency) ?? 0) + m.amountMinor);
  return [...totals.entries()].sort(([a], [b]) => cmp(a, b)).map(([currency, amountMinor]) => ({ amountMinor, currency }));
}
