// The API fuzzer: fast-check generates requests for every route (lib/api/routes.ts), as every role and with every
// field wrong in every way we know (wrong types, missing and extra fields, huge and odd Unicode strings, lone
// surrogates, bad percent-escapes, bad dates and numbers, forged cursors, prototype keys, wrong content types,
// duplicate query parameters, oversized URLs and headers), sends them over real HTTP and judges each answer:
//   - never a 5xx, and always an answer (no reset, no hang);
//   - every 4xx is application/problem+json with the status it was sent with (the stage's own 429 body excepted);
//   - no 2xx for a request the contract forbids: one built invalid on purpose (the negative generators produce only
//     invalid values), or one whose decoded parts the operation's zod schemas refuse, or a role the route refuses;
//   - a 2xx or 4xx status the OpenAPI document declares for the operation, and a 2xx body its schema accepts.
// Used by test/integration/api-fuzz.test.ts (≥ 2,000 requests per run) and test/bench/fuzz.ts (≥ 20,000).
import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import type { z } from 'zod';
import { DISPUTE_STATUSES } from '../../lib/domain/disputes/dispute';
import { openApiDocument } from '../../lib/api/openapi';
import { OPERATIONS } from '../../lib/api/operations';
import { API_ROUTES, type ApiRoute, type Role, routeKey } from '../../lib/api/routes';
import { ProblemSchema } from '../../lib/api/schemas';

export type Who = 'none' | Role;
export const WHO: Who[] = ['none', 'ticketing', 'reviewer', 'auditor', 'billing'];

/** One generated request, with what the server should see of it once the gateway decoded it. */
export interface FuzzRequest {
  /** The route it was generated for. */
  route: string;
  who: Who;
  method: string;
  /** The raw request target, exactly as sent: path and query, percent-encoded (or not) by the generator. */
  target: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
  /** Why it is invalid by construction (any 2xx is then wrong); empty when every part was generated valid. */
  invalid: string[];
  /** The target matches no route template (an empty segment, another method): the answer is 404. */
  unrouted?: boolean;
  /** The path and query parameters as API Gateway hands them to the function (decoded once, repeats joined). */
  decoded: { path: Record<string, string>; query: Record<string, string> };
}

export interface FuzzAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FuzzOptions {
  /** A bearer token per role. */
  tokens: Record<Role, string>;
  /** Disputes that exist, so decisions and reinvestigations reach the stored state sometimes. */
  disputeIds?: string[];
  /** Audits that exist. */
  auditIds?: string[];
  /** The time the requests are generated at (the statistics' default window ends now). */
  now?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Strings.

/** Any code points, surrogates (alone) included: what fc.string({ unit: 'binary' }) gives, several times faster. */
const anyCodePoints = fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 3 }).map((points) => String.fromCodePoint(...points));

/** Pieces that break naive code: lone surrogates, astral characters, controls, bidi, combining marks, BOM, escapes. */
const ODD = [
  '\ud800', '\udbff', '\udfff', '\ud83d', '😀', '𝕏', '👩‍👩‍👧', '\u0000', '\u0007', '\u001f', '\u007f', '\u202e', 'e\u0301', '\ufeff',
  '\uffff', '\ufffd', 'ß', 'İ', 'ﬃ', '\u2028', '\u00a0', '\u3000', ' ', '%', '%25', '%2B', '+', '/', '?', '#', '&', '=', ';', '"',
  '\\', '<script>', "'", '..', '.', 'ｆｕｌｌ', '١٢٣', '${x}', '{{x}}', '__proto__', 'constructor', 'null', '\n', '\t',
];
const oddText = fc
  .array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'grapheme', maxLength: 4 }), anyCodePoints, fc.string({ unit: 'grapheme-ascii', maxLength: 8 })), {
    maxLength: 10,
  })
  .map((parts) => parts.join(''));

/** Replaces lone surrogates with U+FFFD (String.prototype.toWellFormed, which this TypeScript lib lacks). */
/** `arbitrary` one time in `n`, else `nil` (fc.option's `freq` is the other way round: nil one time in freq). */
function oneIn<T, N>(n: number, arbitrary: fc.Arbitrary<T>, nil: N): fc.Arbitrary<T | N> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(nil) }, { weight: 1, arbitrary });
}

const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/**
 * A string of `min`..`max` code points, often odd. Code points are what zod (4.6) and JSON Schema measure, a lone
 * surrogate counting one: an astral character is two UTF-16 units but one code point.
 */
function text(min: number, max: number, options: { wellFormed?: boolean } = {}): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof({ weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,24}$/) }, { weight: 3, arbitrary: oddText }), fc.integer({ min, max }), fc.boolean())
    .map(([s, n, pad]) => {
      const unit = Array.from(options.wellFormed ? wellFormed(s) : s);
      if (unit.length === 0) unit.push('x');
      // Its natural length (within the bounds), or repeated up to a length anywhere in them.
      const target = pad ? n : Math.max(min, Math.min(unit.length, max));
      const out: string[] = [];
      while (out.length < target) out.push(...unit);
      // Whole code points: a cut never splits a pair into a new lone surrogate.
      return out.slice(0, target).join('');
    });
}

/** A string longer than `max` code points: just over it, or far over it. */
const tooLong = (max: number, options: { wellFormed?: boolean } = {}) =>
  fc.oneof(fc.integer({ min: max + 1, max: max + 3 }), fc.integer({ min: max + 4, max: Math.max(max * 4, max + 10) })).chain((n) => text(n, n, options));

// ---------------------------------------------------------------------------------------------------------------
// Percent-encoding, as a client might (or should not) do it.

/** Percent-encodes a well-formed string for a path segment, sometimes leaving sub-delimiters raw or hex lower-case. */
const encodePathSegment = (value: string) =>
  fc.constantFrom('plain', 'subdelims', 'lower').map((style) => {
    const encoded = encodeURIComponent(value);
    if (style === 'subdelims') return encoded.replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (m) => decodeURIComponent(m));
    if (style === 'lower') return encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    return encoded;
  });

/** Encodes a query name or value: %20 or + for spaces. */
const encodeQuery = (value: string, plus: boolean) => {
  const encoded = encodeURIComponent(value);
  return plus ? encoded.replace(/%20/g, '+') : encoded;
};

