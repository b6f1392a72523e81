// Findings stored in items of bounded size: a finding's long list is cut between parts and joined back on reading.
import { utf8Length } from '../canonical';
import type { Finding, FindingType } from './findings';

/** The list a finding of each type can grow long in. */
const LIST_FIELD: Partial<Record<FindingType, 'calls' | 'accounts' | 'sources'>> = {
  BILLED_UNANSWERED: 'calls',
  OVERBILLED_DURATION: 'calls',
  NETWORK_DEGRADATION: 'accounts',
  FALSE_ANSWER_SUSPECTED: 'accounts',
  REJECTED_INPUT: 'sources',
};
/** One stored part of a finding. */
export interface FindingPart {
  /** Index of the finding in the report. */
  index: number;
  part: number;
  finding: Finding;
}

/**
 * Splits findings into parts of at most `budgetBytes` of JSON each (a finding's long list is cut between parts),
 * so each part fits in one DynamoDB item (400 KB) whatever the number of calls.
 */
export function findingParts(findings: Finding[], budgetBytes: number): FindingPart[] {
  const parts: FindingPart[] = [];
  findings.forEach((finding, index) => {
    const field = LIST_FIELD[finding.type];
    const list = field ? ((finding as unknown as Record<string, unknown[]>)[field] ?? []) : [];
    const bare = field ? { ...finding, [field]: [] } : finding;
    let size = utf8Length(JSON.stringify(bare));
    if (!field || size + utf8Length(JSON.stringify(list)) <= budgetBytes) {
      parts.push({ index, part: 0, finding });
      return;
    }
    let current: unknown[] = [];
    let part = 0;
    const flush = () => {
      parts.push({ index, part: part++, finding: { ...finding, [field]: current } });
      current = [];
      size = utf8Length(JSON.stringify(bare));
    };
    for (const entry of list) {
      const entrySize = utf8Length(JSON.stringify(entry)) + 1;
      if (current.length > 0 && size + entrySize > budgetBytes) flush();
      current.push(entry);
      size += entrySize;
    }
    flush();
  });
  return parts;
}

/** The findings back from their parts, in order. */
export function joinFindingParts(parts: FindingPart[]): Finding[] {
  const sorted = [...parts].sort((a, b) => a.index - b.index || a.part - b.part);
  const out: Finding[] = [];
  let lastIndex = -1;
  for (const { index, finding } of sorted) {
    const field = LIST_FIELD[finding.type];
    if (index !== lastIndex || !field) {
      out.push(field ? { ...finding, [field]: [...((finding as unknown as Record<string, unknown[]>)[field] ?? [])] } : finding);
      lastIndex = index;
      continue;
    }
    (out[out.length - 1] as unknown as Record<string, unknown[]>)[field]!.push(...((finding as unknown as Record<string, unknown[]>)[field] ?? []));
  }
  return out;
}
