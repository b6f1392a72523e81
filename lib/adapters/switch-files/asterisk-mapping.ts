// The column order of an Asterisk file written by a custom mapping, from the mapping as the operator has it:
// cdr_custom.conf (a legacy `[mappings]` line `Master.csv => ${CSV_QUOTE(${CDR(clid)})},…`, or an advanced
// section's `fields = clid,src,…`), or a bare list of field names. Each column is named by the CDR field it holds;
// a column that holds anything else (a literal, ${EPOCH}, another function) is kept as an unused column.
import { ValidationError } from '../../domain/errors';

/** The CDR fields Asterisk writes (cdr_csv's 18, and newer releases' peeraccount, linkedid, sequence). */
export const ASTERISK_FIELDS = ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield', 'peeraccount', 'linkedid', 'sequence'] as const;

/** What a CDR is made of: a mapping without one of these cannot be imported. */
export const REQUIRED_FIELDS = ['uniqueid', 'src', 'dst', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition'] as const;

/** The name of the `index`-th column (from 1) when it holds no CDR field: never a field name, so never read. */
export const unusedColumn = (index: number): string => `(column ${index})`;

export interface Mapping {
  /** The file the mapping writes (`Master.csv`), when the mapping names one. */
  file?: string;
  columns: string[];
}

/** Commas that separate fields: those outside `${…}`, `(…)` and double quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '{' || ch === '(')) depth++;
    else if (!quoted && (ch === '}' || ch === ')')) depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const CDR_CALL = /\$\{CDR\(\s*([A-Za-z_][\w-]*)\s*(?:,[^)]*)?\)\}/;
const FIELD_NAME = /^([A-Za-z_][\w-]*)\s*(?:\([^)]*\))?$/;

/** A legacy template (`${CSV_QUOTE(${CDR(clid)})},…`): each column named by the CDR field it writes. */
function legacyColumns(template: string): string[] {
  return splitTopLevel(template).map((part, i) => CDR_CALL.exec(part)?.[1]?.toLowerCase() ?? unusedColumn(i + 1));
}

/** An advanced `fields =` list or a bare list: `clid,"Literal",src,start(int64),uniqueid(noquote),ds_type(uservar)`. */
function listColumns(list: string): string[] {
  return splitTopLevel(list.replace(/\s*\n\s*/g, ',').replace(/,+$/, '')).map((part, i) => FIELD_NAME.exec(part)?.[1]?.toLowerCase() ?? unusedColumn(i + 1));
}

/** Asterisk config comments run from `;` (not `\;`) to the end of the line. */
const uncommented = (line: string): string => line.replace(/(^|[^\\]);.*$/, '$1').trim();

/** Every mapping a text defines: cdr_custom.conf sections, a `NAME => template` line, a template, or a list of names. */
export function readMappings(text: string): Mapping[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map(uncommented).filter((l) => l !== '');
  const mappings: Mapping[] = [];
  let section: string | undefined;
  const advanced = new Map<string, Record<string, string>>();
  const loose: string[] = [];
  for (const line of lines) {
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim();
      if (section.toLowerCase() !== 'mappings') advanced.set(section, {});
      continue;
    }
    const legacy = /^(.+?)\s*=>\s*(.+)$/.exec(line);
    if (legacy && (section === undefined || section.toLowerCase() === 'mappings')) {
      mappings.push({ file: legacy[1]!.trim(), columns: legacyColumns(legacy[2]!) });
      continue;
    }
    const setting = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
    if (section !== undefined && section.toLowerCase() !== 'mappings' && setting) {
      advanced.get(section)![setting[1]!.toLowerCase()] = setting[2]!;
      continue;
    }
    if (section === undefined) loose.push(line);
  }
  for (const [file, settings] of advanced) {
    if (settings.fields === undefined) continue;
    if ((settings.format ?? 'dsv').toLowerCase() !== 'dsv') throw new ValidationError('--columns-file', `the mapping [${file}] writes ${settings.format}, not CSV: only comma-separated mappings can be imported`);
    const separator = settings.separator_character;
    if (separator !== undefined && separator !== ',') throw new ValidationError('--columns-file', `the mapping [${file}] separates fields with "${separator}": only comma-separated mappings can be imported`);
    mappings.push({ file, columns: listColumns(settings.fields) });
  }
  if (mappings.length === 0 && loose.length > 0) {
    const joined = loose.join('\n');
    mappings.push({ columns: joined.includes('${') ? legacyColumns(loose.join('')) : listColumns(joined) });
  }
  return mappings;
}

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/**
 * The columns of `fileName` from a mapping text: its only mapping, or the one that writes a file of that name.
 * ValidationError (on `flag`) when there is none, several fit, or the columns cannot make a CDR.
 */
export function mappingColumns(text: string, fileName: string | undefined, flag = '--columns-file'): string[] {
  const mappings = readMappings(text);
  if (mappings.length === 0) throw new ValidationError(flag, 'no mapping found: expected a cdr_custom.conf [mappings] line (Master.csv => ${CSV_QUOTE(${CDR(clid)})},…), an advanced mapping with fields = …, or the field names in file order');
  let chosen = mappings[0]!;
  if (mappings.length > 1) {
    const named = mappings.filter((m) => m.file !== undefined && fileName !== undefined && baseName(m.file) === baseName(fileName));
    if (named.length !== 1) throw new ValidationError(flag, `${mappings.length} mappings (${mappings.map((m) => m.file ?? '?').join(', ')}) and none ${fileName ? `writes ${baseName(fileName)}` : 'chosen'}: keep only the mapping that wrote this file`);
    chosen = named[0]!;
  }
  return checkColumns(chosen.columns, flag);
}

/** The columns, if a CDR can be made of them: every required field once. */
export function checkColumns(columns: string[], flag = '--columns'): string[] {
  const names = columns.map((c) => c.trim().toLowerCase());
  const missing = REQUIRED_FIELDS.filter((f) => !names.includes(f));
  if (missing.length > 0) throw new ValidationError(flag, `the mapping has no ${missing.join(', ')}: a CDR needs ${REQUIRED_FIELDS.join(', ')} (Asterisk field names, in file order)`);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new ValidationError(flag, `the mapping names ${[...new Set(twice)].join(', ')} more than once`);
  return names;
}

/** `--columns a,b,c`: the field names in file order, in the advanced mapping's `fields` syntax. */
export const listedColumns = (list: string): string[] => checkColumns(listColumns(list), '--columns');