/** Malformed escapes: truncated, not hex, invalid UTF-8, an encoded surrogate, past U+10FFFF, overlong. */
const BAD_ESCAPES = ['%', '%Z', '%ZZ', '%2', '%G0', '%E2%82', '%ED%A0%80', '%ED%BF%BF', '%C0%AF', '%FF', '%80', '%F4%90%80%80', '%E0%80%AF', '%%'];

/** A raw segment that contains a malformed escape somewhere (followed by no hex digit, which could complete it). */
const withBadEscape = fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/), fc.constantFrom(...BAD_ESCAPES), fc.stringMatching(/^([g-zG-Z_~-][A-Za-z0-9]{0,7})?$/)).map(([a, bad, b]) => `${a}${bad}${b}`);

/** A raw path or query part with what it decodes to, or why it is invalid. */
interface Field {
  raw: string;
  value?: string;
  invalid?: string;
}

const valid = (value: string, raw: string): Field => ({ raw, value });
const invalid = (raw: string, why: string, value?: string): Field => ({ raw, value, invalid: why });

// ---------------------------------------------------------------------------------------------------------------
// Path parameters.

const ULID = fc.array(fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), { minLength: 26, maxLength: 26 }).map((chars) => chars.join(''));

/** An id of 1..max code units: valid values (ULIDs, odd Unicode) and invalid ones (too long, bad escapes). */
function idField(max: number, known: string[] = []): fc.Arbitrary<Field> {
  const validValue = fc.oneof(ULID, text(1, max, { wellFormed: true }), ...(known.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...known) }] : []));
  return fc.oneof(
    { weight: 12, arbitrary: validValue.chain((v) => encodePathSegment(v).map((raw) => valid(v, raw))) },
    { weight: 1, arbitrary: tooLong(max, { wellFormed: true }).chain((v) => encodePathSegment(v).map((raw) => invalid(raw, `longer than ${max}`, v))) },
    { weight: 2, arbitrary: withBadEscape.map((raw) => invalid(raw, 'malformed percent-escape in the path')) },
    // A lone surrogate cannot be percent-encoded (it has no UTF-8): clients send its CESU bytes, which do not decode.
    { weight: 1, arbitrary: fc.constantFrom('%ED%A0%BD', 'a%ED%B8%80b').map((raw) => invalid(raw, 'encoded lone surrogate')) },
  );
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** `{e164}`: the URL-encoded E.164 number (%2B or a raw +), and numbers that are not E.164 once decoded once. */
const e164Field: fc.Arbitrary<Field> = (() => {
  const number = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(7, 14)).map(([first, rest]) => `+${first}${rest}`);
  return fc.oneof(
    { weight: 10, arbitrary: number.chain((n) => fc.constantFrom(`%2B${n.slice(1)}`, `%2b${n.slice(1)}`, n).map((raw) => valid(n, raw))) },
    // Encoded twice: API Gateway decodes once, to %2B…, which is not E.164 (the local server once decoded twice).
    { weight: 2, arbitrary: number.map((n) => invalid(`%252B${n.slice(1)}`, 'double-encoded +', `%2B${n.slice(1)}`)) },
    // %25ZZ decodes to %ZZ, which the schema once decoded again (and threw: 500).
    { weight: 2, arbitrary: fc.constantFrom('%25ZZ', '%25', '%25E2%2582', '%252', '%25%25', '%25F0%259F').map((raw) => invalid(raw, 'not E.164', decodeURIComponent(raw))) },
    { weight: 2, arbitrary: withBadEscape.map((raw) => invalid(raw, 'malformed percent-escape in the path')) },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          digits(8, 15),
          fc.tuple(digits(0, 6)).map(([d]) => `+1${d}`),
          fc.tuple(digits(16, 30)).map(([d]) => `+1${d}`),
          digits(8, 14).map((d) => `+0${d}`),
          fc.constantFrom('+١٢٣٤٥٦٧٨٩٠', '+１２３４５６７８９０', '+1 614 555 0123', '+1-614-555-0123', '+16145550123\u0000', '++16145550123', '+16145550123 ', ' +16145550123', '+16145550123\n'),
          oddText.filter((s) => s.length > 0),
        )
        .map(wellFormed)
        .filter((v) => v.length > 0 && !/^\+[1-9]\d{7,14}$/.test(v))
        .chain((v) => encodePathSegment(v).map((raw) => invalid(raw, 'not E.164', v))),
    },
  );
})();

function pathField(name: string, options: FuzzOptions): fc.Arbitrary<Field> {
  if (name === 'e164') return e164Field;
  if (name === 'disputeId') return idField(64, options.disputeIds);
  if (name === 'auditId') return idField(128, options.auditIds);
  if (name === 'accountId') return idField(64);
  // 26 characters: ULIDs (the shape of every reject id) and texts that are not one.
  if (name === 'rejectId') return idField(26);
  return idField(64);
}

// ---------------------------------------------------------------------------------------------------------------
// Query parameters.

/** Numbers the API must refuse: not plain decimal digits, or out of range. */
const BAD_NUMBERS = ['0x10', '1e2', '+5', ' 5', '5 ', '5.0', '5.', '.5', '0', '-1', '-0', '', '١', '５', 'NaN', 'Infinity', '99999999999999999999', '1_0', '0b11', '0o7', '1,000', '10abc', 'null', '[]'];

/** Instants the API must refuse: impossible dates, no offset, not ISO-8601. */
const BAD_DATES = [
  '2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z',
  '2026-01-01T00:00:60Z', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00+05:60', '2026-01-01T00:00:00', '2026-01-01', 'yesterday', '', 'now',
  '2026-01-01t00:00:00z', '2026-01-01 00:00:00Z', '1767225600000', '2026-W01-1T00:00:00Z', '２０２６-01-01T00:00:00Z', '+002026-01-01T00:00:00Z',
  '2026-01-01T00:00:00Z ', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00.Z', '2026-1-1T00:00:00Z', '2026-01-01T00:00:00ZZ', '2026-01-01T00:00:00+0100x',
];

/** An instant with an offset: Z or ±HH:MM, with or without milliseconds. */
function isoAt(ms: number, offsetMinutes: number, millis: boolean): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, millis ? 23 : 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
const OFFSETS = [0, 0, -300, 330, 345, 60, -600, 840, -720];
const instantAt = (ms: number) => fc.tuple(fc.constantFrom(...OFFSETS), fc.boolean()).map(([o, m]) => isoAt(ms, o, m));

