// Capacity model (pure computation: no DynamoDB, no emulator, no fake of one): a burst of CDR traffic charged, write
// by write, to the partition key values of every table and index it writes, per second, by DynamoDB's rules (a write
// costs 1 WCU per started KB of the larger of the item before and after; one key value takes at most 1,000 WCU/s).
// What is the product's own code: each CDR is checked by parseCdr and stored as cdrItem builds it (so the keys, the
// index keys and the item's size follow lib/adapters/cdr-store.ts); keys and projections come from TABLES; the
// statistics' buckets, what each batch owes a bucket and the watermark it leaves come from changesByBucket and
// pendingDelta (lib/domain/statistics/stream-counts.ts), the watermark attribute's name and text from the stats
// store's watermarkAttribute and formatWatermark.
// What is approximate: the Cdrs stream has ceil(Cdrs WCU/s / 1,000) shards (a partition's write rate), a record
// goes to the shard of a hash of its partition key, and a shard's batch closes at 1,000 records or 1 s after its first
// (the mapping in infra/stack.ts), ignoring how long an invocation takes; shard ids have DynamoDB's format
// (shardId-<20 digits>-<8 hex>, 37 characters), sequence numbers 21 digits. A bucket item is the key, `v`, one
// number attribute per non-zero counter and TTA bin (as the stats store's ADD writes them) and one watermark per
// shard that has written it: stats-store.ts exports no builder of it, so its counter attribute names are mirrored
// here. The burst starts on empty statistics: a bucket grows by a watermark per shard that writes it, so the hot
// number's buckets reach their steady size within the first second (every shard writes them) while the long tail's
// would be bigger later in the hour: ConnectStats' total is a lower bound, its busiest key is not. Reads are not
// modelled: each written key is read about once per write, 1-2 RCU, far below a partition's 3,000 RCU/s.
// Prints, per table and index, the busiest partition key and its write units in its busiest second; exits 1 when a
// key needs more than one partition's 1,000 WCU/s.
//   CAP_HOT_RATE (10000 CDR/s to one number)  CAP_TOTAL_RATE (50000 CDR/s, all of it)  CAP_SECONDS (3)
//   CAP_ACCOUNTS (500000)  CAP_DESTINATIONS (200000)
import { performance } from 'node:perf_hooks';
import { type Cdr, parseCdr } from '../../lib/domain/cdr';
import { type ConnectCounters, emptyCounters } from '../../lib/domain/statistics/connect-statistics';
import { type CdrChange, type Watermark, bucketKey, changesByBucket, formatWatermark, pendingDelta } from '../../lib/domain/statistics/stream-counts';
import { hourPages } from '../../lib/adapters/cdr-hours';
import { cdrItem } from '../../lib/adapters/cdr-store';
import { TABLES, type TableDef } from '../../lib/adapters/resources';
import { watermarkAttribute } from '../../lib/adapters/stats-store';
import { itemSize, writeUnits } from './item-size';
import { shiftCdr } from './move-cdr';
import { intEnv } from './options';
import { generateDay, prng } from './traffic';

const started = performance.now();
const HOT_RATE = intEnv('CAP_HOT_RATE', 10_000);
const TOTAL_RATE = intEnv('CAP_TOTAL_RATE', 50_000);
const SECONDS = intEnv('CAP_SECONDS', 3);
const ACCOUNTS = intEnv('CAP_ACCOUNTS', 500_000);
const DESTINATIONS = intEnv('CAP_DESTINATIONS', 200_000);
if (HOT_RATE > TOTAL_RATE) throw new Error('CAP_HOT_RATE is part of CAP_TOTAL_RATE: it cannot exceed it');
/** One partition's write limit: what a single partition key value can never exceed. */
const PARTITION_WCU = 1_000;
/** The Cdrs stream mapping as infra/stack.ts deploys it (DynamoEventSource: batchSize 1000, maxBatchingWindow 1 s). */
const STREAM_BATCH = 1_000;
const STREAM_WINDOW_MS = 1_000;

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** FNV-1a: a stable hash of a key value, standing in for DynamoDB's placement of it. */
function hashTo(text: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % buckets;
}

