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

export function toWatchedKV(raw: IKeyValue): WatchedKV {
  return {
    key: raw.key.toString('utf8'),
    value: raw.value ?? Buffer.alloc(0),
    createRevision: Number(raw.create_revision),
    modRevision: Number(raw.mod_revision),
    version: Number(raw.version),
    lease: raw.lease && raw.lease !== '' ? String(raw.lease) : '0',
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
