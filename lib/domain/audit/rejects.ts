// Rejected input in the audit: rejected CDRs per reason.
import type { RejectFinding } from './findings';
import { cmp } from './order';

/** What the audit reads of a rejected CDR. */
export interface RejectSummaryInput {
  source: string;
  reasons: string[];
  status?: string;
}

/** Rejected CDRs per reason, each with the sources that sent them. */
export function rejectFindings(rejects: Iterable<RejectSummaryInput>): RejectFinding[] {
  const byReason = new Map<string, { rejects: number; open: number; replayed: number; sources: Map<string, number> }>();
  for (const r of rejects) {
    for (const reason of new Set(r.reasons)) {
      const entry = byReason.get(reason) ?? { rejects: 0, open: 0, replayed: 0, sources: new Map() };
      entry.rejects += 1;
      // Closed any way (replayed, resolved, dismissed, a conflict kept or replaced) is no longer open.
      if (r.status === undefined || r.status === 'OPEN') entry.open += 1;
      else entry.replayed += 1;
      entry.sources.set(r.source, (entry.sources.get(r.source) ?? 0) + 1);
      byReason.set(reason, entry);
    }
  }
  return [...byReason.entries()]
    .map(([reason, e]): RejectFinding => ({
      type: 'REJECTED_INPUT',
      reason,
      rejects: e.rejects,
      open: e.open,
      replayed: e.replayed,
      sources: [...e.sources.entries()].map(([source, rejects]) => ({ source, rejects })).sort((a, b) => b.rejects - a.rejects || cmp(a.source, b.source)),
    }))
    .sort((a, b) => b.rejects - a.rejects || cmp(a.reason, b.reason));
}
