// `disputes ingest FILE`: streams a switch file to the ingest queue and waits for the stack to count it.
import { existsSync, statSync } from 'node:fs';
import { FORMATS, type FormatName } from '../../adapters/switch-files/index';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { type SentFile, detectFileFormat, sendFile, waitForRun } from '../../use-cases/ingest/import-file';
import { type OptionValues, defineCommand } from '../command';
import { OPERATOR_OPTIONS, adapterOptions, impliedFormat } from '../operator-options';
import { progress } from '../progress';
import { printRun } from '../run-summary';
import { wholeNumber } from '../validate';

const isFormat = (name: string): name is FormatName => (FORMATS as readonly string[]).includes(name);

const INGEST_OPTIONS = { ...OPERATOR_OPTIONS, format: { type: 'string' }, 'wait-seconds': { type: 'string' } } as const;

/** The file and the format named or implied (a column mapping is Asterisk's); undefined when it is to be detected. */
function fileAndFormat(values: OptionValues<typeof INGEST_OPTIONS>, positionals: string[]): { file: string; format?: FormatName } {
  const [file, ...rest] = positionals;
  if (!file) throw new ValidationError('FILE', 'ingest needs a FILE: disputes ingest FILE [OPTIONS]');
  if (rest.length > 0) throw new ValidationError('FILE', `ingest takes one FILE; also given: ${rest.join(' ')}`);
  if (!existsSync(file)) throw new NotFoundError(`no file ${file}`);
  const format = values.format;
  if (format !== undefined && !isFormat(format)) throw new ValidationError('--format', `--format must be one of ${FORMATS.join(', ')}`);
  return { file, format: format ?? impliedFormat(values) };
}

/**
 * Reads, sends and waits; the exit status says whether anything was rejected (2) or left uncounted (3). A file
 * without --source is refused (1, nothing sent) unless it is JSON lines whose every record names its source.
 */
export const ingest = defineCommand({
  options: INGEST_OPTIONS,
  check({ values, positionals }) {
    const { file, format } = fileAndFormat(values, positionals);
    adapterOptions(values, format, file);
    if (values['wait-seconds'] !== undefined) wholeNumber('wait-seconds', values['wait-seconds'], 1, 86_400);
  },
  async run({ values, positionals }) {
    const { file, format: given } = fileAndFormat(values, positionals);
    // Options that depend on the format (--account-column, --count-forked-once) are checked again once it is known.
    const format = given ?? (await detectFileFormat(file));
    const adapter = adapterOptions(values, format, file);
    const started = Date.now();
    const reading = progress('reading', statSync(file).size, 'records');
    let sent: SentFile;
    try {
      sent = await sendFile(file, { format, adapter, onProgress: (p) => reading.update(p.bytesRead, p.records) });
    } finally {
      reading.stop();
    }
    const readSeconds = (Date.now() - started) / 1000;
    console.log(`${sent.file} (${sent.format}): ${sent.records} records read and sent in ${readSeconds.toFixed(1)} s (${Math.round(sent.records / Math.max(readSeconds, 0.001))} records/s), ${sent.rejectedAtEdge} of them rejected at the edge; ${sent.source === undefined ? 'sources as each record names them' : `source ${sent.source}`}; run ${sent.ingestRun}`);
    const storing = progress('storing', sent.records, 'records');
    const summary = await waitForRun(sent.ingestRun, sent.records, { stallSeconds: Number(values['wait-seconds'] ?? 60), onProgress: (n) => storing.update(n) }).finally(() => storing.stop());
    return printRun(summary, `${summary.total} of ${sent.records} records counted by the stack in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  },
});
