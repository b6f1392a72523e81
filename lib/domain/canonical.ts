/** JSON with object keys sorted at every level: equal content gives equal text (deduplication, policy versions). */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : Array.isArray(v) ? v.map(sorted) : v;
  return JSON.stringify(sorted(value));
}
