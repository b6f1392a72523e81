// Column mappings of Asterisk files written by cdr_custom (legacy and advanced mappings) or listed by the operator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listedColumns, mappingColumns, readMappings, unusedColumn } from '../../lib/adapters/switch-files/asterisk-mapping';
import { ROOT } from '../../lib/config';

const SAMPLE_19 = ['clid', 'src', 'dst', 'dcontext', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'accountcode', 'uniqueid', 'userfield', 'sequence'];

describe('cdr_custom.conf', () => {
  it("reads the fixture's [mappings] line (Asterisk's sample, uncommented): 19 columns, the commented ones ignored", () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'cdr-samples', 'cdr_custom.conf'), 'utf8');
    expect(readMappings(text)).toEqual([{ file: 'Master.csv', columns: SAMPLE_19 }]);
    expect(mappingColumns(text, 'whatever-name.csv')).toEqual(SAMPLE_19);
  });

  it('names columns by their CDR() field, whatever the options, and keeps other columns as unused', () => {
    const text = '[mappings]\nSimple.csv => ${CSV_QUOTE(${EPOCH})},${CSV_QUOTE(${CDR(src)})},${CSV_QUOTE(${CDR(dst)})},${CDR(billsec,f)},"${CDR(start,u)}",literal';
    expect(readMappings(text)).toEqual([{ file: 'Simple.csv', columns: [unusedColumn(1), 'src', 'dst', 'billsec', 'start', unusedColumn(6)] }]);
  });

  it('reads an advanced mapping: literals, qualifiers and user variables', () => {
    const text = `[cdr_master.csv]
format = dsv
separator_character = ,
fields = clid,"Some Literal",src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start(int64), answer(int64), end(int64), duration, billsec, disposition(int64), amaflags, accountcode, uniqueid(noquote), userfield, sequence,ds_type(uservar)`;
    const columns = mappingColumns(text, 'cdr_master.csv');
    expect(columns).toHaveLength(21);
    expect(columns.slice(0, 3)).toEqual(['clid', unusedColumn(2), 'src']);
    expect(columns.slice(9, 12)).toEqual(['start', 'answer', 'end']);
    expect(columns.at(-1)).toBe('ds_type');
  });

  it('refuses mappings that are not comma-separated CSV', () => {
    expect(() => mappingColumns('[cdr.json]\nformat = json\nfields = clid,src', 'cdr.json')).toThrow(/writes json, not CSV/);
    expect(() => mappingColumns('[cdr.tsv]\nseparator_character = \\t\nfields = clid,src', 'cdr.tsv')).toThrow(/separates fields with "\\t"/);
  });

  it('picks the mapping that writes the imported file when there are several, and says so when none does', () => {
    const line = (file: string, extra = '') => `${file} => ${SAMPLE_19.map((f) => `\${CSV_QUOTE(\${CDR(${f})})}`).join(',')}${extra}`;
    const text = `[mappings]\n${line('Master.csv')}\n${line('/var/log/asterisk/cdr-custom/Other.csv', ',${CDR(linkedid)}')}`;
    expect(mappingColumns(text, '/tmp/Other.csv')).toHaveLength(20);
    expect(mappingColumns(text, 'Master.csv')).toHaveLength(19);
    expect(() => mappingColumns(text, 'export.csv')).toThrow('2 mappings (Master.csv, /var/log/asterisk/cdr-custom/Other.csv) and none writes export.csv: keep only the mapping that wrote this file');
  });

  it('accepts a bare template or a list of names, one or several per line', () => {
    expect(mappingColumns('${CSV_QUOTE(${CDR(clid)})},' + SAMPLE_19.slice(1).map((f) => `\${CDR(${f})}`).join(','), undefined)).toEqual(SAMPLE_19);
    expect(mappingColumns(`; the columns of our export\n${SAMPLE_19.slice(0, 10).join(',')}\n${SAMPLE_19.slice(10).join('\n')}\n`, undefined)).toEqual(SAMPLE_19);
  });

  it('refuses a mapping without what a CDR needs, or with a field twice', () => {
    expect(() => mappingColumns('', undefined)).toThrow(/^no mapping found/);
    expect(() => mappingColumns('[mappings]\nSimple.csv => ${CSV_QUOTE(${EPOCH})},${CSV_QUOTE(${CDR(src)})},${CSV_QUOTE(${CDR(dst)})}', undefined)).toThrow(
      'the mapping has no uniqueid, start, answer, end, duration, billsec, disposition: a CDR needs uniqueid, src, dst, start, answer, end, duration, billsec, disposition (Asterisk field names, in file order)',
    );
    expect(() => listedColumns([...SAMPLE_19, 'src'].join(','))).toThrow('the mapping names src more than once');
  });
});

describe('--columns', () => {
  it('lists the field names in file order, case and spaces as the operator typed them', () => {
    expect(listedColumns(' CLID, src ,DST,dcontext,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,accountcode,uniqueid,userfield,sequence')).toEqual(SAMPLE_19);
  });
});
