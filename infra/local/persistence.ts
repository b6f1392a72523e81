// What `npm start` keeps in its data folder between runs. DynamoDB Local writes its own database there; fauxqs
// holds its queues in memory only, so a clean stop saves every message (ready, delayed and in flight) and the next
// start sends them again; the Disputes stream mapping saves how far it has read each shard.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { newSqsClient } from '../../lib/adapters/aws';

/** A message as fauxqs holds it: what a snapshot of a queue keeps. */
export interface HeldMessage {
  body: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string | Uint8Array }>;
  sentTimestamp: number;
  approximateReceiveCount: number;
  delayUntil?: number;
}

export interface DataFolder {
  root: string;
  /** DynamoDB Local's -dbPath (shared-local-instance.db). */
  dynamo: string;
  /** The queues' messages at the last clean stop (written even when empty: its presence says the stop was clean). */
  queues: string;
  /** The stream mapping's position per table and shard. */
  streams: string;
}

export function dataFolder(root: string): DataFolder {
  return { root, dynamo: join(root, 'dynamodb'), queues: join(root, 'queues.json'), streams: join(root, 'streams.json') };
}

/** `--fresh`: removes what this project keeps in the folder, and nothing else (DATA_DIR may point anywhere). */
export function wipe(folder: DataFolder): void {
  rmSync(folder.dynamo, { recursive: true, force: true });
  rmSync(folder.queues, { force: true });
  rmSync(folder.streams, { force: true });
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface SavedQueues {
  savedAt: string;
  queues: Record<string, HeldMessage[]>;
}

/** Saves the messages of the named queues; returns how many there were. */
export function saveQueues(folder: DataFolder, names: string[], messagesOf: (name: string) => HeldMessage[] | undefined): number {
  const queues: Record<string, HeldMessage[]> = {};
  for (const name of names) {
    const messages = messagesOf(name) ?? [];
    if (messages.length > 0) queues[name] = messages;
  }
  const count = Object.values(queues).reduce((sum, messages) => sum + messages.length, 0);
  mkdirSync(folder.root, { recursive: true });
  writeAtomically(folder.queues, JSON.stringify({ savedAt: new Date().toISOString(), queues } satisfies SavedQueues));
  return count;
}

/**
 * Sends the saved messages again, each to the queue of its name, then forgets them. They come back as new messages:
 * new ids, receive count 0 (a message that failed 4 times gets 5 more tries), the rest of a delay kept.
 * `clean` says whether the last run saved its queues, that is, stopped cleanly.
 */
export async function restoreQueues(folder: DataFolder, urlOf: (name: string) => string | undefined): Promise<{ clean: boolean; count: number; savedAt?: string }> {
  const saved = readJson<SavedQueues>(folder.queues);
  if (!saved) return { clean: false, count: 0 };
  const sqs = newSqsClient();
  const limit = pLimit(8);
  let count = 0;
  try {
    await Promise.all(
      Object.entries(saved.queues).flatMap(([name, messages]) => {
        const queueUrl = urlOf(name);
        if (!queueUrl) return [];
        return messages.map((m) =>
          limit(async () => {
            const attributes = Object.entries(m.messageAttributes ?? {}).filter(([, a]) => a.StringValue !== undefined);
            await sqs.send(
              new SendMessageCommand({
                QueueUrl: queueUrl,
                MessageBody: m.body,
                MessageAttributes: attributes.length > 0 ? (Object.fromEntries(attributes.map(([k, a]) => [k, { DataType: a.DataType, StringValue: a.StringValue }])) as Record<string, MessageAttributeValue>) : undefined,
                DelaySeconds: m.delayUntil && m.delayUntil > Date.now() ? Math.min(900, Math.ceil((m.delayUntil - Date.now()) / 1000)) : undefined,
              }),
            );
            count++;
          }),
        );
      }),
    );
  } finally {
    sqs.destroy();
  }
  rmSync(folder.queues, { force: true });
  return { clean: true, count, savedAt: saved.savedAt };
}

/** Where a stream mapping resumes: the last sequence number it finished, per shard. */
export interface StreamCheckpoint {
  get: (shardId: string) => string | undefined;
  set: (shardId: string, sequenceNumber: string) => void;
}

export function streamCheckpoint(folder: DataFolder, tableName: string): StreamCheckpoint {
  type Saved = Record<string, Record<string, string>>;
  const all = readJson<Saved>(folder.streams) ?? {};
  const positions = (all[tableName] ??= {});
  return {
    get: (shardId) => positions[shardId],
    set: (shardId, sequenceNumber) => {
      positions[shardId] = sequenceNumber;
      mkdirSync(folder.root, { recursive: true });
      writeAtomically(folder.streams, JSON.stringify(all));
    },
  };
}
