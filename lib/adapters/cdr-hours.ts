// CdrHours: the audit's index of the CDRs that started in each UTC hour, written from the Cdrs stream.
//
// A GSI would copy every CDR (one more write unit each); a page here holds up to PAGE_ENTRIES item keys of one stream
// batch, so it costs about one write unit per 20 CDRs. A stream shard's pages of an hour are intervals of its records:
// a retried batch (other boundaries) writes pages that overlap earlier ones, and the reader, going through a shard's
// pages by first sequence number, skips every entry at or below the highest it has read. Every stored CDR is
// therefore reached exactly once, whatever was retried.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import type { Cdr } from '../domain/cdr';
import { expiresAtSeconds } from '../domain/retention';
import { utcHour } from '../domain/statistics/connect-statistics';
import type { CdrChange } from '../domain/statistics/stream-counts';
import { instantMillis } from '../domain/time';
import { setting } from '../config';
import { documentClient, recordConsumed, tableName } from './aws';
import { callKey, cdrsByItemKey, storedIdentity, toCdr } from './cdr-store';
import { HOUR_PARTS } from './resources';

/** Entries a page holds at most: about 60 bytes each, so a page stays far under DynamoDB's 400 KB item limit. */
export const PAGE_ENTRIES = 2000;

/** `[sequence, accountId, callKey]`; a fourth element `1` marks a CDR that moved into this hour (a modify). */
export type HourEntry = [string, string, string] | [string, string, string, 1];

export interface HourPage {
  hour: string;
  part: number;
  shardId: string;
  entries: HourEntry[];
}

const SEQUENCE_DIGITS = 40;
const padded = (sequence: string) => sequence.padStart(SEQUENCE_DIGITS, '0');

/** The hour part a stream shard writes to: FNV-1a of its id, so one shard's pages of an hour are one key's range. */
export function hourPartOf(shardId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < shardId.length; i++) h = Math.imul(h ^ shardId.charCodeAt(i), 0x01000193) >>> 0;
  return h % HOUR_PARTS;
}

/**
 * A batch's entries by UTC hour, in stream order, cut into pages. An insert is entered under its start's hour; a
 * modify only when it moved the CDR to another hour (the old hour's reader then finds the CDR elsewhere and drops
 * it); a removal (TTL expiry) never.
 */
export function hourPages(shardId: string, changes: CdrChange[]): HourPage[] {
  const byHour = new Map<string, HourEntry[]>();
  for (const change of changes) {
    const { before, after } = change;
    if (!after) continue;
    const hour = utcHour(after.startedAt);
    if (before && utcHour(before.startedAt) === hour) continue;
    const entry: HourEntry = before ? [change.sequence, after.accountId, callKey(after), 1] : [change.sequence, after.accountId, callKey(after)];
    (byHour.get(hour) ?? byHour.set(hour, []).get(hour)!).push(entry);
  }
  const part = hourPartOf(shardId);
  const pages: HourPage[] = [];
  for (const [hour, entries] of byHour) {
    for (let i = 0; i < entries.length; i += PAGE_ENTRIES) pages.push({ hour, part, shardId, entries: entries.slice(i, i + PAGE_ENTRIES) });
  }
  return pages;
}

const limit = pLimit(8);

/**
 * Writes a batch's pages. A page whose key is there already (a retry that began at the same record) is replaced only
 * by one reaching at least as far, so a shorter retry never drops entries a longer one wrote.
 */
export async function writeHourPages(pages: HourPage[]): Promise<void> {
  const retentionDays = setting('CDR_RETENTION_DAYS');
  await Promise.all(
    pages.map((p) =>
      limit(async () => {
        const last = padded(p.entries.at(-1)![0]);
        try {
          const out = await documentClient().send(
            new PutCommand({
              TableName: tableName('cdrHours'),
              Item: {
                hourPart: `${p.hour}#${p.part}`,
                page: `${p.shardId}#${padded(p.entries[0]![0])}`,
                lastSequence: last,
                entries: p.entries,
                // The page goes when the last CDR it can name does.
                expiresAt: expiresAtSeconds(new Date(instantMillis(p.hour) + 3_600_000).toISOString(), retentionDays),
              },
              ConditionExpression: 'attribute_not_exists(#page) OR lastSequence <= :last',
              ExpressionAttributeNames: { '#page': 'page' },
              ExpressionAttributeValues: { ':last': last },
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          recordConsumed(out.ConsumedCapacity);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    ),
  );
}

/** One page of an hour's CDRs, with when each was stored (same order). */
export interface CdrPage {
  cdrs: Cdr[];
  ingestedAt: (string | undefined)[];
}

/**
 * One part of one UTC hour of CDRs, `pageSize` at a time (the audit's reader): memory holds an index page and the
 * CDRs it names, not the hour. Each stored CDR that starts in the hour is yielded once.
 */
export async function* cdrPagesInHourPart(hour: string, part: number, pageSize = 1000): AsyncGenerator<CdrPage> {
  let shard: string | undefined;
  let highest = -1n;
  // A reviewer's replacement can move a CDR out of the hour and back: its two entries name one item.
  const settled = new Set<string>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ TableName: tableName('cdrHours'), KeyConditionExpression: 'hourPart = :h', ExpressionAttributeValues: { ':h': `${hour}#${part}` }, Limit: 10, ExclusiveStartKey }),
    );
    ExclusiveStartKey = out.LastEvaluatedKey;
    for (const item of out.Items ?? []) {
      const pageShard = String(item.page).slice(0, String(item.page).lastIndexOf('#'));
      if (pageShard !== shard) [shard, highest] = [pageShard, -1n];
      const fresh: HourEntry[] = [];
      for (const entry of item.entries as HourEntry[]) {
        const sequence = BigInt(entry[0]);
        if (sequence <= highest) continue;
        highest = sequence;
        fresh.push(entry);
      }
      for (let i = 0; i < fresh.length; i += pageSize) {
        const keys = new Map(fresh.slice(i, i + pageSize).map(([, accountId, key]) => [`${accountId}#${key}`, { accountId, callKey: key }]));
        const items = (await cdrsByItemKey([...keys.values()])).filter((stored) => {
          if (utcHour(String(stored.startedAt)) !== hour) return false; // moved to another hour since
          if (typeof stored.settles !== 'string') return true;
          const identity = storedIdentity(stored as unknown as Cdr);
          return !settled.has(identity) && Boolean(settled.add(identity));
        });
        if (items.length > 0) yield { cdrs: items.map(toCdr), ingestedAt: items.map((stored) => (typeof stored.ingestedAt === 'string' ? stored.ingestedAt : undefined)) };
      }
    }
  } while (ExclusiveStartKey);
}
