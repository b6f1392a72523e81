// Reading a canonical JSON-lines file and sending it to the ingest queue in batched messages.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { enqueueBatch } from '../adapters/queues';

export const RECORDS_PER_MESSAGE = 100;

export async function* cdrLines(path: string): AsyncGenerator<{ line: number; record: unknown }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      // Sent as text: the ingest handler rejects it with its reason and keeps it, so nothing is lost.
      record = text;
    }
    yield { line, record };
  }
}

export async function readCdrLines(path: string): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const { record } of cdrLines(path)) records.push(record);
  return records;
}

/** Sends records as JSON arrays of RECORDS_PER_MESSAGE, ten messages per request. Returns how many were sent. */
export async function sendCdrs(records: Iterable<unknown> | AsyncIterable<unknown>, onProgress?: (sent: number) => void): Promise<number> {
  let sent = 0;
  let message: unknown[] = [];
  let bodies: string[] = [];
  const flushBodies = async () => {
    if (bodies.length > 0) await enqueueBatch('cdrIngest', bodies);
    bodies = [];
    onProgress?.(sent);
  };
  for await (const record of records) {
    message.push(record);
    sent++;
    if (message.length === RECORDS_PER_MESSAGE) {
      bodies.push(JSON.stringify(message));
      message = [];
      if (bodies.length === 10) await flushBodies();
    }
  }
  if (message.length > 0) bodies.push(JSON.stringify(message));
  await flushBodies();
  return sent;
}
