// What switch files do not say and the operator does (`disputes ingest`, `disputes rejects replay`): the options
// and their reading into the format adapters' options.
import { existsSync, readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { ASTERISK } from '../adapters/switch-files/asterisk';
import { listedColumns, mappingColumns } from '../adapters/switch-files/asterisk-mapping';
import { FREESWITCH } from '../adapters/switch-files/freeswitch';
import { AdapterOptions, type FormatName } from '../adapters/switch-files/index';
import { areaCodeProblem, readNumber } from '../adapters/switch-files/normalise';
import { ValidationError } from '../domain/errors';
import type { OptionValues } from './command';
import { parseMoney } from '../domain/investigation/explain';

/** The OPERATOR OPTIONS of the usage text. */
export const OPERATOR_OPTIONS = {
  source: { type: 'string' },
  country: { type: 'string' },
  'area-code': { type: 'string' },
  timezone: { type: 'string' },
  account: { type: 'string' },
  'account-column': { type: 'string' },
  caller: { type: 'string' },
  rate: { type: 'string' },
  increment: { type: 'string' },
  currency: { type: 'string' },
  'allow-extensions': { type: 'boolean' },
  columns: { type: 'string' },
  'columns-file': { type: 'string' },
  'count-forked-once': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig;

/** The options given, without the ones that were not: a replay lays them over the stored ones. */
const given = <T extends object>(options: T): T => Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;

/** The format the options imply: a column mapping is Asterisk's. */
export const impliedFormat = (values: OptionValues<typeof OPERATOR_OPTIONS>): FormatName | undefined => (values.columns !== undefined || values['columns-file'] !== undefined ? 'asterisk' : undefined);

/** `--columns` or `--columns-file` (for `file`, when the mapping file has several): the Asterisk columns in file order. */
function columnsOption(values: OptionValues<typeof OPERATOR_OPTIONS>, format: FormatName | undefined, file: string | undefined): string[] | undefined {
  const [list, mappingFile] = [values.columns, values['columns-file']];
  if (list === undefined && mappingFile === undefined) return undefined;
  const flag = list !== undefined ? '--columns' : '--columns-file';
  if (list !== undefined && mappingFile !== undefined) throw new ValidationError('--columns', 'give --columns or --columns-file, not both');
  if (format !== undefined && format !== 'asterisk') throw new ValidationError(flag, `${flag} maps Asterisk fields (cdr_custom/cdr_csv): it does not apply to --format ${format}`);
  if (list !== undefined) return listedColumns(list);
  if (!existsSync(mappingFile!)) throw new ValidationError('--columns-file', `no file ${mappingFile}`);
  return mappingColumns(readFileSync(mappingFile!, 'utf8'), file);
}

/**
 * The adapter options the operator gave, validated; the columns `--account-column` may name depend on `format`
 * (and on the column mapping, read for `file`).
 */
export function adapterOptions(values: OptionValues<typeof OPERATOR_OPTIONS>, format?: FormatName, file?: string): AdapterOptions {
  const country = values.country?.toUpperCase();
  const options: AdapterOptions = { source: values.source, country, timezone: values.timezone, account: values.account, accountColumn: values['account-column'], currency: values.currency?.toUpperCase() };
  const areaCode = values['area-code']?.replace(/[\s().-]/g, '');
  if (areaCode !== undefined) {
    const problem = /^\d{1,6}$/.test(areaCode) ? areaCodeProblem(country, areaCode) : 'must be the digits of an area code, e.g. 614 or 01524';
    if (problem) throw new ValidationError('--area-code', `--area-code ${values['area-code']}: ${problem}`);
    options.areaCode = areaCode;
  }
  const caller = values.caller;
  if (caller !== undefined) {
    const reading = readNumber(caller, country, areaCode);
    if (reading.kind !== 'e164') throw new ValidationError('--caller', `--caller ${caller} is not a phone number${country ? '' : ' (write it as +E.164, or give --country)'}`);
    options.caller = reading.value;
  }
  const rate = values.rate;
  if (rate !== undefined) {
    // Typed in currency units per minute, like every amount a person types (0.15 is 15 cents a minute).
    const currency = options.currency ?? 'USD';
    try {
      options.rate = parseMoney(rate, currency);
    } catch (error) {
      throw new ValidationError('--rate', `--rate ${rate}: ${(error as Error).message} (the charge per minute of billed time in ${currency}, e.g. 0.15)`, { cause: error });
    }
  }
  const increment = values.increment;
  if (increment !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(increment);
    if (!m) throw new ValidationError('--increment', '--increment must be MIN/STEP in seconds, e.g. 60/60 or 30/6');
    options.increment = { minimumSeconds: Number(m[1]), incrementSeconds: Number(m[2]) };
  }
  if (values['allow-extensions']) options.allowExtensions = true;
  options.columns = columnsOption(values, format, file);
  if (values['count-forked-once']) {
    if (format !== undefined && format !== 'asterisk') throw new ValidationError('--count-forked-once', `--count-forked-once groups the legs Asterisk writes per call: it does not apply to --format ${format}`);
    options.countForkedOnce = true;
  }
  const result = given(options);
  const parsed = AdapterOptions.safeParse(result);
  if (!parsed.success) {
    const flag = (path: PropertyKey | undefined) => `--${String(path).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new ValidationError(flag(parsed.error.issues[0]?.path[0]), parsed.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`).join('\n'));
  }
  const columns = result.columns ?? (format === 'asterisk' ? [...ASTERISK.layouts[21]!] : format === 'freeswitch' ? [...FREESWITCH.layouts[15]!] : undefined);
  if (result.accountColumn && columns && !columns.includes(result.accountColumn)) throw new ValidationError('--account-column', `--account-column must be one of ${columns.join(', ')}`);
  return result;
}