// --- Charges: write units per scope (a table, or `table.index`), per second of the burst, per partition key value ---
const charges = new Map<string, Map<number, Map<string, number>>>();
function charge(scope: string, second: number, key: string, units: number): void {
  const bySecond = charges.get(scope) ?? charges.set(scope, new Map()).get(scope)!;
  const byKey = bySecond.get(second) ?? bySecond.set(second, new Map()).get(second)!;
  byKey.set(key, (byKey.get(key) ?? 0) + units);
}

// --- Traffic -----------------------------------------------------------------------------------------------------
// The hot number: one destination (a toll-free campaign number), called from many accounts. The rest: Zipf-popular
// destinations and accounts, traffic.ts's outcome mix. The burst starts at the half hour before the current one, so
// every CDR is within retention and the hour does not turn during the burst.
let t = performance.now();
const hot = generateDay({ cdrs: HOT_RATE * SECONDS, seed: 11, destinations: 1, accounts: ACCOUNTS });
const rest = generateDay({ cdrs: (TOTAL_RATE - HOT_RATE) * SECONDS, seed: 12, destinations: DESTINATIONS, accounts: ACCOUNTS });
const hotNumber = hot[0]!.calledNumber;
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1_800_000;
const secondOf = (at: number) => Math.floor((at - T0) / 1000);

// Each CDR arrives at a uniform moment of the burst, as its call ends: its times move to end there.
const rand = prng(7);
const arrivals = [...hot, ...rest]
  .map((cdr) => {
    const at = T0 + Math.floor(rand() * SECONDS * 1000);
    return { at, cdr: shiftCdr(cdr, at - Date.parse(cdr.endedAt)) };
  })
  .sort((a, b) => a.at - b.at);
const generateSeconds = seconds(t);

// --- Cdrs and its indexes: each CDR as parseCdr accepts it and cdrItem stores it, stored the moment it arrives ------
t = performance.now();
const cdrs: TableDef = TABLES.cdrs;
/** The item an index holds of `item`, or undefined when the item lacks the index's keys (a sparse index skips it). */
function projected(table: TableDef, index: TableDef['indexes'][number], item: Record<string, unknown>): Record<string, unknown> | undefined {
  if (item[index.partitionKey.name] === undefined || (index.sortKey && item[index.sortKey.name] === undefined)) return undefined;
  if (!index.include) return item;
  const names = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey].flatMap((k) => (k ? [k.name] : [])).concat(index.include);
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}
const records: { at: number; partitionValue: string; change: CdrChange }[] = [];
let largestCdr = { size: 0, key: '' };
let now = new Date(0);
for (const { at, cdr: raw } of arrivals) {
  const parsed = parseCdr(raw);
  if (!parsed.ok) throw new Error(`parseCdr refused a generated CDR: ${JSON.stringify(parsed.problems)}`);
  if (now.getTime() !== at) now = new Date(at); // one clock per millisecond, as storeCdrs takes one per message
  const item = cdrItem(parsed.cdr, parsed.flags, now);
  const size = itemSize(item);
  const second = secondOf(at);
  const partitionValue = String(item[cdrs.partitionKey.name]);
  charge(cdrs.name, second, partitionValue, writeUnits(size));
  if (size > largestCdr.size) largestCdr = { size, key: partitionValue };
  for (const index of cdrs.indexes) {
    const copy = projected(cdrs, index, item);
    if (copy) charge(`${cdrs.name}.${index.name}`, second, String(copy[index.partitionKey.name]), writeUnits(itemSize(copy)));
  }
  // The stream record as cdrChange reads it: the stored CDR's own fields, changed when it was ingested.
  records.push({ at, partitionValue, change: { sequence: '', after: parsed.cdr, changedAt: String(item.ingestedAt) } });
}
const storeSeconds = seconds(t);

