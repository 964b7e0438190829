/** A key-value pair as the watch layer keeps it: revisions as numbers, lease ids as decimal strings. */
import type { IKeyValue } from 'etcd3';

export interface WatchedKV {
  readonly key: string;
  readonly value: Buffer;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** Decimal lease id; "0" when the key has no lease. */
  readonly lease: string;
}

const NO_VALUE = Buffer.alloc(0);

/**
 * `raw` as the watch layer reads it. The value is not copied: it is a view into the response
 * that carried it (a whole page of a listing), so whoever keeps it copies it (see kept-kv.ts).
 */
export function toWatchedKV(raw: IKeyValue): WatchedKV {
  const lease: string | undefined = raw.lease;
  return {
    key: raw.key.toString('utf8'),
    value: raw.value ?? NO_VALUE,
    createRevision: Number(raw.create_revision),
    modRevision: Number(raw.mod_revision),
    version: Number(raw.version),
    // One shared "0" rather than a new string per key without a lease.
    lease: !lease || lease === '0' ? '0' : String(lease),
  };
}

/**
 * True when two reads of a key show the same stored value. Revisions alone would do within one
 * history; the value is compared too because a wiped or restored etcd can reuse revisions.
 */
export function sameKV(a: WatchedKV, b: WatchedKV): boolean {
  return (
    a.modRevision === b.modRevision &&
    a.createRevision === b.createRevision &&
    a.lease === b.lease &&
    a.value.equals(b.value)
  );
}
