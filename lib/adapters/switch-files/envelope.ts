// The ingest-queue message a file run sends: records tagged with their file, line and run, so the handler can keep
// rejects with where they came from and count the run. Records the edge already rejected travel with their
// problems, so every record of a file is kept and counted in one place.
import { z } from 'zod';
import { AdapterOptions, FORMATS } from './types';

const Problem = z.object({ field: z.string(), reason: z.string() });

const Position = {
  line: z.number().int().positive(),
  index: z.number().int().nonnegative().optional(),
  raw: z.string(),
  rawBase64: z.string().optional(),
};

export const EnvelopeRecord = z.union([
  z.object({ ...Position, cdr: z.record(z.string(), z.unknown()) }),
  z.object({ ...Position, source: z.string(), problems: z.array(Problem).min(1) }),
]);
export type EnvelopeRecord = z.infer<typeof EnvelopeRecord>;

export const IngestEnvelope = z.object({
  ingestRun: z.string().min(1).max(64),
  /** The message's number within its run: the run counts each number once, however often SQS delivers it. */
  seq: z.number().int().nonnegative(),
  file: z.string().max(1024),
  format: z.enum(FORMATS),
  options: AdapterOptions,
  records: z.array(EnvelopeRecord),
});
export type IngestEnvelope = z.input<typeof IngestEnvelope>;

export const isEnvelope = (body: unknown): boolean => body !== null && typeof body === 'object' && !Array.isArray(body) && 'ingestRun' in body;
