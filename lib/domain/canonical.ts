/** JSON with object keys sorted at every level: equal content gives equal text (deduplication, policy versions). */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : Array.isArray(v) ? v.map(sorted) : v;
  return JSON.stringify(sorted(value));
}

/** The UTF-8 byte length of a string (what DynamoDB counts), without Node's Buffer: the domain runs anywhere. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