/** A cursor is opaque; these are base64url JSON of other shapes, other encodings and junk. */
const FORGED_CURSORS: string[] = (() => {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const shapes = [
    '[]', '1', '"x"', 'null', 'true', '{}', '{"a":1}', '{"disputeId":1}', '{"disputeId":1e400}', '{"disputeId":123456789012345678901234567890}', '{"disputeId":{"S":"x"}}',
    '{"disputeId":null,"status":null,"openedAtId":null}', '{"disputeId":"x","status":"RECOMMENDED","openedAtId":"y","extra":"z"}', '{"disputeId":["x"],"status":"RECOMMENDED","openedAtId":"y"}',
    '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"disputeId":"x","status":"RECOMMENDED","openedAtId":{"N":"1"}}',
    '{"disputeId":"","status":"","openedAtId":""}', '{"disputeId":-0.5,"status":true,"openedAtId":false}', `{"k":"${'x'.repeat(1200)}"}`, '{"a":'.repeat(200) + '1' + '}'.repeat(200),
    '{"disputeId":"\\ud800","status":"RECOMMENDED"}',
  ];
  return [
    ...shapes.map(b64),
    Buffer.from('{"disputeId":"x"}').toString('base64'),
    'not-a-cursor',
    '!!!!',
    '====',
    'eyJ',
    '',
    'x'.repeat(2049),
    b64('{"disputeId":"x"}').replace(/./, '%'),
  ];
})();

interface QueryPart {
  name: string;
  value: string;
  invalid?: string;
}

/** One query field's values: for the fields the API knows, valid and invalid ones; for others, anything. */
function queryField(name: string): fc.Arbitrary<QueryPart> {
  const part = (value: string, why?: string): QueryPart => ({ name, value, ...(why ? { invalid: why } : {}) });
  switch (name) {
    case 'limit':
      return fc.oneof(
        { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 2 })).map(([n, zeros]) => part(`${'0'.repeat(zeros)}${n}`)) },
        { weight: 3, arbitrary: fc.constantFrom(...BAD_NUMBERS).map((v) => part(v, `limit ${JSON.stringify(v)}`)) },
        { weight: 1, arbitrary: fc.integer({ min: 101, max: 1e9 }).map((n) => part(String(n), 'limit over 100')) },
      );
    case 'status':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...DISPUTE_STATUSES).map((v) => part(v)) },
        { weight: 1, arbitrary: fc.constantFrom('recommended', 'RECOMMENDED ', '', 'DONE', 'RECOMMENDED,DECIDED', 'Recommended', 'RECOMMENDED\u0000').map((v) => part(v, 'unknown status')) },
      );
    case 'granularity':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom('hour', 'day').map((v) => part(v)) }, { weight: 1, arbitrary: fc.constantFrom('HOUR', 'week', '', 'hours', 'day,hour').map((v) => part(v, 'unknown granularity')) });
    case 'accountId':
      return fc.oneof(
        { weight: 3, arbitrary: text(1, 64, { wellFormed: true }).map((v) => part(v)) },
        { weight: 1, arbitrary: fc.oneof(fc.constant(''), tooLong(64, { wellFormed: true })).map((v) => part(v, 'accountId empty or too long')) },
      );
    case 'cursor':
      return fc.constantFrom(...FORGED_CURSORS).map((v) => part(v, 'forged cursor'));
    default:
      return text(0, 40, { wellFormed: true }).map((v) => part(v));
  }
}

/** The statistics window: from/to both, one, or none; valid windows and every way one can be wrong. */
function statsWindow(now: number): fc.Arbitrary<QueryPart[]> {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const at = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const p = (name: string, value: string, why?: string): QueryPart => ({ name, value, ...(why ? { invalid: why } : {}) });
  const valid = fc.oneof(
    fc.constant<QueryPart[]>([]),
    // A valid window: mostly short, sometimes the full 93 days.
    fc
      .tuple(at, fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 * DAY }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 93 * DAY }) }))
      .chain(([from, span]) => fc.tuple(instantAt(from), instantAt(from + span)).map(([f, t]) => [p('from', f), p('to', t)])),
    at.chain((to) => instantAt(to).map((t) => [p('to', t)])),
    // from alone: the window ends now, so it must lie within the last 93 days.
    fc.integer({ min: HOUR, max: 92 * DAY }).chain((back) => instantAt(now - back).map((f) => [p('from', f)])),
  );
  const invalid = fc.oneof(
    fc.integer({ min: 94 * DAY, max: 9000 * 365 * DAY }).chain((back) => instantAt(Math.max(now - back, Date.UTC(1, 0, 1))).map((f) => [p('from', f, 'from alone more than 93 days ago')])),
    fc.integer({ min: HOUR, max: 100 * 365 * DAY }).chain((ahead) => instantAt(now + ahead).map((f) => [p('from', f, 'from alone after now')])),
    fc.constantFrom('0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z').map((f) => [p('from', f, 'from alone outside the 93 days before now')]),
    // Reversed, empty and too long windows.
    // At least a second back: instants are written with or without milliseconds, which moves them by up to 999 ms.
    fc.tuple(at, fc.integer({ min: 1000, max: 30 * DAY })).chain(([from, back]) => fc.tuple(instantAt(from), instantAt(from - back)).map(([f, t]) => [p('from', f), p('to', t, 'to not after from')])),
    fc.tuple(at, fc.integer({ min: 93 * DAY + 1000, max: 5000 * DAY })).chain(([from, span]) => fc.tuple(instantAt(from), instantAt(from + span)).map(([f, t]) => [p('from', f), p('to', t, 'window over 93 days')])),
    fc.tuple(fc.constantFrom('from', 'to'), fc.constantFrom(...BAD_DATES)).map(([name, v]) => [p(name, v, `bad date ${JSON.stringify(v)}`)]),
  );
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: invalid });
}

/** Names that reach prototype lookups in naive code. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Fields whose value, repeated, joins into something invalid (API Gateway joins repeats with commas). */
const SINGLE_VALUED = new Set(['limit', 'status', 'granularity', 'from', 'to']);

