// Item size, as DynamoDB counts it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
// attribute names + values; strings and binaries their bytes; numbers about 1 byte per 2 significant digits + 1;
// null and booleans 1 byte; a list or map 3 bytes + 1 byte per element + its elements (map keys are names).

type Item = Record<string, unknown>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function numberSize(n: number | bigint): number {
  const digits = String(n).replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function valueSize(v: unknown): number {
  if (v === null) return 1;
  switch (typeof v) {
    case 'string':
      return utf8(v);
    case 'number':
    case 'bigint':
      return numberSize(v);
    case 'boolean':
      return 1;
    case 'object': {
      if (v instanceof Uint8Array) return v.byteLength;
      if (v instanceof Set) return [...(v as Set<unknown>)].reduce<number>((sum, x) => sum + valueSize(x), 0);
      if (Array.isArray(v)) return 3 + v.reduce<number>((sum, x) => sum + 1 + valueSize(x), 0);
      let size = 3;
      for (const [name, x] of Object.entries(v as Item)) if (x !== undefined) size += 1 + utf8(name) + valueSize(x);
      return size;
    }
    default:
      return 0; // undefined: not stored (the document client removes it)
  }
}

export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, v] of Object.entries(item)) if (v !== undefined) size += utf8(name) + valueSize(v);
  return size;
}

/** Write units of one write: per started 1 KB of the larger of the item before and after, at least 1. */
export const writeUnits = (...sizes: number[]) => Math.max(1, Math.ceil(Math.max(...sizes) / 1024));
/** Read units of a strongly consistent read of an item: per started 4 KB, at least 1. */
export const readUnits = (size: number) => Math.max(1, Math.ceil(size / 4096));