// --- The Cdrs stream: shards by partition key hash, a batch per shard at 1,000 records or 1 s ----------------------
t = performance.now();
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const cdrsWcuPerSecond = sum([...(charges.get(cdrs.name)?.values() ?? [])].map((byKey) => sum(byKey.values()))) / SECONDS;
// A table's partitions (and so its stream's shards) follow its write rate: 1,000 WCU/s a partition.
const SHARDS = Math.max(1, Math.ceil(cdrsWcuPerSecond / PARTITION_WCU));
const shardIds = Array.from({ length: SHARDS }, (_, i) => `shardId-${String(T0).padStart(20, '0')}-${hashTo(String(i), 2 ** 31).toString(16).padStart(8, '0')}`);
const perShard: (typeof records)[] = Array.from({ length: SHARDS }, () => []);
for (const record of records) perShard[hashTo(record.partitionValue, SHARDS)]!.push(record);
let sequence = 10n ** 20n; // 21 digits, like a DynamoDB stream's
interface Batch {
  closedAt: number;
  shard: number;
  changes: CdrChange[];
}
const batches: Batch[] = [];
perShard.forEach((shardRecords, shard) => {
  let open: (Batch & { openedAt: number }) | undefined;
  for (const record of shardRecords) {
    if (open && record.at > open.openedAt + STREAM_WINDOW_MS) {
      open.closedAt = open.openedAt + STREAM_WINDOW_MS;
      open = undefined;
    }
    if (!open) {
      open = { closedAt: 0, openedAt: record.at, shard, changes: [] };
      batches.push(open);
    }
    open.changes.push({ ...record.change, sequence: String(sequence++) });
    if (open.changes.length === STREAM_BATCH) {
      open.closedAt = record.at;
      open = undefined;
    }
  }
  if (open) open.closedAt = open.openedAt + STREAM_WINDOW_MS;
});
batches.sort((a, b) => a.closedAt - b.closedAt);

// --- ConnectStats: one write per bucket per batch, sized by the bucket item it leaves ------------------------------
const COUNTERS = Object.keys(emptyCounters()).filter((name) => name !== 'ttaHistogram') as (keyof Omit<ConnectCounters, 'ttaHistogram'>)[];
interface Bucket {
  calledNumber: string;
  hour: string;
  version: number;
  counters: ConnectCounters;
  watermarks: Map<string, Watermark>;
}
const buckets = new Map<string, Bucket>();
/** A bucket item as the stats store leaves it: ADD writes only non-zero counters, each TTA bin its own attribute. */
function bucketItem(b: Bucket): Record<string, unknown> {
  const item: Record<string, unknown> = { calledNumber: b.calledNumber, hour: b.hour, v: b.version };
  for (const name of COUNTERS) if (b.counters[name] !== 0) item[name] = b.counters[name];
  b.counters.ttaHistogram.forEach((n, i) => {
    if (n !== 0) item[`tta${i}`] = n;
  });
  for (const [shardId, w] of b.watermarks) item[watermarkAttribute(shardId)] = formatWatermark(w);
  return item;
}
const statsName = TABLES.connectStats.name;
const statsKey = TABLES.connectStats.partitionKey.name;
let counted = 0;
let statsWrites = 0;
for (const batch of batches) {
  const shardId = shardIds[batch.shard]!;
  for (const changes of changesByBucket(batch.changes)) {
    const key = bucketKey(changes.calledNumber, changes.hour);
    const bucket = buckets.get(key) ?? buckets.set(key, { calledNumber: changes.calledNumber, hour: changes.hour, version: 0, counters: emptyCounters(), watermarks: new Map() }).get(key)!;
    const delta = pendingDelta(changes, { watermark: bucket.watermarks.get(shardId) });
    if (!delta) continue;
    const before = itemSize(bucket.version > 0 ? bucketItem(bucket) : undefined);
    for (const name of COUNTERS) bucket.counters[name] += delta.counters[name];
    delta.counters.ttaHistogram.forEach((n, i) => (bucket.counters.ttaHistogram[i] = (bucket.counters.ttaHistogram[i] ?? 0) + n));
    bucket.watermarks.set(shardId, delta.watermark);
    bucket.version++;
    const item = bucketItem(bucket);
    charge(statsName, secondOf(batch.closedAt), String(item[statsKey]), writeUnits(before, itemSize(item)));
    counted += delta.applied;
    statsWrites++;
  }
}
// --- CdrHours: the pages each stream batch writes (hourPages), sized as writeHourPages stores them -----------------
const hoursName = TABLES.cdrHours.name;
for (const batch of batches) {
  const shardId = shardIds[batch.shard]!;
  for (const page of hourPages(shardId, batch.changes)) {
    const item = { hourPart: `${page.hour}#${page.part}`, page: `${shardId}#${page.entries[0]![0].padStart(40, '0')}`, lastSequence: page.entries.at(-1)![0].padStart(40, '0'), entries: page.entries, expiresAt: 0 };
    charge(hoursName, secondOf(batch.closedAt), item.hourPart, writeUnits(itemSize(item)));
  }
}