function queryArbitrary(op: (typeof OPERATIONS)[string] | undefined, key: string, now: number): fc.Arbitrary<{ raw: string; decoded: Record<string, string>; invalid: string[] }> {
  const shape = op?.query ? (queryShape(op.query) ?? []) : [];
  const known = shape.filter((n) => n !== 'from' && n !== 'to');
  // Each field half the time; the cursor (always forged: no generator knows a real one) a quarter of the time.
  const fields = fc.tuple(...known.map((name) => oneIn(name === 'cursor' ? 4 : 2, queryField(name), null)));
  const window = key === 'GET /v1/numbers/{e164}/stats' ? statsWindow(now) : fc.constant([] as QueryPart[]);
  const extras = fc.array(
    fc.oneof(
      fc.constantFrom(...PROTOTYPE_NAMES).chain((name) => text(0, 12, { wellFormed: true }).map((value) => ({ name, value }))),
      fc.tuple(text(1, 16, { wellFormed: true }), text(0, 16, { wellFormed: true })).map(([name, value]) => ({ name, value })),
    ),
    { maxLength: 3 },
  );
  return fc
    .record({
      fields,
      window,
      extras,
      duplicate: oneIn(6, fc.nat(), null),
      badEscape: oneIn(12, fc.tuple(fc.boolean(), withBadEscape), null),
      plus: fc.boolean(),
      junk: fc.constantFrom('', '', '', '&', '&&', '&=', '&=x', '&novalue'),
      shuffle: fc.nat(),
    })
    .map(({ fields, window, extras, duplicate, badEscape, plus, junk }) => {
      const parts: QueryPart[] = [...(fields.filter(Boolean) as QueryPart[]), ...window, ...extras.filter((e) => !shape.includes(e.name))];
      let invalidWhy = parts.flatMap((part) => (part.invalid ? [part.invalid] : []));
      if (duplicate !== null && parts.length > 0) {
        const copy = parts[duplicate % parts.length]!;
        parts.push({ ...copy });
        // Repeated, a value is joined with itself ("a,a"): invalid for these fields; for others the schemas judge
        // the joined value (an empty accountId repeated is ",", which is a valid one).
        if (SINGLE_VALUED.has(copy.name)) invalidWhy.push(`${copy.name} given twice`);
        else if (copy.invalid) invalidWhy = invalidWhy.filter((why) => why !== copy.invalid);
      }
      const decoded: Record<string, string> = Object.create(null) as Record<string, string>;
      const raws = parts.map((part) => {
        decoded[part.name] = part.name in decoded ? `${decoded[part.name]},${part.value}` : part.value;
        return `${encodeQuery(part.name, plus)}=${encodeQuery(part.value, plus)}`;
      });
      if (badEscape) {
        const [inName, raw] = badEscape;
        raws.push(inName ? `${raw}=1` : `x=${raw}`);
        invalidWhy.push('malformed percent-escape in the query');
      }
      let raw = raws.join('&') + junk;
      if (raw.startsWith('&') && raws.length === 0) raw = junk;
      return { raw: raw.length > 0 ? `?${raw}` : '', decoded: { ...decoded }, invalid: invalidWhy };
    });
}

/** The names an object schema declares. */
function queryShape(schema: z.ZodType): string[] | undefined {
  const def = (schema as unknown as { def?: { shape?: Record<string, unknown>; in?: z.ZodType; schema?: z.ZodType } }).def;
  if (def?.shape) return Object.keys(def.shape);
  if (def?.in) return queryShape(def.in);
  if (def?.schema) return queryShape(def.schema);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies.

/** A JSON value of a type other than the one a field wants. */
const wrongType = (want: 'string' | 'number' | 'boolean' | 'array' | 'object') =>
  fc.constantFrom<unknown>(42, -1, 1.5, 1e308, true, false, null, [], ['x'], {}, { a: 1 }, '', 'x').filter((v) => {
    const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
    return type !== want;
  });

/** Sets a key as an own, enumerable property: `__proto__` too, so JSON.stringify writes it. */
function own(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

interface BodyPart {
  value: unknown;
  invalid?: string;
}

type Mutation = (body: Record<string, unknown>) => fc.Arbitrary<BodyPart>;

/** Builds a body from a valid one and zero to three mutations, each invalid by construction. */
function mutated(validBody: fc.Arbitrary<Record<string, unknown>>, mutations: Mutation[], declared: string[]): fc.Arbitrary<BodyPart> {
  const common: Mutation[] = [
    // An extra key: the request schemas are strict.
    (b) => fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), text(1, 12, { wellFormed: true })), fc.jsonValue({ maxDepth: 2 })).filter(([k]) => !declared.includes(k)).map(([k, v]) => ({ value: own({ ...b }, k, v), invalid: `extra key ${JSON.stringify(k)}` })),
    // Not an object at all.
    () => fc.oneof(fc.constantFrom<unknown>(null, [], 'x', 0, true), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })).map((value) => ({ value, invalid: 'body not an object' })),
  ];
  const all = [...mutations, ...common];
  return fc.oneof(
    { weight: 3, arbitrary: validBody.map((value) => ({ value })) },
    {
      weight: 4,
      arbitrary: validBody.chain((b) =>
        fc.integer({ min: 0, max: all.length - 1 }).chain((i) =>
          all[i]!(b).chain((first) => {
            if (!isObject(first.value)) return fc.constant(first);
            // Sometimes a second mutation on top: several failing fields at once.
            // Every mutation leaves the body invalid whatever it started from, so the last one applied says why.
            return fc.oneof(fc.constant(first), fc.integer({ min: 0, max: mutations.length - 1 }).chain((j) => (mutations[j] ? mutations[j](first.value as Record<string, unknown>) : fc.constant(first))));
          }),
        ),
      ),
    },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Mutations of one string field with `min`..`max` code units. */
function stringField(key: string, max: number, required: boolean): Mutation[] {
  return [
    (b) => wrongType('string').map((v) => ({ value: own({ ...b }, key, v), invalid: `${key} not a string` })),
    (b) => tooLong(max).map((v) => ({ value: own({ ...b }, key, v), invalid: `${key} too long` })),
    ...(required
      ? [
          (b: Record<string, unknown>) => fc.constant({ value: omit(b, key), invalid: `${key} missing` }),
          (b: Record<string, unknown>) => fc.constant({ value: own({ ...b }, key, ''), invalid: `${key} empty` }),
        ]
      : []),
  ];
}

const omit = (b: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== key));

