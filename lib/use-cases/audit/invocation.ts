// One invocation's work on a RUNNING audit: what it knows (header, checkpoint, pinned policy, hours of the period),
// how much time it has left, and how work stops when that runs short.
import pLimit from 'p-limit';
import type { AuditHeader } from '../../domain/audit/findings';
import type { Policy } from '../../domain/policy/policy';
import type { Checkpoint } from '../../adapters/audit-store';

/** How an invocation works: its time margin, concurrency, page size, repair settle time and clock. */
export interface ContinueOptions {
  /** Stop starting work when less than this is left (default 60 s): what is under way must finish in it. */
  marginMs?: number;
  /** Hours read at once, each from its HOUR_PARTS parts in parallel (default 4). */
  hourConcurrency?: number;
  /** Items per query page (default: DynamoDB's 1 MB pages). */
  pageSize?: number;
  /** Destinations compared with their stored statistics at once (default 16). */
  destinationConcurrency?: number;
  /** A drifted bucket is only rewritten when its newest CDR was stored longer ago than this (default 10 min). */
  repairSettleMs?: number;
  /** The clock, for the repair's settle test and the report's finishedAt. */
  now?: () => Date;
}

/** What the phases of one invocation share. The checkpoint is updated in place as work is recorded. */
export interface Run {
  header: AuditHeader;
  checkpoint: Checkpoint;
  policy: Policy;
  hours: string[];
  remainingMs: () => number;
  margin: number;
  options: ContinueOptions;
}

/** Control flow, not a failure: the invocation is running out of time, the checkpoint holds the work done. */
export class OutOfTime extends Error {
  override name = 'OutOfTime';
}

/** Whether less than `share` of the margin is left. */
export const outOfTime = (run: Run, share = 1) => run.remainingMs() < run.margin * share;

/** Runs `tasks` a few at a time; stops starting new ones once one says the time is up or one fails. True when all ran. */
export async function bounded<T>(items: T[], concurrency: number, task: (item: T) => Promise<'done' | 'stopped'>): Promise<boolean> {
  const limit = pLimit(concurrency);
  let stopped = false;
  // Boxed, so that whatever was thrown is rethrown as it is.
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (stopped || failure) return;
        try {
          if ((await task(item)) === 'stopped') stopped = true;
        } catch (error) {
          if (error instanceof OutOfTime) stopped = true;
          else failure ??= { error };
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  return !stopped;
}