// A check of the model itself: the real delta logic counts every CDR once.
const attempts = sum([...buckets.values()].map((b) => b.counters.attempts));
if (counted !== arrivals.length || attempts !== arrivals.length) throw new Error(`the statistics counted ${counted} changes, ${attempts} attempts, for ${arrivals.length} CDRs`);
const streamSeconds = seconds(t);

// --- Report ------------------------------------------------------------------------------------------------------
interface Busiest {
  scope: string;
  keyName: string;
  key: string;
  peak: number;
  total: number;
}
function busiest(scope: string, keyName: string): Busiest {
  let best = { key: '', peak: 0 };
  let total = 0;
  for (const byKey of charges.get(scope)?.values() ?? []) {
    for (const [key, units] of byKey) {
      total += units;
      if (units > best.peak) best = { key, peak: units };
    }
  }
  return { scope, keyName, ...best, total: total / SECONDS };
}
const rows = Object.values(TABLES as Record<string, TableDef>).flatMap((def) => [busiest(def.name, def.partitionKey.name), ...def.indexes.map((index) => busiest(`${def.name}.${index.name}`, index.partitionKey.name))]);
const short = (value: string) => (value.length > 34 ? `${value.slice(0, 33)}…` : value);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const largestBucket = [...buckets.values()].map((b) => ({ b, size: itemSize(bucketItem(b)) })).reduce((a, x) => (x.size > a.size ? x : a));
const hotBatches = batches.filter((b) => b.changes.some((c) => c.after?.calledNumber === hotNumber)).length;

console.log(`capacity model: ${SECONDS} s of ${fmt(TOTAL_RATE)} CDR/s, ${fmt(HOT_RATE)} CDR/s of them to ${hotNumber} (callers from ${fmt(new Set(hot.map((c: Cdr) => c.accountId)).size)} accounts), the rest over ${fmt(DESTINATIONS)} destinations and ${fmt(ACCOUNTS)} accounts (Zipf)`);
console.log(`items from parseCdr + cdrItem; buckets from changesByBucket + pendingDelta; Cdrs stream: ${SHARDS} shards (ceil(${fmt(cdrsWcuPerSecond)} WCU/s / 1,000)), ${fmt(batches.length)} batches of at most ${STREAM_BATCH} (${fmt(batches.length / SECONDS)}/s), ${fmt(statsWrites)} bucket writes; index projections as TABLES says (ALL unless include)`);
console.log(`${statsName} starts empty: its total WCU/s is a lower bound (later in the hour buckets carry more watermarks)`);
console.log('');
console.log(`${pad('table / index', 28)} ${pad('busiest partition key (busiest second)', 52)} ${lpad('WCU/s', 7)} ${lpad('total WCU/s', 12)}`);
for (const r of rows) {
  const over = r.peak > PARTITION_WCU ? '  OVER' : '';
  console.log(`${pad(r.scope, 28)} ${pad(r.peak > 0 ? short(`${r.keyName}=${r.key}`) : '(not written by ingest)', 52)} ${lpad(fmt(r.peak), 7)} ${lpad(fmt(r.total), 12)}${over}`);
}
console.log('');
console.log(`largest items: ${cdrs.name} ${fmt(largestCdr.size)} bytes (${cdrs.partitionKey.name}=${short(largestCdr.key)}); ${statsName} ${fmt(largestBucket.size)} bytes (${statsKey}=${largestBucket.b.calledNumber}, ${largestBucket.b.watermarks.size} watermarks)`);
const hotPeak = Math.max(0, ...[...(charges.get(statsName)?.values() ?? [])].map((byKey) => byKey.get(hotNumber) ?? 0));
console.log(`${statsName} of the hot number ${hotNumber}: ${fmt(hotPeak)} WCU/s in its busiest second (${fmt(hotBatches / SECONDS)} batches/s carry it)`);
console.log(`generated ${fmt(arrivals.length)} CDRs in ${generateSeconds} s; items ${storeSeconds} s; stream ${streamSeconds} s; took ${seconds(started)} s`);
const worst = rows.reduce((a, b) => (b.peak > a.peak ? b : a));
console.log(`capacity: busiest partition key ${worst.scope} ${worst.keyName}=${short(worst.key)} ${fmt(worst.peak)} WCU/s (limit ${fmt(PARTITION_WCU)})`);
process.exit(rows.some((r) => r.peak > PARTITION_WCU) ? 1 : 0);