function openDisputeBody(now: number): fc.Arbitrary<BodyPart> {
  const DAY = 86_400_000;
  const base = fc.record({
    accountId: text(1, 64),
    claim: fc.constantFrom('NEVER_CONNECTED', 'WRONG_DURATION'),
    ticketId: fc.tuple(fc.constant('FUZZ-'), text(1, 100)).map(([a, b]) => a + b),
    customerStatement: fc.option(text(0, 4000), { nil: undefined }),
  });
  const e164 = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(7, 14)).map(([f, r]) => `+${f}${r}`);
  const numberScope = fc
    .tuple(e164, fc.integer({ min: now - 200 * DAY, max: now }), fc.integer({ min: 1000, max: 93 * DAY }))
    .chain(([n, from, span]) => fc.tuple(instantAt(from), instantAt(from + span)).map(([f, t]) => ({ calledNumber: n, from: f, to: t })));
  const callScope = fc.array(text(1, 128), { minLength: 1, maxLength: 5 }).map((callIds) => ({ callIds }));
  const validBody = fc.tuple(base, fc.oneof(numberScope, callScope)).map(([b, scope]) => {
    const body: Record<string, unknown> = { ...b, ...scope };
    if (body.customerStatement === undefined) delete body.customerStatement;
    return body;
  });
  const mutations: Mutation[] = [
    ...stringField('accountId', 64, true),
    ...stringField('ticketId', 128, true),
    ...stringField('customerStatement', 4000, false),
    (b) => fc.constantFrom<unknown>('never_connected', 'NOPE', '', 0, null, ['NEVER_CONNECTED']).map((v) => ({ value: own({ ...b }, 'claim', v), invalid: 'bad claim' })),
    (b) => fc.constant({ value: omit(b, 'claim'), invalid: 'claim missing' }),
    // Scope: both, neither, half of the number scope.
    (b) => numberScope.map((s) => ({ value: { ...b, callIds: ['c-1'], ...s }, invalid: 'both scopes' })),
    (b) => fc.constant({ value: omit(omit(omit(omit(b, 'callIds'), 'calledNumber'), 'from'), 'to'), invalid: 'no scope' }),
    (b) => numberScope.chain((s) => fc.constantFrom('calledNumber', 'from', 'to').map((drop) => ({ value: omit({ ...omit(b, 'callIds'), ...s }, drop), invalid: `number scope without ${drop}` }))),
    (b) => fc.constantFrom<unknown>([], 'c-1', [''], [1], [null], Array.from({ length: 501 }, (_, i) => `c${i}`)).map((v) => ({ value: { ...omit(omit(omit(b, 'calledNumber'), 'from'), 'to'), callIds: v }, invalid: 'bad callIds' })),
    (b) => tooLong(128).map((id) => ({ value: { ...omit(omit(omit(b, 'calledNumber'), 'from'), 'to'), callIds: ['ok', id] }, invalid: 'callId too long' })),
    (b) =>
      numberScope.chain((s) =>
        fc
          .oneof(fc.constantFrom<unknown>('16145550123', '+0123456789', '+1', '+1234567890123456', '%2B16145550123', '+１６１４５５５０１２３', 12345678, null), oddText)
          .filter((v) => typeof v !== 'string' || !/^\+[1-9]\d{7,14}$/.test(v))
          .map((v) => ({ value: { ...omit(b, 'callIds'), ...s, calledNumber: v }, invalid: 'calledNumber not E.164' })),
      ),
    (b) => numberScope.chain((s) => fc.tuple(fc.constantFrom('from', 'to'), fc.oneof(fc.constantFrom<unknown>(...BAD_DATES), wrongType('string'))).map(([k, v]) => ({ value: { ...omit(b, 'callIds'), ...s, [k]: v }, invalid: `bad ${k}` }))),
    (b) => numberScope.map((s) => ({ value: { ...omit(b, 'callIds'), ...s, from: s.to, to: s.from }, invalid: 'window reversed or empty' })),
    (b) =>
      fc
        .tuple(e164, fc.integer({ min: now - 2000 * DAY, max: now }), fc.integer({ min: 93 * DAY + 1000, max: 3000 * DAY }))
        .chain(([n, from, span]) => fc.tuple(instantAt(from), instantAt(from + span)).map(([f, t]) => ({ value: { ...omit(b, 'callIds'), calledNumber: n, from: f, to: t }, invalid: 'window over 93 days' }))),
  ];
  return mutated(validBody, mutations, ['accountId', 'claim', 'ticketId', 'customerStatement', 'callIds', 'calledNumber', 'from', 'to']);
}

function decisionBody(): fc.Arbitrary<BodyPart> {
  const money = fc.record({ amountMinor: fc.integer({ min: 0, max: 100_000 }), currency: fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'XXX') });
  const accept = fc.record({ action: fc.constant('ACCEPT'), note: fc.option(text(0, 2000), { nil: undefined }) }).map((b) => (b.note === undefined ? { action: b.action } : b));
  const override = fc.record({ action: fc.constant('OVERRIDE'), outcome: fc.constantFrom('CREDIT', 'PARTIAL_CREDIT', 'DENY'), creditAmount: money, reason: fc.stringMatching(/^[A-Za-z][A-Za-z .,-]{0,40}$/) });
  const validBody = fc.oneof(accept, override) as fc.Arbitrary<Record<string, unknown>>;
  const mutations: Mutation[] = [
    (b) => fc.constantFrom<unknown>('accept', 'REJECT', '', 42, null, ['ACCEPT'], 'ACCEPT ').map((v) => ({ value: own({ ...b }, 'action', v), invalid: 'unknown action' })),
    (b) => fc.constant({ value: omit(b, 'action'), invalid: 'action missing' }),
    (b) => (b.action === 'ACCEPT' ? tooLong(2000).map((v) => ({ value: { ...b, note: v }, invalid: 'note too long' })) : fc.constant({ value: omit(b, 'reason'), invalid: 'override without reason' })),
    (b) => (b.action === 'ACCEPT' ? wrongType('string').map((v) => ({ value: { ...b, note: v }, invalid: 'note not a string' })) : fc.constantFrom('', ' ', '\t\n', '\u00a0\u3000').map((v) => ({ value: { ...b, reason: v }, invalid: 'blank reason' }))),
    (b) =>
      fc
        .constantFrom<unknown>({ amountMinor: -1, currency: 'USD' }, { amountMinor: 1.5, currency: 'USD' }, { amountMinor: 1e300, currency: 'USD' }, { amountMinor: '12', currency: 'USD' }, { amountMinor: 1, currency: 'usd' }, { amountMinor: 1, currency: 'US' }, { amountMinor: 1 }, { currency: 'USD' }, 5, null, { amountMinor: 1, currency: 'USD', extra: 1 }, { amountMinor: Number.MAX_SAFE_INTEGER + 2, currency: 'USD' })
        .map((v) => ({ value: { ...b, action: 'OVERRIDE', outcome: 'CREDIT', reason: 'r', creditAmount: v }, invalid: 'bad creditAmount' })),
    (b) => fc.constantFrom<unknown>('ESCALATE_NOW', 'credit', '', null, 1).map((v) => ({ value: { action: 'OVERRIDE', creditAmount: { amountMinor: 0, currency: 'USD' }, reason: 'r', ...omit(omit(b, 'action'), 'note'), outcome: v }, invalid: 'bad outcome' })),
    (b) => (b.action === 'ACCEPT' ? fc.constant({ value: { ...b, outcome: 'DENY' }, invalid: 'ACCEPT with an override field' }) : fc.constant({ value: { ...b, note: 'n' }, invalid: 'OVERRIDE with note' })),
  ];
  return mutated(validBody, mutations, ['action', 'note', 'outcome', 'creditAmount', 'reason']);
}

