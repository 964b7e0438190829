/** A key range to follow: one key, or every key that starts with a prefix (etcd's range_end rule). */

export interface KeyRange {
  /** First key of the range. */
  readonly key: Buffer;
  /** Exclusive end; absent for a single key. `\0` with an empty key means "every key". */
  readonly rangeEnd?: Buffer;
  /** For messages: "prefix services/" or "key config/x". */
  readonly description: string;
}

export function singleKeyRange(key: string): KeyRange {
  return { key: Buffer.from(key), description: `key ${key}` };
}

export function prefixRange(prefix: string): KeyRange {
  const key = Buffer.from(prefix);
  return { key, rangeEnd: prefixEnd(key), description: `prefix ${prefix}` };
}

/** The smallest key greater than every key starting with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): no upper bound, which etcd spells as "\0".
  return Buffer.from([0]);
}

export function rangeContains(range: KeyRange, key: Buffer): boolean {
  if (!range.rangeEnd) return key.equals(range.key);
  const unbounded = range.rangeEnd.length === 1 && range.rangeEnd[0] === 0;
  return Buffer.compare(key, range.key) >= 0 && (unbounded || Buffer.compare(key, range.rangeEnd) < 0);
}