function auditBody(now: number): fc.Arbitrary<BodyPart> {
  const HOUR = 3_600_000;
  const hourAt = fc.integer({ min: Math.floor((now - 60 * 24 * HOUR) / HOUR), max: Math.floor(now / HOUR) - 2 }).map((h) => h * HOUR);
  const validBody = fc.oneof(
    fc.constant({}),
    fc.boolean().map((repair) => ({ repair })),
    fc.tuple(hourAt, fc.integer({ min: 1, max: 6 }), fc.option(fc.boolean(), { nil: undefined })).map(([from, hours, repair]) => ({
      from: new Date(from).toISOString(),
      to: new Date(from + hours * HOUR).toISOString(),
      ...(repair === undefined ? {} : { repair }),
    })),
  ) as fc.Arbitrary<Record<string, unknown>>;
  const mutations: Mutation[] = [
    (b) => fc.constantFrom<unknown>('true', 1, 0, null, 'yes', []).map((v) => ({ value: { ...b, repair: v }, invalid: 'repair not a boolean' })),
    (b) => fc.constantFrom('from', 'to').chain((k) => instantAt(now - 5 * HOUR).map((t) => ({ value: { ...omit(omit(b, 'from'), 'to'), [k]: t }, invalid: `${k} without the other` }))),
    (b) => fc.tuple(fc.constantFrom('from', 'to'), fc.constantFrom<unknown>(...BAD_DATES, 0, null)).map(([k, v]) => ({ value: { from: '2026-10-01T00:00:00Z', to: '2026-10-01T02:00:00Z', ...b, [k]: v }, invalid: `bad ${k}` })),
    (b) => fc.constant({ value: { ...b, from: '2026-10-01T02:00:00Z', to: '2026-10-01T00:00:00Z' }, invalid: 'reversed period' }),
  ];
  return mutated(validBody, mutations, ['from', 'to', 'repair']);
}

/** Anything JSON, for a body schema this fuzzer has no generator for (the schemas decide). */
const anyBody: fc.Arbitrary<BodyPart> = fc.oneof(fc.dictionary(text(1, 12), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 2 })).map((value) => ({ value }));

/** Texts that are not JSON, or JSON that is not one value. */
const NOT_JSON = ['{', '{"accountId":', '{"a":1,}', "{'a':1}", 'NaN', '\ufeff{}', '{"a":1}{"b":2}', 'undefined', '[1,2', '{"a":"\\x41"}', '{"a":"\\ud800', '{"a":01}', '{"a":.5}', '{"a":+1}', '{"a":Infinity}', '{a:1}', '--', '\u0000'];

/** A body as sent: its text (none: no body), and why it is invalid when built to be. */
interface BodyText {
  text?: string;
  invalid?: string;
}

function bodyArbitrary(key: string, now: number): fc.Arbitrary<BodyText> {
  const json =
    key === 'POST /v1/disputes' ? openDisputeBody(now) : key === 'POST /v1/disputes/{disputeId}/decision' ? decisionBody() : key === 'POST /v1/audits' ? auditBody(now) : anyBody;
  return fc.oneof(
    { weight: 12, arbitrary: json.map((b) => ({ text: JSON.stringify(b.value), invalid: b.invalid })) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON).map((t) => ({ text: t, invalid: 'not JSON' })) },
    // Valid JSON nested deeper than any schema: must be refused, not overflow a stack.
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => ({ text: '['.repeat(n) + ']'.repeat(n), invalid: 'deeply nested array' })) },
    { weight: 1, arbitrary: fc.constant({ text: undefined }) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t').map((t) => ({ text: t })) },
  );
}

/** Content types: JSON ones and others. */
const JSON_TYPE = /^application\/(.+\+)?json\b/i;
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', 'application/xml', 'json', '*/*', '') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

// ---------------------------------------------------------------------------------------------------------------
// Whole requests.

function templateParts(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** A request for one route: its path, query, headers and body, any of them wrong. */
/** With `fixed`, always as that caller and with good credentials (the sweep that covers every route × caller). */
function routeRequest(route: ApiRoute, options: FuzzOptions, fixed?: Who): fc.Arbitrary<FuzzRequest> {
  const key = routeKey(route);
  const op = OPERATIONS[key];
  const now = options.now ?? Date.now();
  const names = templateParts(route.path);
  const allowed = route.roles.length === 0 ? WHO : (route.roles as Who[]);
  const who = fixed ? fc.constant(fixed) : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allowed) }, { weight: 1, arbitrary: fc.constantFrom(...WHO) });
  const pathFields = fc.tuple(...names.map((n) => pathField(n, options)));
  const badAuth = fc.constantFrom('Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'bearer', 'Bearer x y', 'Bearer local-reviewer', 'Token local-reviewer-token', 'Bearer \u00ff\u00fe', 'Bearer ' + 'A'.repeat(4000), '');
  const idempotencyKey: fc.Arbitrary<{ value: string; invalid?: string }> = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/).map((v) => ({ value: v })),
    fc.constant({ value: 'k'.repeat(255) }),
    fc.constantFrom('', 'k'.repeat(256), 'k'.repeat(2000)).map((v) => ({ value: v, invalid: 'Idempotency-Key not 1-255 characters' })),
    fc.constant({ value: 'caf\u00e9-\u00ff' }),
  );
  return fc
    .record({
      who,
      badAuth: fixed ? fc.constant(null) : oneIn(8, badAuth, null),
      path: pathFields,
      query: queryArbitrary(op, key, now),
      body: route.method === 'POST' || op?.body ? bodyArbitrary(key, now) : oneIn<BodyText, BodyText>(5, fc.string({ maxLength: 40 }).map((t) => ({ text: t })), {}),
      contentType,
      idempotency: route.method === 'POST' ? oneIn(3, idempotencyKey, null) : fc.constant(null),
      duplicateIdempotency: fc.boolean(),
      chunked: fc.boolean(),
      lowercaseBearer: fc.boolean(),
      extraHeaders: fc.array(fc.tuple(fc.constantFrom('x-forwarded-for', 'x-request-id', 'accept', 'accept-language', 'x-amzn-trace-id', 'origin', 'cookie', 'x-http-method-override'), fc.stringMatching(/^[ -~]{0,40}$/)), { maxLength: 3 }),
    })
    .map((g) => {
      const invalidWhy: string[] = [];
      const pathParams: Record<string, string> = {};
      let target = route.path;
      names.forEach((name, i) => {
        const field = g.path[i]!;
        target = target.replace(`{${name}}`, field.raw);
        if (field.invalid) invalidWhy.push(`path.${name}: ${field.invalid}`);
        if (field.value !== undefined) pathParams[name] = field.value;
      });
      invalidWhy.push(...g.query.invalid.map((w) => `query: ${w}`));
      const headers: Record<string, string | string[]> = {};
      let who: Who = g.who;
      if (g.badAuth !== null) {
        who = 'none';
        headers.authorization = g.badAuth;
      } else if (g.who !== 'none') headers.authorization = `${g.lowercaseBearer ? 'bearer' : 'Bearer'} ${options.tokens[g.who]}`;
      if (g.contentType !== undefined) headers['content-type'] = g.contentType;
      if (g.idempotency) {
        // Repeated, the server reads both joined with ", " (the oracle judges that length).
        headers['idempotency-key'] = g.duplicateIdempotency ? [g.idempotency.value, g.idempotency.value] : g.idempotency.value;
        if (g.idempotency.invalid && !g.duplicateIdempotency) invalidWhy.push(g.idempotency.invalid);
      }
      for (const [name, value] of g.extraHeaders) headers[name] = value;
      if (op?.body) {
        const empty = g.body.text === undefined || g.body.text.trim() === '';
        if (!(empty && op.body.optional)) {
          if (g.body.invalid) invalidWhy.push(`body: ${g.body.invalid}`);
          if (!JSON_TYPE.test(g.contentType ?? '')) invalidWhy.push(`content-type ${JSON.stringify(g.contentType)}`);
        }
      }
      return {
        route: key,
        who,
        method: route.method,
        target: target + g.query.raw,
        headers,
        ...(g.body.text !== undefined ? { body: Buffer.from(g.body.text, 'utf8') } : {}),
        chunked: g.chunked,
        invalid: invalidWhy,
        decoded: { path: pathParams, query: g.query.decoded },
      } satisfies FuzzRequest;
    });
}

/** Requests no route takes (another method, an empty segment) and requests past the server's size limits. */
function strayRequest(options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  const base = (method: string, target: string, why: string, extra: Partial<FuzzRequest> = {}): FuzzRequest => ({
    route: 'stray',
    who: 'reviewer',
    method,
    target,
    headers: { authorization: `Bearer ${options.tokens.reviewer}` },
    invalid: [why],
    unrouted: true,
    decoded: { path: {}, query: {} },
    ...extra,
  });
  const route = fc.constantFrom(...API_ROUTES);
  return fc.oneof(
    fc.tuple(route, fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND')).map(([r, m]) => base(m, r.path.replace(/\{\w+\}/g, 'x'), `${m} is not a method of ${r.path}`)),
    route.filter((r) => r.path.includes('{')).map((r) => base(r.method, r.path.replace(/\{\w+\}/g, ''), 'empty path parameter')),
    fc.constantFrom('/v1', '/v1/', '/v1/disputes/', '/v1//disputes', '/v1/disputes/a/b', '/v1/%2e%2e/v1/disputes', '/v1/disputes/..', '/v1/DISPUTES', '/v1/openapi.json/', '/v1/numbers/%2B16145550123/stats/').map((t) => base('GET', t, 'no such route')),
    // Past Node's 16 KB header limit (URI or header): 431, as problem+json.
    fc.integer({ min: 17_000, max: 100_000 }).map((n) => base('GET', `/v1/disputes/${'A'.repeat(n)}`, 'URI too long', { route: 'oversize' })),
    fc.integer({ min: 17_000, max: 40_000 }).map((n) => base('GET', '/v1/disputes', 'header too large', { route: 'oversize', headers: { authorization: `Bearer ${options.tokens.reviewer}`, 'x-big': 'b'.repeat(n) } })),
    // Past the API's 64 KiB body limit: 413.
    fc.integer({ min: 65_537, max: 80_000 }).map((n) =>
      base('POST', '/v1/disputes', 'body too large', { route: 'oversize', who: 'ticketing', headers: { authorization: `Bearer ${options.tokens.ticketing}`, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ accountId: 'x'.repeat(n) })) }),
    ),
  );
}

/** The generator: requests over every route, role and field, plus stray and oversized ones. */
export function fuzzRequest(options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  // Built once per route (not per request in a chain): building the arbitraries costs more than drawing from them.
  const routes = API_ROUTES.map((route) => ({ weight: 3, arbitrary: routeRequest(route, options) }));
  return fc.oneof(...routes, { weight: 1, arbitrary: strayRequest(options) });
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle.

const DOCUMENTED = (() => {
  const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const out = new Map<string, Set<number>>();
  for (const [path, methods] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(methods)) out.set(`${method.toUpperCase()} ${path}`, new Set(Object.keys(op.responses).map(Number)));
  return out;
})();

/** Why the contract forbids this request (a 2xx is then wrong), or undefined when it allows it. */
export function forbidden(request: FuzzRequest): string | undefined {
  if (request.invalid.length > 0) return request.invalid.join('; ');
  if (request.unrouted) return 'no route';
  const route = API_ROUTES.find((r) => routeKey(r) === request.route);
  if (!route) return 'no route';
  if (route.roles.length > 0 && (request.who === 'none' || !route.roles.includes(request.who))) return `role ${request.who}`;
  const op = OPERATIONS[request.route];
  if (!op) return undefined;
  if (op.path && !op.path.safeParse(request.decoded.path).success) return 'path refused by the schema';
  if (op.query && !op.query.safeParse(request.decoded.query).success) return 'query refused by the schema';
  const header = (name: string) => {
    const v = request.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const key = header('idempotency-key');
  if (route.method === 'POST' && key !== undefined && (key.length < 1 || key.length > 255)) return 'Idempotency-Key length';
  if (op.body) {
    const text = request.body?.toString('utf8') ?? '';
    if (!(op.body.optional && text.trim() === '')) {
      if (!JSON_TYPE.test(header('content-type') ?? '')) return 'content type';
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return 'body not JSON';
      }
      if (!op.body.schema.safeParse(value).success) return 'body refused by the schema';
    }
  }
  return undefined;
}

const STAGE_THROTTLED = '{"message":"Too Many Requests"}';

/** What is wrong with an answer, or undefined. */
export function judge(request: FuzzRequest, answer: FuzzAnswer): string | undefined {
  const { status } = answer;
  if (status >= 500) return `server error ${status}`;
  if (status < 200 || (status >= 300 && status < 400)) return `unexpected status ${status}`;
  const type = String(answer.headers['content-type'] ?? '');
  if (status === 429 && answer.body === STAGE_THROTTLED) return undefined;
  if (status >= 400) {
    if (type !== 'application/problem+json') return `${status} with content-type ${JSON.stringify(type)}`;
    if (request.method === 'HEAD') return undefined;
    let problem: unknown;
    try {
      problem = JSON.parse(answer.body);
    } catch {
      return `${status} body not JSON`;
    }
    const parsed = ProblemSchema.strict().safeParse(problem);
    if (!parsed.success) return `${status} body not a problem: ${parsed.error.message}`;
    if (parsed.data.status !== status) return `problem status ${parsed.data.status} on a ${status}`;
    if (status === 400 && !(parsed.data.errors && parsed.data.errors.length > 0) && parsed.data.type !== '/problems/malformed-request') return '400 without errors naming the field';
  } else {
    const why = forbidden(request);
    if (why) return `${status} for a forbidden request (${why})`;
  }
  const documented = DOCUMENTED.get(request.route);
  if (documented && !documented.has(status)) return `status ${status} not documented for ${request.route}`;
  const op = OPERATIONS[request.route];
  if (status < 300 && op) {
    const response = op.responses[status];
    if (!response) return `status ${status} not declared`;
    if (status === 204) return answer.body === '' ? undefined : '204 with a body';
    const parsed = response.schema.safeParse(JSON.parse(answer.body));
    if (!parsed.success) return `${status} body does not match its schema: ${parsed.error.message.slice(0, 300)}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Sending and running.

export function send(base: URL, agent: Agent, request: FuzzRequest, timeoutMs = 15_000): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[] | number> = { ...request.headers };
    // Framed either way: without either header Node sends a GET's or DELETE's body unframed, which the server then
    // reads as the start of a next request.
    if (request.body) headers[request.chunked ? 'transfer-encoding' : 'content-length'] = request.chunked ? 'chunked' : request.body.length;
    const req = httpRequest({ host: base.hostname, port: base.port, method: request.method, path: request.target, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (request.body) {
      if (request.chunked && request.body.length > 1) {
        req.write(request.body.subarray(0, 1));
        req.write(request.body.subarray(1));
      } else req.write(request.body);
    }
    req.end();
  });
}

export interface FuzzFailure {
  route: string;
  who: Who;
  request: string;
  status: number | 'no answer';
  answer: string;
  reason: string;
}

export interface FuzzReport {
  requests: number;
  serverErrors: number;
  failures: FuzzFailure[];
  statuses: Record<number, number>;
  /** `route as who` pairs sent. */
  covered: Set<string>;
  seed: number;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** Generates `count` requests from `seed`, sends them `concurrency` at a time and judges every answer. */
export async function runFuzz(options: FuzzOptions & { base: string; count: number; seed?: number; concurrency?: number; chunk?: number }): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const base = new URL(options.base);
  // Idle pooled sockets are closed by the client after 4 s, before the server's 5 s keep-alive timeout can close one
  // just as a request is written to it (an ECONNRESET that says nothing about the request).
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 8, timeout: 4000 });
  const report: FuzzReport = { requests: 0, serverErrors: 0, failures: [], statuses: {}, covered: new Set(), seed };
  const arbitrary = fuzzRequest(options);
  const chunk = options.chunk ?? 1000;
  try {
    for (let done = 0, round = 0; done < options.count; done += chunk, round++) {
      // The first round starts with one request per route and caller, so every pair is tried whatever the seed.
      const sweep = round === 0 ? API_ROUTES.flatMap((route) => WHO.map((who) => fc.sample(routeRequest(route, options, who), { numRuns: 1, seed })[0]!)) : [];
      const requests = [...sweep, ...fc.sample(arbitrary, { numRuns: Math.min(chunk, options.count - done), seed: seed + round })];
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          report.requests++;
          report.covered.add(`${request.route} as ${request.who}`);
          let answer: FuzzAnswer | undefined;
          let reason: string | undefined;
          try {
            answer = await send(base, agent, request);
            reason = judge(request, answer);
          } catch (error) {
            reason = `no answer: ${(error as Error).message}`;
          }
          if (answer) report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
          if (answer && answer.status >= 500) report.serverErrors++;
          if (reason) {
            report.failures.push({
              route: request.route,
              who: request.who,
              request: clip(`${request.method} ${request.target} ${JSON.stringify(request.headers)} ${request.body?.toString('utf8') ?? ''}`, 600),
              status: answer?.status ?? 'no answer',
              answer: clip(answer?.body ?? ''),
              reason,
            });
          }
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    }
  } finally {
    agent.destroy();
  }
  return report;
}

/** Opens a few disputes (number scope, one ticket each) so that decisions, leases and reinvestigations find some. */
export async function openSeedDisputes(base: string, ticketingToken: string, count = 4): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${base}/v1/disputes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ticketingToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: 'acct-fuzz', claim: 'NEVER_CONNECTED', ticketId: `FUZZ-SEED-${i}`, calledNumber: '+16145550123', from: '2026-10-26T19:00:00-05:00', to: '2026-11-05T19:00:00-05:00' }),
    });
    if (res.status !== 202) throw new Error(`seed dispute ${i}: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { disputeId: string }).disputeId);
  }
  return ids;
}
